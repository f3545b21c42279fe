/**
 * Enqueuing: jobs become SQS messages in ActiveJob's wire format, as AWS's
 * Rails adapter writes them, so Rails and TypeScript producers are
 * interchangeable.
 *
 * Waits longer than SQS's 15-minute DelaySeconds are carried in hops: the
 * message says when it is due (`xikolo_run_at`); a worker that receives it
 * early sends it on with the remaining delay. Each hop is a new message, so
 * SQS's redrive count never mistakes waiting for failing, and no control-plane
 * call is made per retry.
 */
import { packBatches } from '../shared/batches';
import { SQSClient, SendMessageBatchCommand, type MessageAttributeValue, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { AnyJob, EnqueuedJob, PendingJob } from './job';
import { endpointsFromEnv, queueUrlFor, type QueueEndpoints } from './endpoints';
import { encodeEnvelope, ACTIVE_JOB_CLASS_ATTRIBUTE, ACTIVE_JOB_VERSION_ATTRIBUTE, type JobEnvelope } from './serialization';

/** SQS's longest DelaySeconds. */
export const MAX_SQS_DELAY_SECONDS = 900;
const BATCH_ENTRIES = 10;
/** Stay under SQS's 1 MiB per batch request, attributes included. */
const BATCH_BYTES = 1_000_000;
const SEND_TRIES = 3;

export const ATTRIBUTES = {
  jobClass: ACTIVE_JOB_CLASS_ATTRIBUTE,
  version: ACTIVE_JOB_VERSION_ATTRIBUTE,
  /** Epoch ms at which the job is due; on every message sent more than a second before that. */
  runAt: 'xikolo_run_at',
  /** Backend attempts that failed so far (Delayed's `attempts`). */
  attempts: 'xikolo_attempts',
  /** Set on messages in a dead-letter queue: why they are there. */
  failureReason: 'xikolo_failure_reason',
  errorClass: 'xikolo_error_class',
  errorMessage: 'xikolo_error_message',
  errorBacktrace: 'xikolo_error_backtrace',
  failedAt: 'xikolo_failed_at',
  sourceQueue: 'xikolo_source_queue',
} as const;

export const WIRE_VERSION = 'xikolo-async/1';

/** One message to send: a serialized job, where to, and when it is due. */
export interface OutgoingJobMessage {
  readonly queueUrl: string;
  readonly body: string;
  readonly jobClass: string;
  readonly jobId: string;
  readonly runAt: number;
  readonly attempts?: number;
  readonly extraAttributes?: Record<string, MessageAttributeValue>;
}

export interface JobAdapter {
  /** Sends the messages; resolves with the SQS message id of each, in order. */
  send(messages: readonly OutgoingJobMessage[]): Promise<string[]>;
  readonly endpoints: QueueEndpoints;
}

export class EnqueueError extends Error {
  constructor(readonly failures: readonly { jobId: string; jobClass: string; queueUrl: string; reason: string }[]) {
    super(
      `could not enqueue ${failures.length} job(s): ` +
        failures.map((f) => `${f.jobClass} ${f.jobId} → ${f.queueUrl}: ${f.reason}`).join('; ') +
        ' (check the queue exists and this function may send to it)',
    );
    this.name = 'EnqueueError';
  }
}

export function delaySecondsFor(runAt: number, now: number): number {
  return Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil((runAt - now) / 1000)));
}

function attributesFor(message: OutgoingJobMessage, now: number): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    [ATTRIBUTES.jobClass]: { DataType: 'String', StringValue: message.jobClass },
    [ATTRIBUTES.version]: { DataType: 'String', StringValue: WIRE_VERSION },
    ...message.extraAttributes,
  };
  // Every delayed message says when it is due: the worker hops on when it comes early (waits past 15 min)
  // and measures the job's age from it (Delayed's age since run_at, also for backend retries).
  if (message.runAt - now > 1000) {
    attributes[ATTRIBUTES.runAt] = { DataType: 'Number', StringValue: String(Math.round(message.runAt)) };
  }
  if (message.attempts) attributes[ATTRIBUTES.attempts] = { DataType: 'Number', StringValue: String(message.attempts) };
  return attributes;
}

function entrySize(entry: SendMessageBatchRequestEntry): number {
  let size = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

/** Sends job messages with SendMessageBatch: ≤ 10 entries and ≤ 1 MiB per request, failed entries retried. */
export class SqsJobAdapter implements JobAdapter {
  constructor(
    readonly client: SQSClient,
    readonly endpoints: QueueEndpoints,
    private readonly now: () => number = Date.now,
  ) {}

  async send(messages: readonly OutgoingJobMessage[]): Promise<string[]> {
    const ids: string[] = new Array(messages.length);
    const byQueue = new Map<string, number[]>();
    messages.forEach((m, i) => byQueue.set(m.queueUrl, [...(byQueue.get(m.queueUrl) ?? []), i]));
    const failures: { jobId: string; jobClass: string; queueUrl: string; reason: string }[] = [];
    for (const [queueUrl, indexes] of byQueue) {
      for (const batch of this.batches(indexes, messages)) {
        let pending = batch;
        for (let attempt = 1; pending.length > 0; attempt++) {
          const now = this.now();
          const entries = pending.map((i) => this.entry(i, messages[i]!, now));
          const result = await this.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
          for (const ok of result.Successful ?? []) ids[Number(ok.Id)] = ok.MessageId!;
          const failed = result.Failed ?? [];
          const retryable = failed.filter((f) => !f.SenderFault).map((f) => Number(f.Id));
          const final = attempt >= SEND_TRIES ? failed : failed.filter((f) => f.SenderFault);
          for (const f of final) {
            const m = messages[Number(f.Id)]!;
            failures.push({ jobId: m.jobId, jobClass: m.jobClass, queueUrl, reason: `${f.Code ?? 'error'}: ${f.Message ?? ''}`.trim() });
          }
          pending = attempt >= SEND_TRIES ? [] : retryable;
        }
      }
    }
    if (failures.length > 0) throw new EnqueueError(failures);
    return ids;
  }

  private entry(index: number, message: OutgoingJobMessage, now: number): SendMessageBatchRequestEntry {
    return {
      Id: String(index),
      MessageBody: message.body,
      DelaySeconds: delaySecondsFor(message.runAt, now),
      MessageAttributes: attributesFor(message, now),
    };
  }

  private batches(indexes: readonly number[], messages: readonly OutgoingJobMessage[]): number[][] {
    const now = this.now();
    return packBatches(indexes, BATCH_ENTRIES, BATCH_BYTES, (i) => entrySize(this.entry(i, messages[i]!, now)));
  }
}

let adapter: JobAdapter | undefined;

/** The adapter `performLater` uses: set explicitly (tests, local runtime) or built from the environment. */
export function jobAdapter(): JobAdapter {
  adapter ??= new SqsJobAdapter(new SQSClient({}), endpointsFromEnv());
  return adapter;
}

export function setJobAdapter(next: JobAdapter | undefined): void {
  adapter = next;
}

/** Serializes pending jobs and sends them, batching by target queue. */
export async function enqueueAll(pending: readonly PendingJob[], target: JobAdapter = jobAdapter()): Promise<EnqueuedJob[]> {
  const now = new Date();
  const messages = pending.map(({ job, runAt }) => outgoingFor(job, runAt, now, target.endpoints));
  const ids = await target.send(messages);
  return pending.map(({ job, runAt }, i) => {
    job.providerJobId = ids[i]!;
    return { jobId: job.jobId, jobClass: job.definition.name, queueName: job.queueName, providerJobId: ids[i]!, runAt };
  });
}

export function outgoingFor(job: AnyJob, runAt: Date, now: Date, endpoints: QueueEndpoints): OutgoingJobMessage {
  job.enqueuedAt = null;
  const scheduled = runAt.getTime() > now.getTime() ? runAt : undefined;
  const envelope: JobEnvelope = job.serialize(now, scheduled);
  return {
    queueUrl: queueUrlFor(endpoints, job.queueName, job.priority),
    body: encodeEnvelope(envelope),
    jobClass: envelope.job_class,
    jobId: envelope.job_id,
    runAt: runAt.getTime(),
  };
}
