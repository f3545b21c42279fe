/**
 * The local runtime: the embedded emulators, the environment's queues and
 * ledger table as deployed, and the job workers fed the way Lambda feeds
 * them. `npm start` (local/start.ts) wraps it in a command line; tests start
 * it on free ports with their own job registry.
 *
 * Pieces are separate modules so more runners can join: Msgr consumers (an
 * EventBridge stand-in feeding their SQS queues), cron (a scheduler sending
 * cron.yml's jobs) and the Step Functions runner of `long_running`.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadEnvironment, type EnvironmentConfig } from '../lib/config/environment';
import { planQueues, type QueuePlan } from '../lib/jobs/topology';
import { jobs as appJobs } from '../functions/app/jobs';
import { queues as appQueues } from '../functions/app/queues';
import type { JobRegistry } from '../functions/runtime/jobs/registry';
import type { QueueDeclaration } from '../functions/runtime/jobs/queue-declaration';
import type { QueueEndpoints } from '../functions/runtime/jobs/endpoints';
import { SqsJobAdapter, setJobAdapter } from '../functions/runtime/jobs/enqueue';
import { DynamoCheckpointStore, DynamoJobLedger } from '../functions/runtime/jobs/ledger';
import { MetricsEmitter } from '../functions/runtime/metrics/emf';
import { DEFAULT_LOCAL_REGION, localDynamoClient, localSqsClient } from './clients';
import { DEFAULT_DYNAMODB_PORT, DEFAULT_SQS_PORT, startDynamoEmulator, startSqsEmulator, type RunningEmulator } from './emulators';
import { createJobQueues, type LocalJobQueue } from './queues';
import { createLedgerTable, ledgerTableName } from './ledger';
import { startJobWorkers, type JobWorkers } from './job-workers';
import { formatJobEvent, formatLogEntry, type LogFormat, type Output } from './log';

export interface LocalRuntimeOptions {
  /** Environment whose config/environments/<name>.yml sizes the queues. Default `development`. */
  readonly environment?: string;
  /** Use this configuration instead of loading the environment's file. */
  readonly config?: EnvironmentConfig;
  /** Jobs to run. Default: the application's registry (functions/app/jobs). */
  readonly registry?: JobRegistry;
  /** Queue declarations. Default: functions/app/queues.ts. */
  readonly declarations?: readonly QueueDeclaration[];
  /** SQS emulator port; 0 picks a free one. Default 4566. */
  readonly sqsPort?: number;
  /** DynamoDB emulator port; 0 picks a free one. Default 4567. */
  readonly dynamodbPort?: number;
  /** Where job events and log lines go. Default: stdout. */
  readonly output?: Output;
  /** `pretty` (one readable line per event, the default) or `json` (the raw EMF and log lines Lambda writes). */
  readonly format?: LogFormat;
  /** Make `performLater` in this process enqueue to the local queues (setJobAdapter). Default true. */
  readonly installJobAdapter?: boolean;
  /** Long-poll wait of the pollers. Default 20 s, as Lambda. */
  readonly waitTimeSeconds?: number;
}

export interface LocalRuntime {
  readonly environment: string;
  readonly region: string;
  readonly config: EnvironmentConfig;
  readonly plans: readonly QueuePlan[];
  readonly sqs: RunningEmulator;
  readonly dynamodb: RunningEmulator;
  /** What the deployed functions get in XIKOLO_JOB_QUEUES. */
  readonly endpoints: QueueEndpoints;
  readonly queues: readonly LocalJobQueue[];
  readonly ledgerTable: string;
  readonly workers: JobWorkers;
  /**
   * Stops the pollers (waiting for running batches up to `graceMs`, default
   * without limit), then the clients and both emulators. Idempotent.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const config = options.config ?? loadEnvironment(options.environment ?? 'development');
  const environment = config.name;
  const region = config.region ?? DEFAULT_LOCAL_REGION;
  const registry = options.registry ?? appJobs;
  // The same plan the jobs stack deploys; a job that cannot run on its queue fails here as it fails synth.
  const plans = planQueues(config, registry, options.declarations ?? appQueues);
  const output = options.output ?? ((line: string) => console.log(line));
  const format = options.format ?? 'pretty';

  const cleanups: (() => Promise<unknown> | void)[] = [];
  const cleanUp = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        output(`error while stopping: ${(err as Error).message}`);
      }
    }
    // Closed sockets and servers leave the event loop on the next turn.
    await new Promise((resolve) => setImmediate(resolve));
  };

  try {
    const sqsEmulator = await startSqsEmulator({ port: options.sqsPort ?? DEFAULT_SQS_PORT, region });
    cleanups.push(() => sqsEmulator.stop());
    const dynamoEmulator = await startDynamoEmulator({ port: options.dynamodbPort ?? DEFAULT_DYNAMODB_PORT });
    cleanups.push(() => dynamoEmulator.stop());

    const sqs: SQSClient = localSqsClient(sqsEmulator.endpoint, region);
    cleanups.push(() => sqs.destroy());
    const dynamo: DynamoDBClient = localDynamoClient(dynamoEmulator.endpoint, region);
    cleanups.push(() => dynamo.destroy());

    const { queues, endpoints } = await createJobQueues(sqs, sqsEmulator.endpoint, environment, plans);
    const ledgerTable = ledgerTableName(environment);
    await createLedgerTable(dynamo, ledgerTable);

    if (options.installJobAdapter ?? true) {
      // As the worker Lambda does: jobs that enqueue jobs, and this process's performLater, use the local queues.
      setJobAdapter(new SqsJobAdapter(sqs, endpoints));
      cleanups.push(() => setJobAdapter(undefined));
    }

    const metrics = new MetricsEmitter({
      namespace: 'XikoloAsync/Jobs',
      defaultDimensions: { Environment: environment },
      sink: format === 'json' ? output : (line) => output(formatJobEvent(line)),
    });
    const workers = startJobWorkers({
      environment,
      region,
      queues,
      endpoints,
      registry,
      sqs,
      metrics,
      ledger: new DynamoJobLedger(dynamo, ledgerTable, config.jobs.deduplicationDays),
      checkpoints: new DynamoCheckpointStore(dynamo, ledgerTable, config.jobs.deduplicationDays),
      config,
      ...(options.waitTimeSeconds !== undefined ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
      log: format === 'json' ? (entry) => output(JSON.stringify(entry)) : (entry) => output(formatLogEntry(entry)),
    });

    let stopping: Promise<void> | undefined;
    return {
      environment,
      region,
      config,
      plans,
      sqs: sqsEmulator,
      dynamodb: dynamoEmulator,
      endpoints,
      queues,
      ledgerTable,
      workers,
      stop: (stopOptions = {}) =>
        (stopping ??= (async () => {
          const left = await workers.stop(stopOptions.graceMs);
          if (left > 0) output(`stopping with ${left} batch(es) still running: their messages stay unacknowledged`);
          await cleanUp();
        })()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
