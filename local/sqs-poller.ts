/**
 * A local SQS event source mapping: what Lambda's pollers do between an SQS
 * queue and a function, for any SQS-triggered handler (job workers now,
 * consumers later).
 *
 * Like the deployed mapping it
 * - long-polls the queue (ReceiveMessage, WaitTimeSeconds 20) for batches of
 *   up to `batchSize` messages, leaving visibility to the queue's own timeout;
 * - runs at most `maxConcurrency` invocations at a time (MaximumConcurrency):
 *   one receive-invoke loop per concurrency slot;
 * - invokes the handler with the event Lambda sends (`Records` with
 *   messageId, receiptHandle, body, attributes, messageAttributes in Lambda's
 *   camelCase shape, md5s, eventSource `aws:sqs`, eventSourceARN, awsRegion)
 *   and a context whose getRemainingTimeInMillis counts down the function
 *   timeout;
 * - with ReportBatchItemFailures, deletes every message not listed in
 *   `batchItemFailures`; a thrown error, a timeout or an invalid response
 *   deletes none, so the batch comes back after the visibility timeout and
 *   the redrive policy bounds how often.
 *
 * Unlike Lambda it cannot kill a handler that overruns its timeout: the batch
 * is treated as failed, but the handler's promise runs on.
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Lambda's long-poll wait (the maximum SQS allows). */
export const LONG_POLL_SECONDS = 20;
/** The account id fauxqs puts in every ARN. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface EventSourceMappingOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** Messages per invocation (1–10). */
  readonly batchSize: number;
  /** Concurrent invocations at most (MaximumConcurrency). */
  readonly maxConcurrency: number;
  readonly functionName: string;
  readonly functionTimeoutSeconds: number;
  readonly memorySizeMb?: number;
  readonly handler: SqsHandler;
  /** FunctionResponseTypes: ReportBatchItemFailures. Default true. */
  readonly reportBatchItemFailures?: boolean;
  /** Default 20 s, as Lambda. */
  readonly waitTimeSeconds?: number;
  /** A short label for log lines (e.g. `default/interactive`). */
  readonly label?: string;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface MappingStats {
  invocations: number;
  deleted: number;
  failedBatches: number;
}

export class SqsEventSourceMapping {
  readonly stats: MappingStats = { invocations: 0, deleted: 0, failedBatches: 0 };
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly label: string;
  private readonly log: NonNullable<EventSourceMappingOptions['log']>;

  constructor(readonly options: EventSourceMappingOptions) {
    if (!(options.batchSize >= 1 && options.batchSize <= 10)) throw new RangeError(`batchSize ${options.batchSize}: must be 1–10`);
    if (!(options.maxConcurrency >= 1)) throw new RangeError(`maxConcurrency ${options.maxConcurrency}: must be ≥ 1`);
    this.label = options.label ?? options.queueArn.split(':').pop()!;
    this.log = options.log ?? ((level, message) => (level === 'info' ? console.log : console.error)(`[${this.label}] ${message}`));
  }

  /** Invocations in progress right now. */
  get inFlight(): number {
    return this.running.size;
  }

  start(): this {
    if (this.loops.length > 0) throw new Error(`${this.label}: already started`);
    for (let slot = 0; slot < this.options.maxConcurrency; slot++) this.loops.push(this.loop());
    return this;
  }

  /**
   * Stops receiving (ends pending long polls at once) and waits for running
   * invocations to settle, up to `graceMs`; returns how many were still running.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<number> {
    this.abort.abort();
    const loops = Promise.allSettled(this.loops);
    if (!Number.isFinite(graceMs)) {
      await loops;
      return 0;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const result = await Promise.race([loops.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    return result === 'timeout' ? this.running.size : 0;
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    let backoffMs = 0;
    while (!this.stopping) {
      let messages: Message[];
      try {
        const out = await this.options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: this.options.batchSize,
            WaitTimeSeconds: this.options.waitTimeSeconds ?? LONG_POLL_SECONDS,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = out.Messages ?? [];
        backoffMs = 0;
      } catch (err) {
        if (this.stopping) return;
        backoffMs = Math.min(10_000, backoffMs ? backoffMs * 2 : 500);
        this.log('error', `ReceiveMessage failed (${(err as Error).message}); retrying in ${backoffMs} ms`);
        await this.sleep(backoffMs);
        continue;
      }
      if (messages.length === 0) continue;
      const invocation = this.invoke(messages);
      this.running.add(invocation);
      try {
        await invocation;
      } finally {
        this.running.delete(invocation);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async invoke(messages: Message[]): Promise<void> {
    const records = messages.map((m) => toRecord(m, this.options.queueArn, this.options.region));
    const timeoutMs = this.options.functionTimeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const context = lambdaContext(this.options, deadline);
    this.stats.invocations++;

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    let response: SQSBatchResponse | void | 'timeout';
    try {
      response = await Promise.race([this.options.handler({ Records: records }, context), timeout]);
    } catch (err) {
      this.stats.failedBatches++;
      this.log('error', `invocation failed, ${records.length} message(s) return after the visibility timeout: ${(err as Error)?.stack ?? String(err)}`);
      return;
    } finally {
      clearTimeout(timer);
    }
    if (response === 'timeout') {
      this.stats.failedBatches++;
      this.log('error', `Task timed out after ${this.options.functionTimeoutSeconds} s; ${records.length} message(s) return after the visibility timeout`);
      return;
    }

    const failed = this.failedIds(records, response);
    if (failed === 'all') {
      this.stats.failedBatches++;
      return;
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) await this.delete(done);
  }

  /** Lambda's reading of a partial batch response: an unusable one fails the whole batch. */
  private failedIds(records: SQSRecord[], response: SQSBatchResponse | void): Set<string> | 'all' {
    if (this.options.reportBatchItemFailures === false || response === undefined || response === null) return new Set();
    const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) {
      this.log('error', 'handler returned batchItemFailures that is not an array: the whole batch counts as failed');
      return 'all';
    }
    const ids = new Set(records.map((r) => r.messageId));
    const failed = new Set<string>();
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown })?.itemIdentifier;
      if (typeof id !== 'string' || !ids.has(id)) {
        this.log('error', `handler reported itemIdentifier ${JSON.stringify(id)}, which is not in the batch: the whole batch counts as failed`);
        return 'all';
      }
      failed.add(id);
    }
    return failed;
  }

  private async delete(records: SQSRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      try {
        const out = await this.options.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })) }),
        );
        this.stats.deleted += out.Successful?.length ?? 0;
        for (const f of out.Failed ?? []) this.log('warn', `could not delete message ${chunk[Number(f.Id)]?.messageId}: ${f.Code} ${f.Message ?? ''}`);
      } catch (err) {
        this.log('error', `DeleteMessageBatch failed (${(err as Error).message}); the messages return after the visibility timeout`);
      }
    }
  }
}

/** One SQS message as Lambda puts it in an event record. */
export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? String(Date.now()),
    SenderId: system.SenderId ?? LOCAL_ACCOUNT_ID,
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  for (const key of ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'DeadLetterQueueSourceArn'] as const) {
    const value = system[key];
    if (value !== undefined) attributes[key] = value;
  }
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function lambdaContext(options: EventSourceMappingOptions, deadline: number): Context {
  const requestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const unsupported = () => {
    throw new Error('the callback-style context methods (done, fail, succeed) are not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${LOCAL_ACCOUNT_ID}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memorySizeMb ?? 128),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${day}/[$LATEST]local`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
