/**
 * The job ledger table in the DynamoDB emulator, keyed like the deployed one
 * (lib/constructs/job-ledger.ts): partition key `jobId`, on demand. dynalite
 * has no TimeToLive API, so `expiresAt` is written but items never expire;
 * the store is in memory and gone when the runtime stops.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resourceName } from '../lib/naming';

export function ledgerTableName(environment: string): string {
  return resourceName(environment, 'job-ledger');
}

export async function createLedgerTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
