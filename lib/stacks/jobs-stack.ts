/**
 * An environment's job queues and workers, derived from the job registry and
 * the queue declarations: nothing here lists a job or a queue by hand.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { nearestBand } from '../../functions/runtime/jobs/priority';
import type { EnvironmentConfig } from '../config/environment';
import { planQueues, sliceBudgetSeconds, CRASH_REDRIVE_RECEIVES, type QueuePlan } from '../jobs/topology';
import { jobs as appJobs } from '../../functions/app/jobs';
import type { JobRegistry } from '../../functions/runtime/jobs/registry';
import type { DataStack } from './data-stack';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { QueueEndpoints } from '../../functions/runtime/jobs/endpoints';
import { JobQueue } from '../constructs/job-queue';
import { JobWorker } from '../constructs/job-worker';
import { JobLedger } from '../constructs/job-ledger';
import { LongRunningRunner } from '../constructs/long-running-runner';
import { ENDPOINTS_ENV } from '../../functions/runtime/jobs/endpoints';
import { JOB_ENV } from '../../functions/runtime/jobs/environment';

export interface JobsStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The jobs to deploy for; default the application's registry (tests pass their own). */
  readonly registry?: JobRegistry;
  /** The environment's records, certificate bucket and vendor secret, which jobs use. */
  readonly data?: DataStack;
}

export class JobsStack extends Stack {
  readonly plans: readonly QueuePlan[];
  readonly queues: ReadonlyMap<string, JobQueue>;
  readonly workers: ReadonlyMap<string, JobWorker>;
  readonly ledger: JobLedger;
  readonly runners: ReadonlyMap<string, LongRunningRunner>;
  /** Queue URLs per ActiveJob queue and band (tokens), as functions that enqueue receive them. */
  readonly endpoints: QueueEndpoints;

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const registry = props.registry ?? appJobs;
    this.plans = planQueues(config, registry);
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
    this.endpoints = endpoints;
    const functionEnvironment = (queueName: string) => ({
      [JOB_ENV.environment]: config.name,
      [JOB_ENV.queue]: queueName,
      [ENDPOINTS_ENV]: this.toJsonString(endpoints),
      [JOB_ENV.ledgerTable]: this.ledger.table.tableName,
      [JOB_ENV.deduplicationDays]: String(config.jobs.deduplicationDays),
      ...props.data?.environmentFor('jobs'),
    });
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
        functionEnvironment: functionEnvironment(plan.declaration.name),
      });
      // Jobs enqueue jobs (fan-out, retries on another queue): every job queue, nothing else.
      for (const target of queues.values()) target.grantEnqueue(worker.function);
      this.ledger.grantLeases(worker.function);
      props.data?.grantJobs(worker.function);
      workers.set(plan.declaration.name, worker);
    }
    this.workers = workers;

    const runners = new Map<string, LongRunningRunner>();
    for (const plan of this.plans.filter((p) => p.declaration.runner === 'step-functions')) {
      const queue = queues.get(plan.declaration.name)!;
      const { sliceTimeoutSeconds, memoryMb } = config.jobs.longRunning;
      const runner = new LongRunningRunner(this, `Runner-${plan.declaration.name}`, {
        environment: config.name,
        queue,
        bands: plan.bands,
        jobs: registry.onQueue(plan.declaration.name).map((job) => job.definition),
        ledger: this.ledger,
        starterTimeout: Duration.seconds(plan.functionTimeoutSeconds),
        batchSize: plan.settings.batchSize,
        sliceTimeout: Duration.seconds(sliceTimeoutSeconds),
        sliceBudget: Duration.seconds(sliceBudgetSeconds(config)),
        sliceMemoryMb: memoryMb,
        logRetentionDays: config.logRetentionDays,
        functionEnvironment: functionEnvironment(plan.declaration.name),
        retain: config.retainData,
      });
      // Long jobs fan out and retry through the job queues.
      for (const target of queues.values()) target.grantEnqueue(runner.slice);
      props.data?.grantJobs(runner.slice);
      runners.set(plan.declaration.name, runner);
    }
    this.runners = runners;
  }

  /**
   * Lets a function outside this stack enqueue jobs of `queueName` (a consumer
   * handing long work to a job): the queue map in its environment, send on
   * that queue's band queues only.
   */
  grantEnqueueFrom(fn: lambda.Function, queueName: string): void {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no job queue "${queueName}" in ${this.stackName}: use one of ${[...this.queues.keys()].join(', ')}`);
    fn.addEnvironment(ENDPOINTS_ENV, Stack.of(fn).toJsonString(this.endpoints));
    queue.grantEnqueue(fn);
  }

  /**
   * The SQS queue a job of `queueName` with `priority` is sent to: its band's
   * queue, or the nearest band that has one (the runtime's queueUrlFor rule).
   */
  queueFor(queueName: string, priority: number): sqs.IQueue {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no job queue "${queueName}" in ${this.stackName}: use one of ${[...this.queues.keys()].join(', ')}`);
    const band = nearestBand(priority, (b) => queue.bandQueues.has(b));
    return band ? queue.bandQueues.get(band)! : queue.primaryQueue;
  }
}
