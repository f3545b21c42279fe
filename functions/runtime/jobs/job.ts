/**
 * The job API, in the spirit of ActiveJob:
 *
 *   export class PublishGradeJob extends Job<[gradeId: string]> {
 *     static {
 *       this.configure({ name: 'Lti::PublishGradeJob', queue: 'default' });
 *       this.retryOn(ServiceError, { wait: 'polynomially_longer', attempts: 10 });
 *       this.discardOn(GradeGone);
 *     }
 *     async perform(gradeId: string) { … }
 *   }
 *
 *   await PublishGradeJob.performLater(id);
 *   await PublishGradeJob.set({ wait: 3600, priority: 'eventual' }).performLater(id);
 *   await PublishGradeJob.performNow(id);
 *
 * Declarations are inherited: a subclass starts from its parent's options
 * and rules and adds its own.
 */
import { randomUUID } from 'node:crypto';
import {
  JOB_DEFAULTS,
  buildDefinition,
  type DiscardRule,
  type ErrorClass,
  type JobDefinition,
  type JobOptions,
  type RescueRule,
  type RetryOnOptions,
  type RetryRule,
} from './definition';
import { JobDefinitionError, errorClassName } from './errors';
import { priorityNumber, type Priority } from './priority';
import { serializeArguments, formatTimestamp, type JobEnvelope } from './serialization';
import { enqueueAll } from './enqueue';
import { performNow } from './perform-now';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJob = Job<any[]>;
export type JobArguments<J> = J extends Job<infer A> ? A : never;

export interface JobClass<J extends AnyJob = AnyJob> {
  new (): J;
  readonly name: string;
  readonly definition: JobDefinition;
}

/** Options for one enqueue, as ActiveJob's `set`. */
export interface EnqueueOptions {
  /** Seconds from now. Any length: waits past SQS's 15-minute delay are carried in hops. */
  readonly wait?: number;
  /** Absolute time to run at. */
  readonly waitUntil?: Date;
  readonly queue?: string;
  readonly priority?: Priority;
}

export interface EnqueuedJob {
  readonly jobId: string;
  readonly jobClass: string;
  readonly queueName: string;
  /** SQS message id. */
  readonly providerJobId: string;
  readonly runAt: Date;
}

/** A job built and ready to enqueue: what `build`, `set().build` and `performAllLater` pass around. */
export interface PendingJob {
  readonly job: AnyJob;
  readonly runAt: Date;
}

interface MutableDefinition {
  name: string;
  queue: string;
  priority: number;
  maxAttempts: number;
  maxRunTimeSeconds: number;
  deduplicate: boolean;
  argumentsSchema?: JobDefinition['argumentsSchema'];
  rescueRules: RescueRule[];
}

const ownDefinitions = new WeakMap<object, MutableDefinition>();
/** Built definitions, per class; dropped when the class declares something new. */
const builtDefinitions = new WeakMap<object, JobDefinition>();
const namedClasses = new WeakSet<object>();

function definitionOf(cls: object): MutableDefinition {
  builtDefinitions.delete(cls);
  const own = ownDefinitions.get(cls);
  if (own) return own;
  const parent = Object.getPrototypeOf(cls) as object | null;
  const inherited = parent && parent !== Function.prototype && parent !== Job ? definitionOf(parent) : undefined;
  const fresh: MutableDefinition = inherited
    ? { ...inherited, rescueRules: [...inherited.rescueRules], name: (cls as { name: string }).name }
    : {
        name: (cls as { name: string }).name,
        queue: JOB_DEFAULTS.queue,
        priority: JOB_DEFAULTS.priority,
        maxAttempts: JOB_DEFAULTS.maxAttempts,
        maxRunTimeSeconds: JOB_DEFAULTS.maxRunTimeSeconds,
        deduplicate: false,
        rescueRules: [],
      };
  ownDefinitions.set(cls, fresh);
  return fresh;
}

/** ActiveJob's key for a rule's counter in `exception_executions`: Ruby's `[A, B]`. */
export function counterKey(errors: readonly ErrorClass[]): string {
  return `[${errors.map(errorClassName).join(', ')}]`;
}

function checkWholeNumber(jobName: string, key: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min || (key !== 'jitter' && !Number.isInteger(value))) {
    throw new JobDefinitionError(jobName, `${key} must be a whole number ≥ ${min}, got ${value}`);
  }
}

export abstract class Job<Args extends unknown[] = unknown[]> {
  // ——— declarations ———

  /** Declares queue, priority, attempts, run time, deduplication and the arguments schema. */
  static configure(this: object, options: JobOptions): void {
    const def = definitionOf(this);
    const name = options.name ?? def.name;
    if (options.name !== undefined) {
      if (!/^[A-Z][A-Za-z0-9_]*(::[A-Z][A-Za-z0-9_]*)*$/.test(options.name)) {
        throw new JobDefinitionError(options.name, 'name must be a Ruby constant path such as Lti::PublishGradeJob');
      }
      def.name = options.name;
      namedClasses.add(this);
    }
    if (options.queue !== undefined) {
      if (!/^[a-z][a-z0-9_]*$/.test(options.queue)) throw new JobDefinitionError(name, `queue "${options.queue}" must be a lower-case queue name`);
      def.queue = options.queue;
    }
    if (options.priority !== undefined) {
      try {
        def.priority = priorityNumber(options.priority);
      } catch (err) {
        throw new JobDefinitionError(name, (err as Error).message);
      }
    }
    if (options.maxAttempts !== undefined) {
      checkWholeNumber(name, 'maxAttempts', options.maxAttempts, 1);
      def.maxAttempts = options.maxAttempts;
    }
    if (options.maxRunTime !== undefined) {
      checkWholeNumber(name, 'maxRunTime', options.maxRunTime, 1);
      def.maxRunTimeSeconds = options.maxRunTime;
    }
    if (options.deduplicate !== undefined) def.deduplicate = options.deduplicate;
    if (options.arguments !== undefined) def.argumentsSchema = options.arguments;
  }

  /** ActiveJob's `retry_on`: retry these errors with a wait, up to `attempts` executions. */
  static retryOn(this: object, errors: ErrorClass | readonly ErrorClass[], options: RetryOnOptions = {}): void {
    const def = definitionOf(this);
    const list = Array.isArray(errors) ? [...errors] : [errors as ErrorClass];
    if (list.length === 0) throw new JobDefinitionError(def.name, 'retryOn needs at least one error class');
    const attempts = options.attempts ?? JOB_DEFAULTS.retryAttempts;
    checkWholeNumber(def.name, 'retryOn attempts', attempts, 1);
    const jitter = options.jitter ?? JOB_DEFAULTS.retryJitter;
    if (!(jitter >= 0 && jitter <= 1)) throw new JobDefinitionError(def.name, `retryOn jitter must be between 0 and 1, got ${jitter}`);
    const wait = options.wait ?? JOB_DEFAULTS.retryWait;
    if (typeof wait === 'number') checkWholeNumber(def.name, 'retryOn wait', wait, 0);
    const rule: RetryRule = {
      kind: 'retry',
      errors: list,
      counterKey: counterKey(list),
      wait,
      attempts,
      jitter,
      ...(options.queue !== undefined ? { queue: options.queue } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.onExhausted ? { onExhausted: options.onExhausted } : {}),
    };
    def.rescueRules.push(rule);
  }

  /** ActiveJob's `discard_on`: drop the job on these errors, after running the callback. */
  static discardOn(this: object, errors: ErrorClass | readonly ErrorClass[], onDiscard?: DiscardRule['onDiscard']): void {
    const def = definitionOf(this);
    const list = Array.isArray(errors) ? [...errors] : [errors as ErrorClass];
    if (list.length === 0) throw new JobDefinitionError(def.name, 'discardOn needs at least one error class');
    def.rescueRules.push({ kind: 'discard', errors: list, ...(onDiscard ? { onDiscard } : {}) });
  }

  /** The class's effective declaration (inherited options and rules included). */
  static get definition(): JobDefinition {
    let built = builtDefinitions.get(this);
    if (!built) {
      const def = definitionOf(this);
      built = Object.freeze(buildDefinition({ ...def, rescueRules: Object.freeze([...def.rescueRules]) }));
      builtDefinitions.set(this, built);
    }
    return built;
  }

  /** Whether the class declared its Ruby name (registries require it, so Rails can address the job). */
  static get hasDeclaredName(): boolean {
    return namedClasses.has(this);
  }

  // ——— enqueuing ———

  /** Builds a job instance with fresh ActiveJob fields, not yet enqueued. */
  static build<J extends AnyJob>(this: JobClass<J>, ...args: JobArguments<J>): J {
    const job = new this();
    job.arguments = args;
    return job;
  }

  /** Enqueue options for the next `performLater`, as ActiveJob's `set`. */
  static set<J extends AnyJob>(this: JobClass<J>, options: EnqueueOptions): ConfiguredJob<J> {
    return new ConfiguredJob(this, options);
  }

  static async performLater<J extends AnyJob>(this: JobClass<J>, ...args: JobArguments<J>): Promise<EnqueuedJob> {
    return new ConfiguredJob(this, {}).performLater(...args);
  }

  /** Runs the job here and now, with its retry and discard rules (a retry is enqueued). */
  static async performNow<J extends AnyJob>(this: JobClass<J>, ...args: JobArguments<J>): Promise<void> {
    const job = new this();
    job.arguments = args;
    await performNow(job);
  }

  // ——— instance: ActiveJob's serialized fields ———

  #jobId: string | undefined;
  /** ActiveJob's job id: a new UUID for a new job, the message's for a received one. */
  get jobId(): string {
    return (this.#jobId ??= randomUUID());
  }
  set jobId(value: string) {
    this.#jobId = value;
  }
  providerJobId: string | null = null;
  queueName: string;
  priority: number;
  arguments: Args = [] as unknown as Args;
  /** Runs started before this one (incremented as a run starts). */
  executions = 0;
  /** Per retry rule, executions that ended in one of its errors; keys as Rails writes them. */
  exceptionExecutions: Record<string, number> = {};
  locale = 'en';
  timezone = 'UTC';
  enqueuedAt: string | null = null;
  scheduledAt: string | null = null;

  /** Aborted when the run passes its max run time; long work should watch it. */
  signal: AbortSignal = new AbortController().signal;
  /** Deadline of the current run (epoch ms). */
  deadline = Number.POSITIVE_INFINITY;

  constructor() {
    const def = (this.constructor as JobClass).definition;
    this.queueName = def.queue;
    this.priority = def.priority;
  }

  get definition(): JobDefinition {
    return (this.constructor as JobClass).definition;
  }

  /** Milliseconds left before this run's max run time is reached. */
  remainingTimeMs(now = Date.now()): number {
    return Math.max(0, this.deadline - now);
  }

  abstract perform(...args: Args): void | Promise<void>;

  /** The ActiveJob envelope of this job's current state. */
  serialize(enqueuedAt = new Date(), scheduledAt?: Date): JobEnvelope {
    return {
      job_class: this.definition.name,
      job_id: this.jobId,
      provider_job_id: this.providerJobId,
      queue_name: this.queueName,
      priority: this.priority,
      arguments: serializeArguments(this.arguments),
      executions: this.executions,
      exception_executions: { ...this.exceptionExecutions },
      locale: this.locale,
      timezone: this.timezone,
      enqueued_at: formatTimestamp(enqueuedAt),
      ...(scheduledAt ? { scheduled_at: formatTimestamp(scheduledAt) } : {}),
    };
  }
}

/** A job class with enqueue options applied: `Job.set({...})`. */
export class ConfiguredJob<J extends AnyJob> {
  constructor(
    readonly jobClass: JobClass<J>,
    readonly options: EnqueueOptions,
  ) {}

  build(...args: JobArguments<J>): PendingJob {
    const job = new this.jobClass();
    job.arguments = args;
    if (this.options.queue !== undefined) job.queueName = this.options.queue;
    if (this.options.priority !== undefined) job.priority = priorityNumber(this.options.priority);
    return { job, runAt: runAtFor(this.options) };
  }

  async performLater(...args: JobArguments<J>): Promise<EnqueuedJob> {
    const [result] = await enqueueAll([this.build(...args)]);
    return result!;
  }
}

export function runAtFor(options: EnqueueOptions, now = Date.now()): Date {
  if (options.wait !== undefined && options.waitUntil !== undefined) {
    throw new RangeError('set({ wait, waitUntil }): give one of wait and waitUntil, not both');
  }
  if (options.wait !== undefined) {
    if (!(options.wait >= 0) || !Number.isFinite(options.wait)) throw new RangeError(`set({ wait: ${options.wait} }): wait must be a number of seconds ≥ 0`);
    return new Date(now + options.wait * 1000);
  }
  if (options.waitUntil !== undefined) {
    if (Number.isNaN(options.waitUntil.getTime())) throw new RangeError('set({ waitUntil }): not a valid Date');
    return options.waitUntil;
  }
  return new Date(now);
}

/** ActiveJob's `perform_all_later`: enqueue many jobs with batched sends (≤ 10 per SQS request). */
export async function performAllLater(jobs: readonly (PendingJob | AnyJob)[]): Promise<EnqueuedJob[]> {
  return enqueueAll(jobs.map((j) => (j instanceof Job ? { job: j, runAt: new Date() } : j)));
}
