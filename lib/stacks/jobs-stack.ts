/**
 * An environment's job queues and workers, derived from the job registry and
 * the queue declarations: nothing here lists a job or a queue by hand.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { PRIORITY_BANDS, priorityBand } from '../../functions/runtime/jobs/priority';
import type { EnvironmentConfig } from '../config/environment';
import { planQueues, CRASH_REDRIVE_RECEIVES, type QueuePlan } from '../jobs/topology';
import { JobQueue } from '../constructs/job-queue';
import { JobWorker } from '../constructs/job-worker';
import { JobLedger } from '../constructs/job-ledger';
import { ENDPOINTS_ENV } from '../../functions/runtime/jobs/endpoints';
import { JOB_ENV } from '../../functions/runtime/jobs/environment';

export interface JobsStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

export class JobsStack extends Stack {
  readonly plans: readonly QueuePlan[];
  readonly queues: ReadonlyMap<string, JobQueue>;
  readonly workers: ReadonlyMap<string, JobWorker>;
  readonly ledger: JobLedger;

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.plans = planQueues(config);
    this.ledger = new JobLedger(this, 'JobLedger', { environment: config.name, retain: config.retainData });

    const queues = new Map<string, JobQueue>();
    for (const plan of this.plans) {
      queues.set(
        plan.declaration.name,
        new JobQueue(this, `Queue-${plan.declaration.name}`, {
          environment: config.name,
          queueName: plan.declaration.name,
          bands: plan.bands.map((b) => b.band),
          primary: plan.primary,
          visibilityTimeout: Duration.seconds(plan.visibilityTimeoutSeconds),
          maxReceiveCount: CRASH_REDRIVE_RECEIVES,
          retain: config.retainData,
        }),
      );
    }
    this.queues = queues;

    const endpoints = Object.fromEntries([...queues].map(([name, queue]) => [name, queue.endpoint()]));
    const workers = new Map<string, JobWorker>();
    for (const plan of this.plans.filter((p) => p.declaration.runner === 'lambda')) {
      const queue = queues.get(plan.declaration.name)!;
      const worker = new JobWorker(this, `Worker-${plan.declaration.name}`, {
        environment: config.name,
        queue,
        bands: plan.bands,
        timeout: Duration.seconds(plan.functionTimeoutSeconds),
        memorySize: plan.settings.memoryMb,
        batchSize: plan.settings.batchSize,
        logRetentionDays: config.logRetentionDays,
        functionEnvironment: {
          [JOB_ENV.environment]: config.name,
          [JOB_ENV.queue]: plan.declaration.name,
          [ENDPOINTS_ENV]: this.toJsonString(endpoints),
          [JOB_ENV.ledgerTable]: this.ledger.table.tableName,
          [JOB_ENV.deduplicationDays]: String(config.jobs.deduplicationDays),
        },
      });
      // Jobs enqueue jobs (fan-out, retries on another queue): every job queue, nothing else.
      for (const target of queues.values()) target.grantEnqueue(worker.function);
      this.ledger.grantLeases(worker.function);
      workers.set(plan.declaration.name, worker);
    }
    this.workers = workers;
  }

  /**
   * The SQS queue a job of `queueName` with `priority` is sent to: its band's
   * queue, or the nearest band that has one (the runtime's queueUrlFor rule).
   */
  queueFor(queueName: string, priority: number): sqs.IQueue {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no job queue "${queueName}" in ${this.stackName}: use one of ${[...this.queues.keys()].join(', ')}`);
    const wanted = PRIORITY_BANDS.indexOf(priorityBand(priority));
    for (let distance = 0; distance < PRIORITY_BANDS.length; distance++) {
      for (const index of [wanted - distance, wanted + distance]) {
        const band = PRIORITY_BANDS[index];
        const found = band ? queue.bandQueues.get(band) : undefined;
        if (found) return found;
      }
    }
    return queue.primaryQueue;
  }
}
