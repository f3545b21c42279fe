/** Lambda entry point: long-running queue (SQS) → one Step Functions execution per job run. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLongRunningRunner } from '../runtime/jobs/long-running';
import { endpointsFromEnv } from '../runtime/jobs/endpoints';
import { DynamoCheckpointStore } from '../runtime/jobs/ledger';
import { JOB_ENV, LONG_RUNNING_ENV, requiredEnv } from '../runtime/jobs/environment';
import { MetricsEmitter } from '../runtime/metrics/emf';
import { jobs } from '../app/jobs';

const runner = createLongRunningRunner({
  registry: jobs,
  queue: requiredEnv(JOB_ENV.queue),
  endpoints: endpointsFromEnv(),
  sqs: new SQSClient({}),
  sfn: new SFNClient({}),
  stateMachines: JSON.parse(requiredEnv(LONG_RUNNING_ENV.stateMachines)) as Record<string, string>,
  checkpoints: new DynamoCheckpointStore(new DynamoDBClient({}), requiredEnv(JOB_ENV.ledgerTable), Number(process.env[JOB_ENV.deduplicationDays] ?? 14)),
  metrics: new MetricsEmitter({ namespace: 'XikoloAsync/Jobs', defaultDimensions: { Environment: requiredEnv(JOB_ENV.environment) } }),
  sliceBudgetMs: 0,
});

export const handler = runner.start;
