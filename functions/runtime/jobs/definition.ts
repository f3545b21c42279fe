/**
 * What a job class declares: queue, priority, attempts, run time, retry and
 * discard rules. The runtime enforces it, the CDK app reads it to build
 * queues and check limits: one declaration, two readers.
 */
import type { Job } from './job';
import { DEFAULT_PRIORITY, priorityBand, type PriorityBand } from './priority';

/** Seconds to wait before a retry: fixed, a function of the execution count, or ActiveJob's polynomial backoff. */
export type RetryWait = number | ((executions: number) => number) | 'polynomially_longer';

export type ErrorClass = abstract new (...args: never[]) => Error;

export interface RetryOnOptions {
  /** Seconds, a function of the rule's execution count, or `'polynomially_longer'` (executions⁴ + 2 s). Default 3. */
  readonly wait?: RetryWait;
  /** Executions (the first run included) before the rule gives up. Default 5. */
  readonly attempts?: number;
  /** Random extra wait as a share of the wait (0–1). Default 0.15; not applied to function waits. */
  readonly jitter?: number;
  /** Retry on another queue. */
  readonly queue?: string;
  /** Retry with another priority. */
  readonly priority?: number;
  /**
   * Runs when attempts are used up. Without it the error goes on to the
   * backend's own retries (attempts⁴ + 5 s) and, in the end, the dead-letter queue.
   */
  readonly onExhausted?: (job: Job<never>, error: Error) => void | Promise<void>;
}

export interface RetryRule {
  readonly kind: 'retry';
  readonly errors: readonly ErrorClass[];
  /** ActiveJob's key in `exception_executions`: Ruby's Array#to_s of the classes, e.g. `[Proctoring::ServiceError]`. */
  readonly counterKey: string;
  readonly wait: RetryWait;
  readonly attempts: number;
  readonly jitter: number;
  readonly queue?: string;
  readonly priority?: number;
  readonly onExhausted?: RetryOnOptions['onExhausted'];
}

export interface DiscardRule {
  readonly kind: 'discard';
  readonly errors: readonly ErrorClass[];
  readonly onDiscard?: (job: Job<never>, error: Error) => void | Promise<void>;
}

export type RescueRule = RetryRule | DiscardRule;

/** A Standard Schema (zod, valibot, arktype …) checking the deserialized arguments. */
export interface ArgumentsSchema {
  readonly '~standard': {
    readonly validate: (value: unknown) =>
      | { readonly value?: unknown; readonly issues?: readonly { readonly message: string; readonly path?: readonly unknown[] }[] }
      | Promise<{ readonly value?: unknown; readonly issues?: readonly { readonly message: string; readonly path?: readonly unknown[] }[] }>;
  };
}

export interface JobOptions {
  /** Class name as Rails writes it in `job_class`, e.g. `Lti::PublishGradeJob`. Default: the JS class name. */
  readonly name?: string;
  readonly queue?: string;
  /** Named band or number (lower runs first). Default 10 (user_visible). */
  readonly priority?: PriorityBand | number;
  /** Backend attempts before the job is given up. Default 25. */
  readonly maxAttempts?: number;
  /** Seconds one run may take before it is stopped and counted as failed. Default 1200 (20 min). */
  readonly maxRunTime?: number;
  /**
   * Skip a second delivery of a job that already completed (same job_id),
   * using the environment's job ledger. Default false: see docs/jobs.md.
   */
  readonly deduplicate?: boolean;
  /** Checks the arguments before perform; a mismatch dead-letters the message at once. */
  readonly arguments?: ArgumentsSchema;
}

export interface JobDefinition {
  readonly name: string;
  readonly queue: string;
  readonly priority: number;
  readonly priorityBand: PriorityBand;
  readonly maxAttempts: number;
  readonly maxRunTimeSeconds: number;
  readonly deduplicate: boolean;
  readonly argumentsSchema?: ArgumentsSchema;
  /** In declaration order, parent class rules first. Matching searches from the end (the last declared wins), as ActiveJob's rescue_from does. */
  readonly rescueRules: readonly RescueRule[];
}

/** Lambda's hard limit on one invocation, and the longest run a job on a Lambda-run queue may declare (less the worker's time to report). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
export const WORKER_MARGIN_SECONDS = 30;
export const LAMBDA_JOB_RUN_TIME_LIMIT = LAMBDA_MAX_TIMEOUT_SECONDS - WORKER_MARGIN_SECONDS;

export const JOB_DEFAULTS = {
  queue: 'default',
  priority: DEFAULT_PRIORITY,
  maxAttempts: 25,
  maxRunTimeSeconds: 20 * 60,
  retryWait: 3,
  retryAttempts: 5,
  retryJitter: 0.15,
} as const;

export function buildDefinition(partial: Omit<JobDefinition, 'priorityBand'>): JobDefinition {
  return { ...partial, priorityBand: priorityBand(partial.priority) };
}
