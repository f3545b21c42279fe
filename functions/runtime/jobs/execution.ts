/**
 * One run of a job, with ActiveJob's exception handling: the last declared
 * matching rule wins (as `rescue_from`); `retryOn` counts its executions per
 * rule in `exception_executions` and asks for a retry until its attempts are
 * used up; `discardOn` drops the job after its callback. What no rule handles
 * is a failed attempt for the backend (see worker.ts).
 */
import type { AnyJob } from './job';
import type { RescueRule, RetryRule, RetryWait } from './definition';
import { JobTimeoutError } from './errors';

export type ExecutionOutcome =
  | { readonly kind: 'completed'; readonly runTimeMs: number }
  /** A retry rule gave up and its `onExhausted` callback handled the error. */
  | { readonly kind: 'handled'; readonly runTimeMs: number; readonly error: Error }
  | { readonly kind: 'discarded'; readonly runTimeMs: number; readonly error: Error }
  | {
      readonly kind: 'retry';
      readonly runTimeMs: number;
      readonly error: Error;
      readonly rule: RetryRule;
      readonly waitSeconds: number;
    }
  /** No rule handled the error (or a callback threw): a failed attempt for the backend. */
  | { readonly kind: 'failed'; readonly runTimeMs: number; readonly error: Error };

export interface ExecuteOptions {
  /** Stop the run after this many ms; default the job's max run time. */
  readonly timeoutMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(`non-error thrown: ${String(thrown)}`);
}

export function findRule(rules: readonly RescueRule[], error: Error): RescueRule | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (rule.errors.some((cls) => error instanceof cls)) return rule;
  }
  return undefined;
}

/** ActiveJob's delay: fixed (plus jitter), executions⁴ + 2 (plus jitter), or the function's value. */
export function retryDelaySeconds(wait: RetryWait, executions: number, jitter: number, random: () => number = Math.random): number {
  if (typeof wait === 'function') return Math.max(0, wait(executions));
  const base = wait === 'polynomially_longer' ? executions ** 4 : wait;
  const extra = jitter > 0 ? random() * base * jitter : 0;
  return base + extra + (wait === 'polynomially_longer' ? 2 : 0);
}

/** Runs `perform` once, bounded by the max run time; the job's `signal` aborts at the deadline. */
async function runBounded(job: AnyJob, timeoutMs: number, now: () => number): Promise<void> {
  const controller = new AbortController();
  job.signal = controller.signal;
  job.deadline = now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(job.definition.name, Math.round(timeoutMs / 1000));
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => job.perform(...job.arguments)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function executeJob(job: AnyJob, options: ExecuteOptions = {}): Promise<ExecutionOutcome> {
  const now = options.now ?? Date.now;
  const definition = job.definition;
  job.executions += 1;
  const started = now();
  try {
    await runBounded(job, options.timeoutMs ?? definition.maxRunTimeSeconds * 1000, now);
    return { kind: 'completed', runTimeMs: now() - started };
  } catch (thrown) {
    return rescue(job, asError(thrown), now() - started, options.random);
  }
}

/**
 * ActiveJob's rescue for an error a run raised: applies the job's matching
 * rule (retry counter, discard callback, onExhausted) and says what the
 * backend should do. Shared by the Lambda worker and the long-running slices.
 */
export async function rescue(job: AnyJob, error: Error, runTimeMs: number, random: () => number = Math.random): Promise<ExecutionOutcome> {
  const rule = findRule(job.definition.rescueRules, error);
  if (!rule) return { kind: 'failed', runTimeMs, error };
  try {
    if (rule.kind === 'discard') {
      await rule.onDiscard?.(job as never, error);
      return { kind: 'discarded', runTimeMs, error };
    }
    const count = (job.exceptionExecutions[rule.counterKey] ?? 0) + 1;
    job.exceptionExecutions[rule.counterKey] = count;
    if (count < rule.attempts) {
      const waitSeconds = retryDelaySeconds(rule.wait, count, rule.jitter, random);
      if (rule.queue !== undefined) job.queueName = rule.queue;
      if (rule.priority !== undefined) job.priority = rule.priority;
      return { kind: 'retry', runTimeMs, error, rule, waitSeconds };
    }
    if (rule.onExhausted) {
      await rule.onExhausted(job as never, error);
      return { kind: 'handled', runTimeMs, error };
    }
    return { kind: 'failed', runTimeMs, error };
  } catch (callbackError) {
    return { kind: 'failed', runTimeMs, error: asError(callbackError) };
  }
}
