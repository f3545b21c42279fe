/**
 * What the job queues look like in one environment, derived from the queue
 * declarations, the job registry and the environment's settings: which
 * priority bands get an SQS queue, how concurrency is shared, how long
 * workers may run. Limits that cannot hold are configuration errors here, at
 * synth, naming the job and the fix.
 */
import { queues } from '../../functions/app/queues';
import { jobs as appJobs } from '../../functions/app/jobs';
import type { JobRegistry } from '../../functions/runtime/jobs/registry';
import type { QueueDeclaration } from '../../functions/runtime/jobs/queue-declaration';
import { PRIORITY_BANDS, priorityBand, DEFAULT_PRIORITY, type PriorityBand } from '../../functions/runtime/jobs/priority';
import { defaultQueueSettings, type EnvironmentConfig, type QueueSettings } from '../config/environment';
import { IterableJob } from '../../functions/runtime/jobs/iterable';
import type { JobClass } from '../../functions/runtime/jobs/job';

export { LAMBDA_MAX_TIMEOUT_SECONDS, WORKER_MARGIN_SECONDS, LAMBDA_JOB_RUN_TIME_LIMIT } from '../../functions/runtime/jobs/definition';
import { LAMBDA_MAX_TIMEOUT_SECONDS, WORKER_MARGIN_SECONDS, LAMBDA_JOB_RUN_TIME_LIMIT } from '../../functions/runtime/jobs/definition';

/** Receives a message may take without the worker reporting back (crashes, Lambda timeouts) before SQS dead-letters it. */
export const CRASH_REDRIVE_RECEIVES = 5;

/** Default share of a queue's concurrency per band: urgent bands get more. */
export const DEFAULT_BAND_WEIGHTS: Readonly<Record<PriorityBand, number>> = {
  interactive: 4,
  user_visible: 3,
  eventual: 2,
  reporting: 1,
};

/** Seconds a slice of a long-running job works before it checkpoints (its share of the slice function's timeout, less the margin to report). */
export function sliceBudgetSeconds(config: EnvironmentConfig): number {
  const { sliceTimeoutSeconds, sliceShare } = config.jobs.longRunning;
  return Math.floor(Math.min(sliceTimeoutSeconds * sliceShare, sliceTimeoutSeconds - WORKER_MARGIN_SECONDS));
}

/** Step Functions standard workflows run up to a year. */
export const STEP_FUNCTIONS_MAX_SECONDS = 365 * 86_400;

export function isResumable(job: JobClass): boolean {
  return job.prototype instanceof IterableJob;
}

/** Starter functions only start executions: a minute is plenty. */
const STARTER_TIMEOUT_SECONDS = 60;

export interface BandPlan {
  readonly band: PriorityBand;
  /** MaximumConcurrency of this band's event source mapping (2–1000). */
  readonly maxConcurrency: number;
}

export interface QueuePlan {
  readonly declaration: QueueDeclaration;
  readonly settings: QueueSettings;
  readonly jobNames: readonly string[];
  /** Bands with an SQS queue of their own, most urgent first. */
  readonly bands: readonly BandPlan[];
  /** The band whose queue takes jobs enqueued from outside (Rails' adapter). */
  readonly primary: PriorityBand;
  /** Lambda timeout of the worker (Lambda-run queues) or of the starter (Step Functions queues). */
  readonly functionTimeoutSeconds: number;
  /** At least six times the function timeout, as AWS recommends for SQS event sources. */
  readonly visibilityTimeoutSeconds: number;
}

export class JobTopologyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`job configuration errors:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'JobTopologyError';
  }
}

export function planQueues(config: EnvironmentConfig, registry: JobRegistry = appJobs, declarations: readonly QueueDeclaration[] = queues): QueuePlan[] {
  const problems: string[] = [];
  const known = new Set(declarations.map((q) => q.name));
  for (const job of registry.all()) {
    const def = job.definition;
    if (!known.has(def.queue)) {
      problems.push(`job ${def.name} (${job.name}) uses queue "${def.queue}", which is not declared: use one of ${[...known].join(', ')} or declare it in functions/app/queues.ts`);
    }
    for (const rule of def.rescueRules) {
      if (rule.kind === 'retry' && rule.queue !== undefined && !known.has(rule.queue)) {
        problems.push(`job ${def.name}: retryOn(${rule.counterKey}) retries on queue "${rule.queue}", which is not declared: use one of ${[...known].join(', ')}`);
      }
    }
  }

  const plans = declarations.map((declaration): QueuePlan => {
    const settings = config.jobs.queues[declaration.name as keyof typeof config.jobs.queues] ?? defaultQueueSettings();
    const onQueue = registry.onQueue(declaration.name);
    if (declaration.runner === 'lambda') {
      for (const job of onQueue) {
        const def = job.definition;
        if (def.maxRunTimeSeconds > LAMBDA_JOB_RUN_TIME_LIMIT) {
          problems.push(
            `job ${def.name} (${job.name}) declares maxRunTime ${def.maxRunTimeSeconds} s on queue "${declaration.name}", run by Lambda, which stops after ${LAMBDA_MAX_TIMEOUT_SECONDS} s: ` +
              `lower maxRunTime to at most ${LAMBDA_JOB_RUN_TIME_LIMIT} s, or move the job to a step-functions queue (long_running) where it runs in resumable slices`,
          );
        }
      }
    }
    if (declaration.runner === 'step-functions') {
      const budget = sliceBudgetSeconds(config);
      for (const job of onQueue) {
        const def = job.definition;
        if (!isResumable(job) && def.maxRunTimeSeconds > budget) {
          problems.push(
            `job ${def.name} (${job.name}) runs on "${declaration.name}" for up to ${def.maxRunTimeSeconds} s but cannot be cut into slices (a slice works ${budget} s): ` +
              `make it an IterableJob (buildEnumerator + eachIteration) so it resumes from checkpoints, or lower maxRunTime to at most ${budget} s`,
          );
        }
        if (def.maxRunTimeSeconds > STEP_FUNCTIONS_MAX_SECONDS) {
          problems.push(`job ${def.name} (${job.name}) declares maxRunTime ${def.maxRunTimeSeconds} s, longer than a Step Functions execution may run (one year): lower it`);
        }
      }
    }
    const used = new Set<PriorityBand>(onQueue.map((job) => job.definition.priorityBand));
    const defaultBand = priorityBand(DEFAULT_PRIORITY);
    if (used.size === 0) used.add(defaultBand);
    const bands = PRIORITY_BANDS.filter((band) => used.has(band));
    const primary = used.has(defaultBand) ? defaultBand : bands[0]!;
    const weights = { ...DEFAULT_BAND_WEIGHTS, ...settings.bandWeights } as Record<PriorityBand, number>;
    const totalWeight = bands.reduce((sum, band) => sum + weights[band], 0);
    const longest = Math.max(0, ...onQueue.map((job) => job.definition.maxRunTimeSeconds));
    const functionTimeoutSeconds =
      declaration.runner === 'lambda' ? Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, Math.max(60, longest + WORKER_MARGIN_SECONDS)) : STARTER_TIMEOUT_SECONDS;
    return {
      declaration,
      settings,
      jobNames: onQueue.map((job) => job.definition.name).sort(),
      bands: bands.map((band) => ({
        band,
        maxConcurrency: Math.min(1000, Math.max(2, Math.round((settings.concurrency * weights[band]) / totalWeight))),
      })),
      primary,
      functionTimeoutSeconds,
      visibilityTimeoutSeconds: functionTimeoutSeconds * 6,
    };
  });
  if (problems.length > 0) throw new JobTopologyError(problems);
  return plans;
}
