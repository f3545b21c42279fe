/**
 * Lambda entry point of every Lambda-run job queue: SQS batch in, partial
 * batch response out. All set-up happens once per container.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createJobWorker } from '../runtime/jobs/worker';
import { endpointsFromEnv } from '../runtime/jobs/endpoints';
import { setJobAdapter, SqsJobAdapter } from '../runtime/jobs/enqueue';
import { DynamoJobLedger } from '../runtime/jobs/ledger';
import { JOB_ENV, requiredEnv } from '../runtime/jobs/environment';
import { MetricsEmitter } from '../runtime/metrics/emf';
import { jobs } from '../app/jobs';

const sqs = new SQSClient({});
const endpoints = endpointsFromEnv();
// Jobs that enqueue other jobs (fan-out) share the worker's client.
setJobAdapter(new SqsJobAdapter(sqs, endpoints));
const ledgerTable = process.env[JOB_ENV.ledgerTable];

export const handler = createJobWorker({
  registry: jobs,
  queue: requiredEnv(JOB_ENV.queue),
  endpoints,
  sqs,
  metrics: new MetricsEmitter({ namespace: 'XikoloAsync/Jobs', defaultDimensions: { Environment: requiredEnv(JOB_ENV.environment) } }),
  ...(ledgerTable ? { ledger: new DynamoJobLedger(new DynamoDBClient({}), ledgerTable, Number(process.env[JOB_ENV.deduplicationDays] ?? 14)) } : {}),
});
