/**
 * Lambda entry point of the long-running state machines: runs one slice of a
 * job, dead-letters a run whose slices kept crashing (the Catch path), and
 * handles Step Functions' status-change events for runs that timed out.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLongRunningRunner, sliceHandler } from '../runtime/jobs/long-running';
import { endpointsFromEnv } from '../runtime/jobs/endpoints';
import { setJobAdapter, SqsJobAdapter } from '../runtime/jobs/enqueue';
import { DynamoCheckpointStore } from '../runtime/jobs/ledger';
import { JOB_ENV, LONG_RUNNING_ENV, requiredEnv } from '../runtime/jobs/environment';
import { MetricsEmitter } from '../runtime/metrics/emf';
import { jobs } from '../app/jobs';

const sqs = new SQSClient({});
const endpoints = endpointsFromEnv();
// Long jobs fan out (enqueue other jobs) through the same client.
setJobAdapter(new SqsJobAdapter(sqs, endpoints));

const runner = createLongRunningRunner({
  registry: jobs,
  queue: requiredEnv(JOB_ENV.queue),
  endpoints,
  sqs,
  checkpoints: new DynamoCheckpointStore(new DynamoDBClient({}), requiredEnv(JOB_ENV.ledgerTable), Number(process.env[JOB_ENV.deduplicationDays] ?? 14)),
  metrics: new MetricsEmitter({ namespace: 'XikoloAsync/Jobs', defaultDimensions: { Environment: requiredEnv(JOB_ENV.environment) } }),
  sliceBudgetMs: Number(requiredEnv(LONG_RUNNING_ENV.sliceBudgetMs)),
});

export const handler = sliceHandler(runner);
