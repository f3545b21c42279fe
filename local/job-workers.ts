/**
 * The job workers of Lambda-run queues: per ActiveJob queue the same handler
 * the worker Lambda runs (createJobWorker), fed by one event source mapping
 * per priority band, each with the band's deployed MaximumConcurrency and the
 * queue's batch size. Bands are polled independently, so a backlog in one
 * never holds up another.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobRegistry } from '../functions/runtime/jobs/registry';
import type { JobLedger } from '../functions/runtime/jobs/ledger';
import type { QueueEndpoints } from '../functions/runtime/jobs/endpoints';
import type { MetricsEmitter } from '../functions/runtime/metrics/emf';
import { createJobWorker } from '../functions/runtime/jobs/worker';
import { createLongRunningRunner } from '../functions/runtime/jobs/long-running';
import type { CheckpointStore } from '../functions/runtime/jobs/ledger';
import { sliceBudgetSeconds } from '../lib/jobs/topology';
import type { EnvironmentConfig } from '../lib/config/environment';
import { LocalStepFunctions } from './step-functions';
import { jobFunctionName } from '../lib/naming';
import type { LocalJobQueue } from './queues';
import { SqsEventSourceMapping } from './sqs-poller';

export interface JobWorkersOptions {
  readonly environment: string;
  readonly region: string;
  readonly queues: readonly LocalJobQueue[];
  readonly endpoints: QueueEndpoints;
  readonly registry: JobRegistry;
  readonly sqs: SQSClient;
  readonly metrics: MetricsEmitter;
  readonly ledger?: JobLedger;
  /** Checkpoints of long-running jobs (the job ledger table). */
  readonly checkpoints: CheckpointStore;
  readonly config: EnvironmentConfig;
  readonly waitTimeSeconds?: number;
  readonly log: (entry: Record<string, unknown>) => void;
}

export interface JobWorkers {
  readonly mappings: readonly SqsEventSourceMapping[];
  /** Stops polling and waits for running batches (up to graceMs); resolves with how many were still running. */
  stop(graceMs?: number): Promise<number>;
}

export function startJobWorkers(options: JobWorkersOptions): JobWorkers {
  const mappings: SqsEventSourceMapping[] = [];
  const workflows: LocalStepFunctions[] = [];
  for (const queue of options.queues) {
    const { plan } = queue;
    const name = plan.declaration.name;
    let handle: (event: Parameters<SqsEventSourceMapping['options']['handler']>[0], context: Parameters<SqsEventSourceMapping['options']['handler']>[1]) => Promise<unknown>;
    let role = 'worker';
    if (plan.declaration.runner === 'lambda') {
      handle = createJobWorker({
        registry: options.registry,
        queue: name,
        endpoints: options.endpoints,
        sqs: options.sqs,
        metrics: options.metrics,
        ...(options.ledger ? { ledger: options.ledger } : {}),
        log: (entry) => options.log({ ...entry, queue: entry.queue ?? name }),
      });
    } else {
      // The long-running queue: the real starter, and the real slices driven by a local stand-in for the workflows.
      const jobs = options.registry.onQueue(name);
      const runnerFor = (sfn?: LocalStepFunctions) =>
        createLongRunningRunner({
          registry: options.registry,
          queue: name,
          endpoints: options.endpoints,
          sqs: options.sqs,
          ...(sfn ? { sfn: sfn.client } : {}),
          stateMachines: Object.fromEntries(jobs.map((job) => [job.definition.name, LocalStepFunctions.arnFor(options.region, job.definition.name)])),
          checkpoints: options.checkpoints,
          metrics: options.metrics,
          sliceBudgetMs: sliceBudgetSeconds(options.config) * 1000,
          log: (entry) => options.log({ ...entry, queue: entry.queue ?? name }),
        });
      const workflowsOfQueue: LocalStepFunctions = new LocalStepFunctions({
        runner: () => runnerFor(),
        maxAttempts: (jobName) => options.registry.find(jobName)?.definition.maxAttempts ?? 1,
        log: (entry) => options.log({ ...entry, queue: name }),
      });
      workflows.push(workflowsOfQueue);
      handle = runnerFor(workflowsOfQueue).start;
      role = 'starter';
    }
    for (const band of queue.bands) {
      mappings.push(
        new SqsEventSourceMapping({
          sqs: options.sqs,
          queueUrl: band.url,
          queueArn: band.arn,
          region: options.region,
          batchSize: plan.settings.batchSize,
          maxConcurrency: band.maxConcurrency,
          functionName: jobFunctionName(options.environment, name, role),
          functionTimeoutSeconds: plan.functionTimeoutSeconds,
          memorySizeMb: plan.settings.memoryMb,
          handler: (event, context) => handle(event, context) as never,
          reportBatchItemFailures: true,
          label: `${name}/${band.band}`,
          ...(options.waitTimeSeconds !== undefined ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
          log: (level, message) => options.log({ level, message, queue: name, band: band.band }),
        }).start(),
      );
    }
  }
  return {
    mappings,
    async stop(graceMs) {
      const left = await Promise.all([...mappings.map((m) => m.stop(graceMs)), ...workflows.map((w) => w.stop(graceMs))]);
      return left.reduce((a, b) => a + b, 0);
    },
  };
}
