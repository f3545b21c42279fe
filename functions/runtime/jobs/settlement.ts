/**
 * What the backends do with a job message, shared by the Lambda worker and
 * the long-running runner: decode it, build the job, send it on (a wait hop,
 * a backend retry, an ActiveJob retry) or to the dead-letter queue with the
 * reason. One implementation, so both backends keep the same wire contract.
 */
import { SendMessageCommand, type SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { AnyJob, JobClass } from './job';
import type { JobRegistry } from './registry';
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
