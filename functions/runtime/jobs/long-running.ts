/**
 * The long-running runner: jobs of a `step-functions` queue run as a Step
 * Functions standard workflow that drives the job in Lambda-sized slices.
 *
 *   SQS ──starter──▶ StartExecution(name from job id) ──▶ Slice ⟲ … ──▶ done
 *                                                           │
 *                       rescheduled (retry, backoff) ◀──────┤──────▶ dead-letter queue
 *
 * Each slice resumes from the job's checkpoint (saved after every item), runs
 * for at most its share of the function timeout, and reports. Job errors are
 * handled as on every queue (retryOn, discardOn, then Delayed's backoff up to
 * max attempts): a retry ends the execution and sends the job back to SQS, so
 * waits never count against the run's time bound, and the next run resumes
 * from the checkpoint. A crashed slice is retried by the state machine's
 * Retry, also from the checkpoint.
 */
import type { SFNClient} from '@aws-sdk/client-sfn';
import { StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobRegistry } from './registry';
import type { CheckpointStore } from './ledger';
import type { MetricsEmitter } from '../metrics/emf';
import type { QueueEndpoints } from './endpoints';
import type { AnyJob } from './job';
import { JobTimeoutError, thrownClassName } from './errors';
import { asError, rescue, type ExecutionOutcome } from './execution';
import { isIterableJob, type Cursor } from './iterable';
import { emitJobEvent, type JobEventName } from './metrics';
import { DUE_TOLERANCE_MS, JobSettler, Undecodable, backendRetryDelaySeconds, decodeJobMessage, instantiateJob, settleBatch, type AdmissionCheck, type DecodedJob, type LambdaContextLike } from './settlement';
import { parseTimestamp } from './serialization';

/** Step Functions carries at most 256 KiB between states; keep room for the cursor and a crash report. */
const MAX_STATE_BYTES = 256 * 1024 - 32 * 1024;
/** A cursor travels in every slice's output and metric line: keep it an id or an offset. */
export const MAX_CURSOR_BYTES = 8 * 1024;
/** Time a slice keeps, past its budget, to save and report. */
const SLICE_MARGIN_MS = 10_000;

/** The state a long-running execution carries from slice to slice. */
export interface SliceState {
  /** The job message body, exactly as it arrived. */
  readonly body: string;
  readonly messageId: string;
  /** Backend attempts that failed before this run. */
  readonly attempts: number;
  readonly executionName: string;
  /** Epoch ms at which this run's first slice started (0 until then). */
  readonly startedAt: number;
  readonly cursor: Cursor | null;
  readonly itemsDone: number;
  readonly slices: number;
  /** What the state machine does next. */
  readonly status: 'start' | 'continue' | 'done' | 'rescheduled' | 'dead';
  /** Set by the state machine's Catch when a slice crashed for good. */
  readonly crash?: { readonly Error?: string; readonly Cause?: string };
}

/** Step Functions' "Execution Status Change" event, for runs that timed out or were aborted. */
export interface ExecutionStatusEvent {
  readonly source: 'aws.states';
  readonly 'detail-type': string;
  readonly detail: { readonly status: string; readonly name: string; readonly input: string | null; readonly executionArn: string };
}

export interface LongRunningOptions {
  readonly registry: JobRegistry;
  readonly queue: string;
  readonly endpoints: QueueEndpoints;
  readonly sqs: SQSClient;
  readonly sfn?: SFNClient;
  /** Job class name → state machine ARN (starter only). */
  readonly stateMachines?: Readonly<Record<string, string>>;
  readonly checkpoints: CheckpointStore;
  readonly metrics: MetricsEmitter;
  /** How long one slice may run before it checkpoints and hands over. */
  readonly sliceBudgetMs: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly log?: (entry: Record<string, unknown>) => void;
}


/**
 * A Step Functions execution name (≤ 80 of [A-Za-z0-9-_]) for one SQS message
 * of a job: the job id, its executions and attempts (for people), and the
 * message id, which SQS keeps on redelivery (a duplicate finds the name taken)
 * and which every resend, retry or redrive changes (a new run gets a new name).
 */
export function executionNameFor(jobId: string, executions: number, attempts: number, messageId: string): string {
  const suffix = `-e${executions}-a${attempts}-${createHash('sha256').update(messageId).digest('hex').slice(0, 10)}`;
  let id = jobId.replace(/[^A-Za-z0-9_-]/g, '_');
  if (id.length + suffix.length > 80) id = `${id.slice(0, 40)}_${createHash('sha256').update(jobId).digest('hex').slice(0, 80 - 41 - suffix.length)}`;
  return `${id}${suffix}`;
}


export function createLongRunningRunner(options: LongRunningOptions) {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const settler = new JobSettler(options.sqs, options.endpoints, options.queue, now);

  /** What the starter refuses besides undecodable messages: jobs of other queues, jobs too large for a workflow's state. */
  const startable: AdmissionCheck = (decoded, record) => {
    const name = decoded.envelope.job_class;
    if (decoded.jobClass.definition.queue !== options.queue) {
      return {
        reason: 'not_long_running',
        problem: `${name} is declared on queue "${decoded.jobClass.definition.queue}", not the long-running queue "${options.queue}": enqueue it with performLater (which picks its queue) or declare it on ${options.queue}`,
      };
    }
    const stateBytes = Buffer.byteLength(JSON.stringify({ body: record.body, messageId: record.messageId }));
    if (stateBytes > MAX_STATE_BYTES) {
      return { reason: 'undecodable', problem: `${name}: the job takes ${stateBytes} bytes as workflow state, more than a Step Functions execution can carry (${MAX_STATE_BYTES}); pass a reference (an id) instead of the data` };
    }
    return undefined;
  };

  /** SQS → StartExecution, one per job run; a duplicate delivery finds the execution already there. */
  async function startRecord(record: SQSRecord): Promise<void> {
    const admitted = await settler.admit(record, options.registry, log, startable);
    if (!admitted) return;
    const { decoded, attempts } = admitted;
    const jobName = decoded.jobClass.definition.name;
    const stateMachineArn = options.stateMachines?.[jobName];
    if (!stateMachineArn || !options.sfn) throw new Error(`no state machine for long-running job ${jobName} (XIKOLO_STATE_MACHINES): redeploy so every long-running job has its workflow`);
    const executionName = executionNameFor(decoded.envelope.job_id, decoded.envelope.executions, attempts, record.messageId);
    const state: SliceState = { body: record.body, messageId: record.messageId, attempts, executionName, startedAt: 0, cursor: null, itemsDone: 0, slices: 0, status: 'start' };
    try {
      await options.sfn.send(new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(state) }));
    } catch (err) {
      // Same name within 90 days: this run was started already; the duplicate is done.
      if (err instanceof ExecutionAlreadyExists) {
        log({ level: 'info', message: 'duplicate delivery of a long-running job: execution exists', job: jobName, executionName });
        return;
      }
      throw err;
    }
  }

  async function start(event: SQSEvent): Promise<SQSBatchResponse> {
    return settleBatch(event.Records, startRecord, log, { queue: options.queue, step: 'start' });
  }

  function emit(job: AnyJob, state: SliceState, event: JobEventName, runTimeMs: number, errored: boolean, failed: boolean, error?: Error): void {
    const enqueued = job.enqueuedAt ? parseTimestamp(job.enqueuedAt) : state.startedAt;
    const due = job.scheduledAt ? parseTimestamp(job.scheduledAt) : enqueued;
    emitJobEvent(options.metrics, {
      event,
      jobName: job.definition.name,
      queue: options.queue,
      priority: job.priority,
      jobId: job.jobId,
      attempts: state.attempts + 1,
      ageSeconds: Math.max(0, (state.startedAt - due) / 1000),
      runTimeSeconds: runTimeMs / 1000,
      durationSeconds: Math.max(0, (now() - enqueued) / 1000),
      errored,
      failed,
      ...(error ? { errorClass: thrownClassName(error) } : {}),
    });
  }

  function emitProgress(job: AnyJob, itemsInSlice: number, cursor: Cursor | null): void {
    options.metrics.emit({
      dimensions: { Queue: options.queue, JobName: job.definition.name },
      dimensionSets: [['JobName']],
      metrics: { ItemsDone: itemsInSlice, Slices: 1 },
      properties: { id: job.jobId, cursor: JSON.stringify(cursor) },
    });
  }

  /** One slice: resume from the checkpoint, run items until the budget is used, report. */
  async function slice(state: SliceState, context?: LambdaContextLike): Promise<SliceState> {
    const startedAt = state.startedAt || now();
    let decoded: DecodedJob;
    try {
      decoded = await decodeJobMessage(state.body, options.registry);
    } catch (err) {
      if (!(err instanceof Undecodable)) throw err;
      await settler.deadLetter({ body: state.body, reason: 'undecodable', error: err, attempts: state.attempts, jobClass: 'unknown' });
      return { ...state, startedAt, status: 'dead' };
    }
    const job = instantiateJob(decoded, state.messageId);
    const definition = job.definition;
    // One run, however many slices: ActiveJob's executions count runs.
    job.executions = decoded.envelope.executions + 1;
    const checkpoint = await options.checkpoints.load(job.jobId);
    const cursor = (checkpoint?.cursor ?? state.cursor ?? null) as Cursor | null;
    const itemsBefore = checkpoint?.itemsDone ?? state.itemsDone;
    // End the run a little before the execution's own timeout, so this path (which keeps the error) wins the race.
    const runDeadline = startedAt + definition.maxRunTimeSeconds * 1000 - Math.min(30_000, definition.maxRunTimeSeconds * 50);
    const lambdaLeft = context ? context.getRemainingTimeInMillis() - SLICE_MARGIN_MS : Number.POSITIVE_INFINITY;
    const sliceDeadline = Math.min(now() + options.sliceBudgetMs, now() + lambdaLeft, runDeadline);
    const base = { ...state, startedAt, slices: state.slices + 1 };
    const sliceStart = now();

    let outcome: ExecutionOutcome | { kind: 'continue' };
    let cursorAfter = cursor;
    let itemsAfter = itemsBefore;
    // Aborted when the slice's hard stop passes: the job's signal fires, and an item still running in the
    // background may no longer move the checkpoint (a later slice owns it then).
    const stopped = new AbortController();
    job.signal = stopped.signal;
    if (now() >= runDeadline) {
      outcome = { kind: 'failed', runTimeMs: now() - startedAt, error: new JobTimeoutError(definition.name, definition.maxRunTimeSeconds) };
    } else {
      try {
        if (isIterableJob(job)) {
          job.cursor = cursor;
          job.itemsDone = itemsBefore;
          job.deadline = runDeadline;
          // An item may not outlive the Lambda invocation: bound it by the time the invocation has left.
          const hardStop = Math.min(now() + lambdaLeft, runDeadline);
          const result = await withDeadline(
            job.iterate(job.arguments, {
              sliceDeadline,
              now,
              save: async (c, n) => {
                if (stopped.signal.aborted) throw stopped.signal.reason as Error;
                const bytes = Buffer.byteLength(JSON.stringify(c ?? null));
                if (bytes > MAX_CURSOR_BYTES) {
                  throw new RangeError(`${definition.name}: a cursor of ${bytes} bytes is too large (at most ${MAX_CURSOR_BYTES}): make the cursor an id or an offset, not data`);
                }
                cursorAfter = c;
                itemsAfter = n;
                await options.checkpoints.save(job.jobId, { cursor: c, itemsDone: n });
              },
            }),
            hardStop - now(),
            () => new JobTimeoutError(definition.name, Math.round((hardStop - sliceStart) / 1000)),
            stopped,
          );
          outcome = result === 'completed' ? { kind: 'completed', runTimeMs: now() - startedAt } : { kind: 'continue' };
        } else {
          // A job that cannot be cut into slices runs whole in one slice (synth checks it fits).
          const stop = Math.min(now() + lambdaLeft, runDeadline);
          job.deadline = stop;
          await withDeadline(Promise.resolve().then(() => job.perform(...job.arguments)), stop - now(), () => new JobTimeoutError(definition.name, Math.round((stop - sliceStart) / 1000)), stopped);
          outcome = { kind: 'completed', runTimeMs: now() - startedAt };
        }
      } catch (thrown) {
        outcome = await rescue(job, asError(thrown), now() - startedAt, options.random);
      }
    }
    const progressed = { ...base, cursor: cursorAfter, itemsDone: itemsAfter };
    emitProgress(job, itemsAfter - itemsBefore, cursorAfter);

    switch (outcome.kind) {
      case 'continue':
        return { ...progressed, status: 'continue' };
      case 'completed':
      case 'handled':
        await options.checkpoints.clear(job.jobId);
        emit(job, progressed, 'run', outcome.runTimeMs, outcome.kind !== 'completed', false);
        return { ...progressed, status: 'done' };
      case 'discarded':
        await options.checkpoints.clear(job.jobId);
        emit(job, progressed, 'run', outcome.runTimeMs, true, false);
        emit(job, progressed, 'discard', outcome.runTimeMs, true, false, outcome.error);
        return { ...progressed, status: 'done' };
      case 'retry':
        await settler.retry(job, outcome.waitSeconds);
        emit(job, progressed, 'run', outcome.runTimeMs, true, false);
        emit(job, progressed, 'error', outcome.runTimeMs, true, false, outcome.error);
        return { ...progressed, status: 'rescheduled' };
      case 'failed': {
        const attempt = state.attempts + 1;
        emit(job, progressed, 'run', outcome.runTimeMs, true, false);
        // The run's time bound is final; an item that overran its invocation is an ordinary failed attempt.
        const runTimedOut = outcome.error instanceof JobTimeoutError && now() >= runDeadline - DUE_TOLERANCE_MS;
        if (attempt >= definition.maxAttempts || runTimedOut) {
          emit(job, progressed, 'failure', outcome.runTimeMs, true, true, outcome.error);
          const reason = runTimedOut ? 'timed_out' : 'attempts_exhausted';
          log({ level: 'error', message: 'long-running job failed for good and was sent to the dead-letter queue', job: definition.name, jobId: job.jobId, attempts: attempt, reason, cursor: cursorAfter, itemsDone: itemsAfter });
          await settler.deadLetter({ body: state.body, reason, error: outcome.error, attempts: attempt, jobClass: definition.name, extra: { xikolo_cursor: JSON.stringify({ cursor: cursorAfter, itemsDone: itemsAfter }) } });
          await options.checkpoints.save(job.jobId, { cursor: cursorAfter, itemsDone: itemsAfter, deadLetteredBy: state.executionName });
          return { ...progressed, status: 'dead' };
        }
        emit(job, progressed, 'error', outcome.runTimeMs, true, false, outcome.error);
        await settler.resend(state.body, decoded, now() + backendRetryDelaySeconds(attempt) * 1000, attempt);
        return { ...progressed, status: 'rescheduled' };
      }
    }
  }

  /** The Catch path: a slice crashed more times than the job's attempts allow. */
  async function deadLetterCrashed(state: SliceState): Promise<SliceState> {
    const error = Object.assign(new Error(`slice crashed: ${state.crash?.Error ?? 'unknown error'}: ${state.crash?.Cause ?? ''}`.trim()), { name: state.crash?.Error ?? 'SliceCrashed' });
    const checkpoint = await peekCheckpoint(state.body);
    const last = { cursor: checkpoint?.cursor ?? state.cursor, itemsDone: checkpoint?.itemsDone ?? state.itemsDone };
    await settler.deadLetter({ body: state.body, reason: 'crashed', error, attempts: state.attempts + 1, jobClass: jobClassOf(state.body), extra: { xikolo_cursor: JSON.stringify(last) } });
    await markDeadLettered(state.body, last, state.executionName);
    return { ...state, status: 'dead' };
  }

  /** Step Functions reported a run that timed out, was aborted or failed outside the job: dead-letter it with its last checkpoint. */
  async function executionEnded(event: ExecutionStatusEvent): Promise<void> {
    const input = event.detail.input ? (JSON.parse(event.detail.input) as SliceState) : undefined;
    if (!input?.body) {
      log({ level: 'error', message: 'execution status event without the job in its input', execution: event.detail.executionArn });
      return;
    }
    const checkpoint = await peekCheckpoint(input.body);
    if (checkpoint?.deadLetteredBy === event.detail.name) {
      log({ level: 'info', message: 'run already dead-lettered by its own slice', execution: event.detail.executionArn });
      return;
    }
    const reason = event.detail.status === 'TIMED_OUT' ? 'timed_out' : 'crashed';
    if (event.detail.status === 'SUCCEEDED') return;
    const error = Object.assign(new Error(`execution ${event.detail.name} ${event.detail.status.toLowerCase().replace('_', ' ')}`), { name: `Execution${event.detail.status}` });
    const last = { cursor: checkpoint?.cursor ?? input.cursor, itemsDone: checkpoint?.itemsDone ?? input.itemsDone };
    await settler.deadLetter({ body: input.body, reason, error, attempts: input.attempts + 1, jobClass: jobClassOf(input.body), extra: { xikolo_cursor: JSON.stringify(last) } });
    await markDeadLettered(input.body, last, event.detail.name);
  }

  async function markDeadLettered(body: string, last: { cursor: unknown; itemsDone: number }, executionName: string): Promise<void> {
    const jobId = jobIdOf(body);
    if (jobId) await options.checkpoints.save(jobId, { ...last, deadLetteredBy: executionName });
  }

  function jobIdOf(body: string): string | undefined {
    try {
      const jobId = (JSON.parse(body) as { job_id?: unknown }).job_id;
      return typeof jobId === 'string' ? jobId : undefined;
    } catch {
      return undefined;
    }
  }

  function jobClassOf(body: string): string {
    try {
      return String((JSON.parse(body) as { job_class?: unknown }).job_class ?? 'unknown');
    } catch {
      return 'unknown';
    }
  }

  async function peekCheckpoint(body: string) {
    const jobId = jobIdOf(body);
    return jobId ? options.checkpoints.load(jobId) : undefined;
  }

  return { start, slice, deadLetterCrashed, executionEnded };
}

async function withDeadline<T>(work: Promise<T>, ms: number, error: () => Error, controller: AbortController): Promise<T> {
  if (!Number.isFinite(ms)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = error();
      controller.abort(reason);
      reject(reason);
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type SliceFunctionInput = SliceState | (SliceState & { readonly mode: 'dead-letter' }) | ExecutionStatusEvent;

/** The slice function's three entry points behind one Lambda handler. */
export function sliceHandler(runner: ReturnType<typeof createLongRunningRunner>) {
  return async function handle(input: SliceFunctionInput, context?: LambdaContextLike): Promise<SliceState | void> {
    if ('source' in input && input.source === 'aws.states') return runner.executionEnded(input);
    if ('mode' in input && input.mode === 'dead-letter') return runner.deadLetterCrashed(input);
    return runner.slice(input as SliceState, context);
  };
}
