/**
 * What the backends do with a job message, shared by the Lambda worker and
 * the long-running runner: decode it, build the job, send it on (a wait hop,
 * a backend retry, an ActiveJob retry) or to the dead-letter queue with the
 * reason. One implementation, so both backends keep the same wire contract.
 */
import { SendMessageCommand, type SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { AnyJob, JobClass } from './job';
import type { JobRegistry } from './registry';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { ATTRIBUTES, SqsJobAdapter, outgoingFor, WIRE_VERSION } from './enqueue';
import { queueUrlFor, type QueueEndpoints } from './endpoints';
import { describeThrown, UndecodableJobError } from './errors';
import { IterableJob } from './iterable';
import { LAMBDA_JOB_RUN_TIME_LIMIT } from './definition';
import { decodeEnvelope, deserializeArguments, parseTimestamp, type JobEnvelope } from './serialization';

/** Delayed's backend backoff: `attempts⁴ + 5` seconds after the n-th failed attempt. */
export function backendRetryDelaySeconds(attempts: number): number {
  return attempts ** 4 + 5;
}

export type FailureReason = 'undecodable' | 'attempts_exhausted' | 'not_long_running' | 'crashed' | 'timed_out';

const MAX_ERROR_MESSAGE = 4_096;
const MAX_BACKTRACE = 16_384;

/** Jobs due within this margin run now rather than hop once more. */
export const DUE_TOLERANCE_MS = 1_000;

/** The part of Lambda's context the job backends use. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

export function messageAttribute(record: SQSRecord, name: string): string | undefined {
  return record.messageAttributes?.[name]?.stringValue ?? undefined;
}

/** Backend attempts a message has used; a job redriven from the dead-letter queue starts afresh (like a retried dead job in Sidekiq). */
export function previousAttemptsOf(record: SQSRecord): number {
  if (messageAttribute(record, ATTRIBUTES.failureReason) !== undefined) return 0;
  return Number(messageAttribute(record, ATTRIBUTES.attempts) ?? 0) || 0;
}

/**
 * Settles every record of a batch side by side; a record whose settlement
 * threw (SQS unreachable, a lease held elsewhere) is reported for SQS to
 * deliver again, and nothing else is.
 */
export async function settleBatch(
  records: readonly SQSRecord[],
  settle: (record: SQSRecord) => Promise<void>,
  log: (entry: Record<string, unknown>) => void,
  context: Record<string, unknown>,
): Promise<SQSBatchResponse> {
  const results = await Promise.allSettled(records.map(settle));
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      const record = records[i]!;
      log({ level: 'error', message: 'could not settle job message; SQS will deliver it again', ...context, messageId: record.messageId, error: String((result.reason as Error)?.message ?? result.reason) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  });
  return { batchItemFailures };
}

/** A check a backend adds to decoding: a problem makes the message undecodable for it, with this reason. */
export type AdmissionCheck = (decoded: DecodedJob, record: SQSRecord) => { reason: FailureReason; problem: string } | undefined;

export interface DecodedJob {
  readonly envelope: JobEnvelope;
  readonly jobClass: JobClass;
  readonly args: unknown[];
}

export { UndecodableJobError as Undecodable };

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}… [${text.length - max + 20} more]`;
}

/** Parses and checks a message body: envelope, known job class, arguments and their schema. */
export async function decodeJobMessage(body: string, registry: JobRegistry): Promise<DecodedJob> {
  let envelope: JobEnvelope;
  try {
    envelope = decodeEnvelope(body);
  } catch (err) {
    throw new UndecodableJobError((err as Error).message);
  }
  const jobClass = registry.find(envelope.job_class);
  if (!jobClass) {
    throw new UndecodableJobError(`unknown job class "${envelope.job_class}": no job with that name is registered (functions/app/jobs); known: ${registry.names().join(', ')}`);
  }
  let args: unknown[];
  try {
    args = deserializeArguments(envelope.arguments);
  } catch (err) {
    throw new UndecodableJobError(`${envelope.job_class}: ${(err as Error).message}`);
  }
  const schema = jobClass.definition.argumentsSchema;
  if (schema) {
    const result = await schema['~standard'].validate(args);
    if (result.issues && result.issues.length > 0) {
      const problems = result.issues.map((i) => `arguments${(i.path ?? []).map((p) => `[${JSON.stringify(typeof p === 'object' && p && 'key' in p ? (p as { key: unknown }).key : p)}]`).join('')}: ${i.message}`);
      throw new UndecodableJobError(`${envelope.job_class}: arguments of the wrong shape: ${problems.join('; ')}`);
    }
  }
  return { envelope, jobClass, args };
}

/** A job instance carrying the message's ActiveJob state. */
export function instantiateJob({ envelope, jobClass, args }: DecodedJob, messageId: string): AnyJob {
  const job = new jobClass();
  job.jobId = envelope.job_id;
  job.providerJobId = envelope.provider_job_id ?? messageId;
  job.queueName = envelope.queue_name || jobClass.definition.queue;
  job.priority = envelope.priority ?? jobClass.definition.priority;
  job.arguments = args;
  job.executions = envelope.executions;
  job.exceptionExecutions = { ...envelope.exception_executions };
  job.locale = envelope.locale;
  job.timezone = envelope.timezone;
  job.enqueuedAt = envelope.enqueued_at ?? null;
  job.scheduledAt = envelope.scheduled_at ?? null;
  return job;
}

/** The queue name at the end of an SQS queue URL or ARN. */
export function sqsQueueName(urlOrArn: string): string {
  return urlOrArn.slice(Math.max(urlOrArn.lastIndexOf('/'), urlOrArn.lastIndexOf(':')) + 1);
}

/** When the message is due: its `xikolo_run_at`, else the body's `scheduled_at`, else now (0). */
export function dueAtOf(runAtAttribute: string | undefined, envelope: JobEnvelope): number {
  const runAt = Number(runAtAttribute);
  if (Number.isFinite(runAt) && runAt > 0) return runAt;
  return envelope.scheduled_at ? parseTimestamp(envelope.scheduled_at) : 0;
}

export interface DeadLetter {
  readonly body: string;
  readonly reason: FailureReason;
  readonly error: unknown;
  readonly attempts: number;
  readonly jobClass: string;
  /** More attributes (at most one: SQS allows ten per message). */
  readonly extra?: Record<string, string>;
}

export class JobSettler {
  private readonly adapter: SqsJobAdapter;

  constructor(
    private readonly sqs: SQSClient,
    private readonly endpoints: QueueEndpoints,
    /** The logical queue whose dead-letter queue takes this backend's failures. */
    private readonly queue: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!endpoints[queue]?.deadLetter) throw new Error(`queue "${queue}": no dead-letter queue URL in its endpoints (XIKOLO_JOB_QUEUES)`);
    this.adapter = new SqsJobAdapter(sqs, endpoints, now);
  }

  /**
   * The steps every backend takes first: decode (and `check`); dead-letter
   * what cannot run here, at once, with the reason; send a job that came
   * early on toward its due time. Returns the job to run, or undefined when
   * the message is settled already.
   */
  async admit(record: SQSRecord, registry: JobRegistry, log: (entry: Record<string, unknown>) => void, check?: AdmissionCheck): Promise<{ decoded: DecodedJob; attempts: number; dueAt: number } | undefined> {
    const attempts = previousAttemptsOf(record);
    let decoded: DecodedJob;
    let reason: FailureReason = 'undecodable';
    try {
      decoded = await decodeJobMessage(record.body, registry);
      const refused = check?.(decoded, record);
      if (refused) {
        reason = refused.reason;
        throw new UndecodableJobError(refused.problem);
      }
    } catch (err) {
      if (!(err instanceof UndecodableJobError)) throw err;
      log({ level: 'error', message: 'job message cannot run here: sent to the dead-letter queue', queue: this.queue, messageId: record.messageId, reason, detail: err.message });
      await this.deadLetter({ body: record.body, reason, error: err, attempts, jobClass: messageAttribute(record, ATTRIBUTES.jobClass) ?? 'unknown' });
      return undefined;
    }
    const dueAt = dueAtOf(messageAttribute(record, ATTRIBUTES.runAt), decoded.envelope);
    if (dueAt - this.now() > DUE_TOLERANCE_MS) {
      await this.resend(record.body, decoded, dueAt, attempts);
      return undefined;
    }
    return { decoded, attempts, dueAt };
  }

  /** The body as it arrived, and why, when and after how many attempts it was given up. */
  async deadLetter(letter: DeadLetter): Promise<void> {
    const { errorClass, message, stack } = describeThrown(letter.error);
    const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value || '-' });
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.endpoints[this.queue]!.deadLetter,
        MessageBody: letter.body,
        MessageAttributes: {
          [ATTRIBUTES.jobClass]: string(letter.jobClass),
          [ATTRIBUTES.version]: string(WIRE_VERSION),
          [ATTRIBUTES.failureReason]: string(letter.reason),
          [ATTRIBUTES.errorClass]: string(errorClass),
          [ATTRIBUTES.errorMessage]: string(truncate(message, MAX_ERROR_MESSAGE)),
          [ATTRIBUTES.errorBacktrace]: string(truncate(stack, MAX_BACKTRACE)),
          [ATTRIBUTES.attempts]: { DataType: 'Number', StringValue: String(letter.attempts) },
          [ATTRIBUTES.failedAt]: string(new Date(this.now()).toISOString()),
          [ATTRIBUTES.sourceQueue]: string(this.queue),
          ...Object.fromEntries(Object.entries(letter.extra ?? {}).map(([k, v]) => [k, string(v)])),
        },
      }),
    );
  }

  /**
   * The SQS queue this job belongs in: its ActiveJob queue (the body's, if
   * this environment has it, else the class's) and its priority band.
   */
  homeQueueUrl(decoded: DecodedJob): string {
    const { envelope, jobClass } = decoded;
    const definition = jobClass.definition;
    // A job that needs a long-running runner (resumable, or longer than a Lambda run) stays on its class's queue,
    // whatever queue the message names (`set(queue:)`, a retryOn queue): a Lambda worker would cut it short.
    const needsItsRunner = jobClass.prototype instanceof IterableJob || definition.maxRunTimeSeconds > LAMBDA_JOB_RUN_TIME_LIMIT;
    const queue = !needsItsRunner && envelope.queue_name && this.endpoints[envelope.queue_name] ? envelope.queue_name : definition.queue;
    return queueUrlFor(this.endpoints, queue, envelope.priority ?? definition.priority);
  }

  /** Sends the same body on to its home queue, due at `runAt` (a wait hop, a backend retry, a move to its band). */
  async resend(body: string, decoded: DecodedJob, runAt: number, attempts: number): Promise<void> {
    const { envelope } = decoded;
    await this.adapter.send([{ queueUrl: this.homeQueueUrl(decoded), body, jobClass: envelope.job_class, jobId: envelope.job_id, runAt, attempts }]);
  }

  /** ActiveJob's retry_job: a new message carrying the job's updated executions and rule counters. */
  async retry(job: AnyJob, waitSeconds: number): Promise<void> {
    const now = this.now();
    await this.adapter.send([outgoingFor(job, new Date(now + waitSeconds * 1000), new Date(now), this.endpoints)]);
  }
}
