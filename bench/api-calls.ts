/**
 * API calls per job, through a real SQS API (fauxqs, in-process) and, for
 * the job ledger, a real DynamoDB API (dynalite): jobs are enqueued with the
 * project's Job API (single `performLater`, bulk `performAllLater`), then
 * received, turned into SQS events as Lambda's event source mapping does,
 * run through createJobWorker's handler, and deleted when they succeeded.
 *
 * Requests are counted per AWS service at the SDK and at the HTTP level (see
 * requests.ts). The polling the benchmark does in Lambda's place
 * (ReceiveMessage, DeleteMessageBatch) is reported on its own row.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { performAllLater } from '../functions/runtime/jobs/job';
import { SqsJobAdapter, setJobAdapter } from '../functions/runtime/jobs/enqueue';
import { createJobWorker } from '../functions/runtime/jobs/worker';
import { JobRegistry } from '../functions/runtime/jobs/registry';
import { DynamoJobLedger } from '../functions/runtime/jobs/ledger';
import { MetricsEmitter } from '../functions/runtime/metrics/emf';
import type { QueueEndpoints } from '../functions/runtime/jobs/endpoints';
import { BenchDedupJob, BenchNoopJob, REGION, endpointsFor, lambdaContext, ran } from './fixtures';
import { countBy, type RequestCounter, type RequestEntry } from './requests';

export const SERVICES = ['SQS', 'DynamoDB', 'EventBridge', 'Scheduler', 'CloudWatch'] as const;

export interface Phase {
  readonly name: string;
  readonly jobs: number;
  /** HTTP-level requests made during the phase by the project's code (producer, worker, unattributed). */
  readonly requests: RequestEntry[];
  /** The benchmark's own polling in Lambda's place (ReceiveMessage, DeleteMessageBatch). */
  readonly polling: RequestEntry[];
  /** SDK-level commands, for the cross-check. */
  readonly sdkCommands: number;
}

export interface ApiCallsReport {
  readonly phases: Phase[];
  readonly jobsRun: number;
  readonly jobsExpected: number;
  readonly dedupRun: number;
  readonly metricLines: number;
  readonly notes: string[];
  /** Every HTTP request of the whole section, setup included, by service. */
  readonly allRequests: RequestEntry[];
}

const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };

async function startDynalite(): Promise<{ server: Server; port: number } | { error: string }> {
  try {
    const { default: dynalite } = await import('dynalite');
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return { server, port: (server.address() as AddressInfo).port };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function lambdaRecord(message: Message, arn: string): SQSRecord {
  const attrs = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? 'bench',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: REGION,
  };
}

export async function apiCalls(singles: number, bulk: number, dedup: number, counter: RequestCounter, progress: (text: string) => void): Promise<ApiCallsReport> {
  const notes: string[] = [];
  const sectionStart = counter.mark();
  const { startFauxqs } = await import('fauxqs');
  const fauxqs = await startFauxqs({ port: 0, logger: false });
  const dynamo = await startDynalite();
  const endpoint = `http://127.0.0.1:${fauxqs.port}`;
  const client = (role: string) => counter.instrument(new SQSClient({ region: REGION, endpoint, credentials }), role);
  const setup = client('setup');
  const producer = client('producer');
  const workerSqs = client('worker');
  const esm = client('event source mapping');

  try {
    // Queues for every declared queue and band, as the jobs stack creates them.
    const urls = new Map<string, string>();
    const arns = new Map<string, string>();
    const endpoints: QueueEndpoints = endpointsFor((queue, band) => `${endpoint}/000000000000/bench-${queue}-${band}`);
    for (const endpointOf of Object.values(endpoints)) {
      for (const url of [...Object.values(endpointOf.bands), endpointOf.deadLetter]) {
        const name = url.slice(url.lastIndexOf('/') + 1);
        const created = await setup.send(new CreateQueueCommand({ QueueName: name }));
        urls.set(name, created.QueueUrl!);
        const attrs = await setup.send(new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl!, AttributeNames: ['QueueArn'] }));
        arns.set(created.QueueUrl!, attrs.Attributes?.QueueArn ?? `arn:aws:sqs:${REGION}:000000000000:${name}`);
      }
    }
    // Use the URLs the emulator hands out.
    const realEndpoints: QueueEndpoints = endpointsFor((queue, band) => urls.get(`bench-${queue}-${band}`)!);
    const pollUrls = Object.values(realEndpoints.default!.bands) as string[];

    let ledger: DynamoJobLedger | undefined;
    if ('port' in dynamo) {
      const ddbSetup = counter.instrument(new DynamoDBClient({ region: REGION, endpoint: `http://127.0.0.1:${dynamo.port}`, credentials }), 'setup');
      await ddbSetup.send(
        new CreateTableCommand({
          TableName: 'bench-job-ledger',
          KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const ddb = counter.instrument(new DynamoDBClient({ region: REGION, endpoint: `http://127.0.0.1:${dynamo.port}`, credentials }), 'worker');
      ledger = new DynamoJobLedger(ddb, 'bench-job-ledger', 14);
    } else {
      notes.push(`dynalite did not start (${dynamo.error}): the worker runs without a job ledger and the deduplicated-jobs row is skipped`);
    }

    setJobAdapter(new SqsJobAdapter(producer, realEndpoints));
    let metricLines = 0;
    const handler = createJobWorker({
      registry: new JobRegistry([BenchNoopJob, BenchDedupJob]),
      queue: 'default',
      endpoints: realEndpoints,
      sqs: workerSqs,
      metrics: new MetricsEmitter({ namespace: 'XikoloAsync/Jobs', defaultDimensions: { Environment: 'bench' }, sink: () => void metricLines++ }),
      log: () => {},
      ...(ledger ? { ledger } : {}),
    });

    /** Lambda's part: receive, build the event, invoke, delete what succeeded. */
    async function drain(expected: () => boolean): Promise<void> {
      const deadline = Date.now() + 30_000;
      while (!expected()) {
        if (Date.now() > deadline) throw new Error('jobs did not all arrive within 30 s');
        let received = 0;
        for (const url of pollUrls) {
          const { Messages = [] } = await esm.send(
            new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
          );
          if (Messages.length === 0) continue;
          received += Messages.length;
          const event: SQSEvent = { Records: Messages.map((m) => lambdaRecord(m, arns.get(url)!)) };
          const response = await handler(event, lambdaContext);
          const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          const done = Messages.filter((m) => !failed.has(m.MessageId!));
          if (done.length > 0) {
            await esm.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
          }
        }
        if (received === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    const phases: Phase[] = [];
    async function phase(name: string, jobs: number, body: () => Promise<void>): Promise<void> {
      const mark = counter.mark();
      await body();
      const http = counter.since(mark, 'http');
      phases.push({
        name,
        jobs,
        requests: http.filter((e) => e.role !== 'event source mapping' && e.role !== 'setup'),
        polling: http.filter((e) => e.role === 'event source mapping'),
        sdkCommands: counter.since(mark, 'sdk').filter((e) => e.role !== 'setup').length,
      });
    }

    const noopBefore = ran.noop;
    const dedupBefore = ran.dedup;
    progress('api calls: single enqueues');
    await phase(`enqueue: performLater × ${singles}`, singles, async () => {
      for (let i = 0; i < singles; i++) await BenchNoopJob.performLater(i);
    });
    progress('api calls: bulk enqueue');
    await phase(`enqueue: performAllLater(${bulk})`, bulk, async () => {
      await performAllLater(Array.from({ length: bulk }, (_, i) => BenchNoopJob.build(i)));
    });
    progress('api calls: running the jobs');
    await phase(`run: worker, ${singles + bulk} no-op jobs`, singles + bulk, () => drain(() => ran.noop - noopBefore >= singles + bulk));
    if (ledger && dedup > 0) {
      progress('api calls: deduplicated jobs');
      await phase(`enqueue: performAllLater(${dedup}) deduplicated`, dedup, async () => {
        await performAllLater(Array.from({ length: dedup }, (_, i) => BenchDedupJob.build(i)));
      });
      await phase(`run: worker, ${dedup} deduplicated jobs (ledger)`, dedup, () => drain(() => ran.dedup - dedupBefore >= dedup));
    }
    return {
      phases,
      jobsRun: ran.noop - noopBefore,
      jobsExpected: singles + bulk,
      dedupRun: ran.dedup - dedupBefore,
      metricLines,
      notes,
      allRequests: counter.since(sectionStart, 'http'),
    };
  } finally {
    setJobAdapter(undefined);
    for (const c of [setup, producer, workerSqs, esm]) c.destroy();
    await fauxqs.stop();
    if ('server' in dynamo) await new Promise((resolve) => dynamo.server.close(resolve));
  }
}

export function perJob(phase: Phase, service: string, entries: readonly RequestEntry[] = phase.requests): number {
  return countBy(entries, (e) => e.service === service) / phase.jobs;
}

export function operations(entries: readonly RequestEntry[]): string {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(`${e.service} ${e.operation}`, (counts.get(`${e.service} ${e.operation}`) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${op} ×${n}`).join(', ') || 'none';
}
