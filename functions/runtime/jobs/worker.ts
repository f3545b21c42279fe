/**
 * The SQS worker: the backend's half of the job contract (Delayed's role).
 *
 * Every record is settled by the worker itself: a success is acknowledged; a
 * retry or a backend reschedule is sent as a new message and the old one
 * acknowledged; a failure is sent to the dead-letter queue with its reason.
 * So one failing job never sends its siblings back, and SQS's receive count
 * only grows when a run could not report at all (a crash or a Lambda timeout),
 * which the queue's redrive policy bounds.
 *
 * Only a record whose settlement itself failed (SQS unreachable, a live
 * deduplication lease elsewhere) is reported in `batchItemFailures`.
 */
import { SendMessageCommand, type SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AnyJob, JobClass } from './job';
import type { JobRegistry } from './registry';
import type { JobLedger } from './ledger';
import type { MetricsEmitter } from '../metrics/emf';
import { executeJob, type ExecutionOutcome } from './execution';
import { ATTRIBUTES, SqsJobAdapter, outgoingFor, delaySecondsFor, WIRE_VERSION } from './enqueue';
import { queueUrlFor, type QueueEndpoints } from './endpoints';
import { emitJobEvent, type JobEventName } from './metrics';
import { describeThrown, thrownClassName } from './errors';
import { decodeEnvelope, deserializeArguments, parseTimestamp, type JobEnvelope } from './serialization';

/** Delayed's backend backoff: `attempts⁴ + 5` seconds after the n-th failed attempt. */
export function backendRetryDelaySeconds(attempts: number): number {
  return attempts ** 4 + 5;
}

/** Jobs due within this margin run now rather than hop once more. */
const EARLY_TOLERANCE_MS = 1_000;
/** Stop jobs this long before Lambda would be killed, so the batch can still report. */
const REPORT_MARGIN_MS = 10_000;
const MAX_ERROR_MESSAGE = 4_096;
const MAX_BACKTRACE = 16_384;

export type FailureReason = 'undecodable' | 'attempts_exhausted';

export interface JobWorkerOptions {
  readonly registry: JobRegistry;
  /** The logical queue this worker serves (metrics, dead-letter queue). */
  readonly queue: string;
  readonly endpoints: QueueEndpoints;
  readonly sqs: SQSClient;
  readonly metrics: MetricsEmitter;
  readonly ledger?: JobLedger;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Structured log line sink; default JSON on stdout. */
  readonly log?: (entry: Record<string, unknown>) => void;
}

interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

interface Decoded {
  readonly envelope: JobEnvelope;
  readonly jobClass: JobClass;
  readonly args: unknown[];
}

class Undecodable extends Error {}

function attribute(record: SQSRecord, name: string): string | undefined {
  return record.messageAttributes?.[name]?.stringValue ?? undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}… [${text.length - max + 20} more]`;
}

export function createJobWorker(options: JobWorkerOptions) {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const adapter = new SqsJobAdapter(options.sqs, options.endpoints, now);
  const deadLetterUrl = options.endpoints[options.queue]?.deadLetter;
  if (!deadLetterUrl) throw new Error(`worker for queue "${options.queue}": no dead-letter queue URL in its endpoints (XIKOLO_JOB_QUEUES)`);

  async function decode(record: SQSRecord): Promise<Decoded> {
    let envelope: JobEnvelope;
    try {
      envelope = decodeEnvelope(record.body);
    } catch (err) {
      throw new Undecodable((err as Error).message);
    }
    const jobClass = options.registry.find(envelope.job_class);
    if (!jobClass) {
      throw new Undecodable(`unknown job class "${envelope.job_class}": no job with that name is registered (functions/app/jobs); known: ${options.registry.names().join(', ')}`);
    }
    let args: unknown[];
    try {
      args = deserializeArguments(envelope.arguments);
    } catch (err) {
      throw new Undecodable(`${envelope.job_class}: ${(err as Error).message}`);
    }
    const schema = jobClass.definition.argumentsSchema;
    if (schema) {
      const result = await schema['~standard'].validate(args);
      if (result.issues && result.issues.length > 0) {
        const problems = result.issues.map((i) => `arguments${(i.path ?? []).map((p) => `[${JSON.stringify(typeof p === 'object' && p && 'key' in p ? (p as { key: unknown }).key : p)}]`).join('')}: ${i.message}`);
        throw new Undecodable(`${envelope.job_class}: arguments of the wrong shape: ${problems.join('; ')}`);
      }
    }
    return { envelope, jobClass, args };
  }

  function instantiate({ envelope, jobClass, args }: Decoded, messageId: string): AnyJob {
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

  async function sendToDeadLetter(record: SQSRecord, reason: FailureReason, error: unknown, attempts: number, jobClass: string): Promise<void> {
    const { errorClass, message, stack } = describeThrown(error);
    const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value || '-' });
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterUrl,
        // The body exactly as it arrived: it can be inspected and redriven unchanged.
        MessageBody: record.body,
        MessageAttributes: {
          [ATTRIBUTES.jobClass]: string(jobClass),
          [ATTRIBUTES.version]: string(WIRE_VERSION),
          [ATTRIBUTES.failureReason]: string(reason),
          [ATTRIBUTES.errorClass]: string(errorClass),
          [ATTRIBUTES.errorMessage]: string(truncate(message, MAX_ERROR_MESSAGE)),
          [ATTRIBUTES.errorBacktrace]: string(truncate(stack, MAX_BACKTRACE)),
          [ATTRIBUTES.attempts]: { DataType: 'Number', StringValue: String(attempts) },
          [ATTRIBUTES.failedAt]: string(new Date(now()).toISOString()),
          [ATTRIBUTES.sourceQueue]: string(options.queue),
        },
      }),
    );
  }

  /** Sends the same body on with a delay (a hop toward a far run time, or a backend retry). */
  async function resend(record: SQSRecord, decoded: Decoded, runAt: number, attempts: number): Promise<void> {
    const url = queueUrlFor(options.endpoints, decoded.envelope.queue_name || decoded.jobClass.definition.queue, decoded.envelope.priority ?? decoded.jobClass.definition.priority);
    await adapter.send([{ queueUrl: url, body: record.body, jobClass: decoded.envelope.job_class, jobId: decoded.envelope.job_id, runAt, attempts }]);
  }

  async function processRecord(record: SQSRecord, context: LambdaContextLike | undefined): Promise<void> {
    const redriven = attribute(record, ATTRIBUTES.failureReason) !== undefined;
    // A job redriven from the dead-letter queue starts its attempts afresh, like a retried dead job in Sidekiq.
    const previousAttempts = redriven ? 0 : Number(attribute(record, ATTRIBUTES.attempts) ?? 0) || 0;
    let decoded: Decoded;
    try {
      decoded = await decode(record);
    } catch (err) {
      if (!(err instanceof Undecodable)) throw err;
      log({ level: 'error', message: 'undecodable job message sent to the dead-letter queue', queue: options.queue, messageId: record.messageId, reason: err.message });
      await sendToDeadLetter(record, 'undecodable', err, previousAttempts, attribute(record, ATTRIBUTES.jobClass) ?? 'unknown');
      return;
    }
    const { envelope, jobClass } = decoded;
    const definition = jobClass.definition;

    const runAtAttribute = Number(attribute(record, ATTRIBUTES.runAt));
    const dueAt = Number.isFinite(runAtAttribute) && runAtAttribute > 0 ? runAtAttribute : envelope.scheduled_at ? parseTimestamp(envelope.scheduled_at) : 0;
    if (dueAt - now() > EARLY_TOLERANCE_MS) {
      await resend(record, decoded, dueAt, previousAttempts);
      return;
    }

    let leased = false;
    if (definition.deduplicate && options.ledger) {
      const lease = await options.ledger.begin(envelope.job_id, definition.maxRunTimeSeconds * 1000 + REPORT_MARGIN_MS);
      if (lease === 'completed') {
        log({ level: 'info', message: 'duplicate delivery of a completed job skipped', job: definition.name, jobId: envelope.job_id });
        return;
      }
      if (lease === 'in_progress') throw new Error(`job ${definition.name} ${envelope.job_id} is running elsewhere; SQS will deliver it again`);
      leased = true;
    }

    const job = instantiate(decoded, record.messageId);
    const attempt = previousAttempts + 1;
    const startedAt = now();
    const dueTime = dueAt || (envelope.enqueued_at ? parseTimestamp(envelope.enqueued_at) : startedAt);
    const enqueuedTime = envelope.enqueued_at ? parseTimestamp(envelope.enqueued_at) : startedAt;
    const remaining = context ? context.getRemainingTimeInMillis() - REPORT_MARGIN_MS : Number.POSITIVE_INFINITY;
    const timeoutMs = Math.max(1, Math.min(definition.maxRunTimeSeconds * 1000, remaining));

    let outcome: ExecutionOutcome;
    try {
      outcome = await executeJob(job, { timeoutMs, now, ...(options.random ? { random: options.random } : {}) });
    } catch (err) {
      if (leased) await options.ledger!.release(envelope.job_id);
      throw err;
    }

    const emit = (event: JobEventName, errored: boolean, failed: boolean, error?: Error) =>
      emitJobEvent(options.metrics, {
        event,
        jobName: definition.name,
        queue: options.queue,
        priority: job.priority,
        jobId: job.jobId,
        attempts: attempt,
        ageSeconds: Math.max(0, (startedAt - dueTime) / 1000),
        runTimeSeconds: outcome.runTimeMs / 1000,
        durationSeconds: Math.max(0, (now() - enqueuedTime) / 1000),
        errored,
        failed,
        ...(error ? { errorClass: thrownClassName(error) } : {}),
      });

    const succeeded = outcome.kind === 'completed' || outcome.kind === 'handled' || outcome.kind === 'discarded';
    emit('run', !succeeded || outcome.kind !== 'completed', false);
    try {
      switch (outcome.kind) {
        case 'completed':
        case 'handled':
          return;
        case 'discarded':
          emit('discard', true, false, outcome.error);
          log({ level: 'warn', message: 'job discarded', job: definition.name, jobId: job.jobId, error: thrownClassName(outcome.error), detail: outcome.error.message });
          return;
        case 'retry': {
          // ActiveJob's retry_job: a new backend job carrying the updated executions.
          const runAt = new Date(now() + outcome.waitSeconds * 1000);
          await adapter.send([outgoingFor(job, runAt, new Date(now()), options.endpoints)]);
          emit('error', true, false, outcome.error);
          return;
        }
        case 'failed': {
          if (attempt >= definition.maxAttempts) {
            emit('failure', true, true, outcome.error);
            log({ level: 'error', message: 'job failed for good and was sent to the dead-letter queue', job: definition.name, jobId: job.jobId, attempts: attempt, error: thrownClassName(outcome.error), detail: outcome.error.message });
            await sendToDeadLetter(record, 'attempts_exhausted', outcome.error, attempt, definition.name);
            return;
          }
          await resend(record, decoded, now() + backendRetryDelaySeconds(attempt) * 1000, attempt);
          emit('error', true, false, outcome.error);
          log({ level: 'warn', message: 'job failed, rescheduled', job: definition.name, jobId: job.jobId, attempts: attempt, retryInSeconds: backendRetryDelaySeconds(attempt), error: thrownClassName(outcome.error), detail: outcome.error.message });
          return;
        }
      }
    } finally {
      if (leased) {
        if (succeeded) await options.ledger!.complete(envelope.job_id);
        else await options.ledger!.release(envelope.job_id);
      }
    }
  }

  return async function handle(event: SQSEvent, context?: LambdaContextLike): Promise<SQSBatchResponse> {
    // Jobs of a batch run side by side: each is bounded by its max run time,
    // so the batch reports before the function's timeout.
    const results = await Promise.allSettled(event.Records.map((record) => processRecord(record, context)));
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        const record = event.Records[i]!;
        log({ level: 'error', message: 'could not settle job message; SQS will deliver it again', queue: options.queue, messageId: record.messageId, error: String((result.reason as Error)?.message ?? result.reason) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    });
    return { batchItemFailures };
  };
}

export { delaySecondsFor };
