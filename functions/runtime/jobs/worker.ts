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
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { JobRegistry } from './registry';
import type { JobLedger } from './ledger';
import type { MetricsEmitter } from '../metrics/emf';
import { executeJob, type ExecutionOutcome } from './execution';
import type { QueueEndpoints } from './endpoints';
import { JobEventBuffer, type JobEventName } from './metrics';
import { thrownClassName } from './errors';
import { parseTimestamp } from './serialization';
import { JobSettler, backendRetryDelaySeconds, instantiateJob, settleBatch, sqsQueueName, type LambdaContextLike } from './settlement';

export { backendRetryDelaySeconds };

/** Stop jobs this long before Lambda would be killed, so the batch can still report. */
const REPORT_MARGIN_MS = 10_000;

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

export function createJobWorker(options: JobWorkerOptions) {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const settler = new JobSettler(options.sqs, options.endpoints, options.queue, now);

  /**
   * Records a deduplicated job's end. The work is done or failed either way:
   * a ledger that cannot be written is retried, then logged, never turned
   * into a redelivery that would run a completed job again.
   */
  async function settleLease(jobId: string, succeeded: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (succeeded) await options.ledger!.complete(jobId);
        else await options.ledger!.release(jobId);
        return;
      } catch (err) {
        if (attempt < 3) continue;
        log({ level: 'error', message: `could not record the job as ${succeeded ? 'completed' : 'released'} in the job ledger`, jobId, error: (err as Error).message });
        return;
      }
    }
  }

  async function processRecord(record: SQSRecord, context: LambdaContextLike | undefined, events: JobEventBuffer): Promise<void> {
    const admitted = await settler.admit(record, options.registry, log);
    if (!admitted) return;
    const { decoded, attempts: previousAttempts, dueAt } = admitted;
    const { envelope, jobClass } = decoded;
    const definition = jobClass.definition;
    // Producers that know one URL per queue (Rails' adapter) send every priority to the primary band:
    // move such a job to its own band's queue, so priorities hold for them too.
    if (record.eventSourceARN && sqsQueueName(settler.homeQueueUrl(decoded)) !== sqsQueueName(record.eventSourceARN)) {
      await settler.resend(record.body, decoded, 0, previousAttempts);
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

    const job = instantiateJob(decoded, record.messageId);
    const attempt = previousAttempts + 1;
    const startedAt = now();
    const enqueuedTime = envelope.enqueued_at ? parseTimestamp(envelope.enqueued_at) : startedAt;
    const dueTime = dueAt || enqueuedTime;
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
      events.add({
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
          await settler.retry(job, outcome.waitSeconds);
          emit('error', true, false, outcome.error);
          return;
        }
        case 'failed': {
          if (attempt >= definition.maxAttempts) {
            emit('failure', true, true, outcome.error);
            log({ level: 'error', message: 'job failed for good and was sent to the dead-letter queue', job: definition.name, jobId: job.jobId, attempts: attempt, error: thrownClassName(outcome.error), detail: outcome.error.message });
            await settler.deadLetter({ body: record.body, reason: 'attempts_exhausted', error: outcome.error, attempts: attempt, jobClass: definition.name });
            return;
          }
          await settler.resend(record.body, decoded, now() + backendRetryDelaySeconds(attempt) * 1000, attempt);
          emit('error', true, false, outcome.error);
          log({ level: 'warn', message: 'job failed, rescheduled', job: definition.name, jobId: job.jobId, attempts: attempt, retryInSeconds: backendRetryDelaySeconds(attempt), error: thrownClassName(outcome.error), detail: outcome.error.message });
          return;
        }
      }
    } finally {
      if (leased) await settleLease(envelope.job_id, succeeded);
    }
  }

  return async function handle(event: SQSEvent, context?: LambdaContextLike): Promise<SQSBatchResponse> {
    // Jobs of a batch run side by side: each is bounded by its max run time,
    // so the batch reports before the function's timeout.
    const events = new JobEventBuffer();
    const response = await settleBatch(event.Records, (record) => processRecord(record, context, events), log, { queue: options.queue });
    events.flush(options.metrics);
    return response;
  };
}

