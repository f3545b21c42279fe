/** SqsOperations on the AWS SDK v3 SQS client. */
import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterEntry, SqsOperations } from './sqs-transport';

export function sqsOperations(client: SQSClient): SqsOperations {
  return {
    async sendBatch(queueUrl: string, entries: readonly DeadLetterEntry[]): Promise<string[]> {
      if (entries.length === 0) return [];
      // Batch entry ids allow only letters, digits, "-" and "_": map them to indexes.
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((entry, index) => ({
            Id: String(index),
            MessageBody: entry.body,
            MessageAttributes: Object.fromEntries(Object.entries(entry.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
          })),
        }),
      );
      return (result.Failed ?? []).map((f) => entries[Number(f.Id)]?.id).filter((id): id is string => id !== undefined);
    },
    async changeVisibilityBatch(queueUrl, entries) {
      if (entries.length === 0) return [];
      const result = await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receiptHandle, VisibilityTimeout: entry.seconds })),
        }),
      );
      return (result.Failed ?? []).map((f) => entries[Number(f.Id)]?.id).filter((id): id is string => id !== undefined);
    },
  };
}
