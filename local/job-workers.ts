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
  for (const queue of options.queues) {
    const { plan } = queue;
    if (plan.declaration.runner !== 'lambda') continue;
    const name = plan.declaration.name;
    const handle = createJobWorker({
      registry: options.registry,
      queue: name,
      endpoints: options.endpoints,
      sqs: options.sqs,
      metrics: options.metrics,
      ...(options.ledger ? { ledger: options.ledger } : {}),
      log: (entry) => options.log({ ...entry, queue: entry.queue ?? name }),
    });
    for (const band of queue.bands) {
      mappings.push(
        new SqsEventSourceMapping({
          sqs: options.sqs,
          queueUrl: band.url,
          queueArn: band.arn,
          region: options.region,
          batchSize: plan.settings.batchSize,
          maxConcurrency: band.maxConcurrency,
          functionName: jobFunctionName(options.environment, name, 'worker'),
          functionTimeoutSeconds: plan.functionTimeoutSeconds,
          memorySizeMb: plan.settings.memoryMb,
          handler: (event, context) => handle(event, context),
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
      const left = await Promise.all(mappings.map((m) => m.stop(graceMs)));
      return left.reduce((a, b) => a + b, 0);
    },
  };
}
