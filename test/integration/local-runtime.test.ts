/**
 * The local runtime against the real SQS API of fauxqs and the real DynamoDB
 * API of dynalite, in this process, on free ports: jobs are enqueued through
 * the Job API and run by the same worker handler Lambda runs, fed as Lambda's
 * event source mapping feeds it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:net';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { localDynamoClient, localSqsClient } from '../../local/clients';
import { SqsEventSourceMapping } from '../../local/sqs-poller';
import { enqueueLocally, parseJobArgument } from '../../local/enqueue';
import { Job, performAllLater } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { IterableJob } from '../../functions/runtime/jobs/iterable';
import { ATTRIBUTES } from '../../functions/runtime/jobs/enqueue';
import { loadEnvironment, type EnvironmentConfig } from '../../lib/config/environment';
import { waitFor } from '../support/wait';

// ——— test jobs (maxRunTime within Lambda's bound, as planQueues demands) ———

const ran: { job: string; args: unknown[]; executions: number; at: number }[] = [];
const record = (job: string, args: unknown[], executions: number) => ran.push({ job, args, executions, at: Date.now() });
const runsOf = (job: string) => ran.filter((r) => r.job === job);

class FlakyError extends Error {}

class EchoJob extends Job<[value: unknown]> {
  static {
    this.configure({ name: 'LocalTest::EchoJob', queue: 'default', maxRunTime: 30 });
  }
  perform(value: unknown): void {
    record('EchoJob', [value], this.executions);
  }
}

/** Fails once, retried by its own retryOn after 1 s (ActiveJob's retry path). */
class RetryOnJob extends Job<[id: string]> {
  static failures = new Map<string, number>();
  static {
    this.configure({ name: 'LocalTest::RetryOnJob', queue: 'default', maxRunTime: 30 });
    this.retryOn(FlakyError, { wait: 1, jitter: 0, attempts: 3 });
  }
  perform(id: string): void {
    const seen = RetryOnJob.failures.get(id) ?? 0;
    RetryOnJob.failures.set(id, seen + 1);
    if (seen === 0) {
      record('RetryOnJob:failed', [id], this.executions);
      throw new FlakyError(`first run of ${id} fails`);
    }
    record('RetryOnJob', [id], this.executions);
  }
}

/** Fails once with an error no rule handles: the backend retries it after attempts⁴ + 5 = 6 s. */
class BackendRetryJob extends Job<[id: string]> {
  static failed = new Set<string>();
  static {
    this.configure({ name: 'LocalTest::BackendRetryJob', queue: 'default', maxRunTime: 30 });
  }
  perform(id: string): void {
    if (!BackendRetryJob.failed.has(id)) {
      BackendRetryJob.failed.add(id);
      record('BackendRetryJob:failed', [id], this.executions);
      throw new TypeError(`first run of ${id} fails`);
    }
    record('BackendRetryJob', [id], this.executions);
  }
}

/** A reporting job that waits for the test to open the gate. */
let openGate: () => void = () => {};
let gate = new Promise<void>((resolve) => (openGate = resolve));
class GatedReportJob extends Job<[n: number]> {
  static {
    this.configure({ name: 'LocalTest::GatedReportJob', queue: 'default', priority: 'reporting', maxRunTime: 60 });
  }
  async perform(n: number): Promise<void> {
    record('GatedReportJob:started', [n], this.executions);
    await gate;
    record('GatedReportJob', [n], this.executions);
  }
}

class InteractiveJob extends Job<[id: string]> {
  static {
    this.configure({ name: 'LocalTest::InteractiveJob', queue: 'default', priority: 'interactive', maxRunTime: 30 });
  }
  perform(id: string): void {
    record('InteractiveJob', [id], this.executions);
  }
}

class OnceOnlyJob extends Job<[id: string]> {
  static {
    this.configure({ name: 'LocalTest::OnceOnlyJob', queue: 'default', maxRunTime: 30, deduplicate: true });
  }
  perform(id: string): void {
    record('OnceOnlyJob', [id], this.executions);
  }
}

/** A resumable long-running job: each item is a short sleep, so a tiny slice budget cuts it into several slices. */
class LongCountJob extends IterableJob<[count: number], number, number> {
  static {
    this.configure({ name: 'LocalTest::LongCountJob', queue: 'long_running', maxRunTime: 3600, maxAttempts: 3 });
  }
  *buildEnumerator(cursor: number | null, count: number): Iterable<readonly [number, number]> {
    for (let i = cursor === null ? 0 : cursor + 1; i < count; i++) yield [i, i] as const;
  }
  async eachIteration(item: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 40));
    record('LongCountJob', [item], this.executions);
  }
}

const registry = () => new JobRegistry([EchoJob, RetryOnJob, BackendRetryJob, GatedReportJob, InteractiveJob, OnceOnlyJob, LongCountJob]);

function testConfig(): EnvironmentConfig {
  const base = loadEnvironment('development');
  // Four concurrent invocations for the queue: 2 per band for interactive, user_visible and reporting.
  // And slices of 60 s × 0.1 = 6 s: the long job below (250 items of 40 ms, 10 s) needs at least two.
  return {
    ...base,
    jobs: { ...base.jobs, queues: { ...base.jobs.queues, default: { concurrency: 4, batchSize: 10, memoryMb: 512 } }, longRunning: { sliceTimeoutSeconds: 60, sliceShare: 0.1, memoryMb: 512 } },
  };
}


/** EMF lines the worker wrote (format: 'json'), as objects. */
function jobEvents(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const data = JSON.parse(line) as Record<string, unknown>;
      return data._aws ? [data] : [];
    } catch {
      return [];
    }
  });
}

async function receiveAll(sqs: SQSClient, queueUrl: string, want: number, timeoutMs = 10_000): Promise<Message[]> {
  const got: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < want && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    got.push(...(out.Messages ?? []));
  }
  return got;
}

describe('local runtime', () => {
  let runtime: LocalRuntime;
  let sqs: SQSClient;
  const output: string[] = [];

  beforeAll(async () => {
    runtime = await startLocalRuntime({ config: testConfig(), registry: registry(), sqsPort: 0, dynamodbPort: 0, format: 'json', output: (line) => output.push(line) });
    sqs = localSqsClient(runtime.sqs.endpoint, runtime.region);
  });

  afterAll(async () => {
    openGate();
    sqs?.destroy();
    await runtime?.stop();
  });

  it('creates the deployed topology: a queue per band with redrive to the DLQ and the planned visibility timeout', async () => {
    const plan = runtime.plans.find((p) => p.declaration.name === 'default')!;
    expect(plan.bands.map((b) => b.band)).toEqual(['interactive', 'user_visible', 'reporting']);
    const queue = runtime.queues.find((q) => q.plan === plan)!;
    expect(runtime.endpoints.default).toEqual({
      primary: 'user_visible',
      bands: Object.fromEntries(queue.bands.map((b) => [b.band, b.url])),
      deadLetter: queue.deadLetter.url,
    });
    for (const band of queue.bands) {
      expect(band.name).toBe(`xikolo-async-development-jobs-default-${band.band.replace('_', '-')}`);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: band.url, AttributeNames: ['All'] }));
      expect(Attributes?.VisibilityTimeout).toBe(String(plan.visibilityTimeoutSeconds));
      expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: queue.deadLetter.arn, maxReceiveCount: 5 });
    }
    // long_running is polled by its starter, which hands each job to the (local) workflow of slices.
    const longRunning = runtime.queues.find((q) => q.plan.declaration.name === 'long_running')!;
    expect(longRunning.bands).toHaveLength(1);
    expect(runtime.workers.mappings.map((m) => m.options.label)).toEqual(['default/interactive', 'default/user_visible', 'default/reporting', 'mails/user_visible', 'long_running/user_visible']);
    expect(runtime.workers.mappings.map((m) => m.options.functionName).at(-1)).toBe('xikolo-async-development-jobs-long-running-starter');
  });

  it('runs a long-running job through its starter and checkpointed slices, every item once', async () => {
    const enqueued = await LongCountJob.performLater(250);
    await waitFor('the long job to finish', () => runsOf('LongCountJob').length === 250, 40_000);
    expect(runsOf('LongCountJob').map((r) => r.args[0])).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const progress = await waitFor('its slices\' progress lines', () => {
      const lines = jobEvents(output).filter((e) => e.id === enqueued.jobId && 'ItemsDone' in e);
      return lines.length > 1 && lines;
    });
    expect(progress.reduce((n, l) => n + (l.ItemsDone as number), 0)).toBe(250);
  });

  it('runs a job enqueued through the Job API', async () => {
    const enqueued = await EchoJob.performLater({ greeting: 'hello' });
    const run = await waitFor('EchoJob to run', () => runsOf('EchoJob').find((r) => (r.args[0] as { greeting?: string })?.greeting === 'hello'));
    expect(run.executions).toBe(1);
    const events = await waitFor('its run event', () => {
      const found = jobEvents(output).filter((e) => e.id === enqueued.jobId);
      return found.length > 0 && found;
    });
    expect(events[0]).toMatchObject({ event: 'run', job_name: 'LocalTest::EchoJob', queue: 'default', priority_name: 'user_visible', attempts: 1, errored: false, Environment: 'development' });
  });

  it('enqueues through the CLI helper the same way', async () => {
    expect(['42', '{"a":[1]}', 'plain text'].map(parseJobArgument)).toEqual([42, { a: [1] }, 'plain text']);
    const enqueued = await enqueueLocally('LocalTest::EchoJob', [parseJobArgument('"from-cli"')], {
      endpoints: runtime.endpoints,
      sqsEndpoint: runtime.sqs.endpoint,
      region: runtime.region,
      registry: registry(),
    });
    expect(enqueued.jobClass).toBe('LocalTest::EchoJob');
    await waitFor('the CLI-enqueued job to run', () => runsOf('EchoJob').find((r) => r.args[0] === 'from-cli'));
  });

  it('retries a job by its retryOn rule after the rule\'s wait', async () => {
    await RetryOnJob.performLater('r1');
    const failed = await waitFor('the first, failing run', () => runsOf('RetryOnJob:failed').find((r) => r.args[0] === 'r1'));
    const retried = await waitFor('the retry', () => runsOf('RetryOnJob').find((r) => r.args[0] === 'r1'));
    expect(failed.executions).toBe(1);
    expect(retried.executions).toBe(2);
    expect(retried.at - failed.at).toBeGreaterThanOrEqual(900);
  });

  it('retries a job no rule handles after the backend delay of attempts⁴ + 5 = 6 s', async () => {
    const enqueued = await BackendRetryJob.performLater('b1');
    const failed = await waitFor('the first, failing run', () => runsOf('BackendRetryJob:failed').find((r) => r.args[0] === 'b1'));
    const retried = await waitFor('the backend retry', () => runsOf('BackendRetryJob').find((r) => r.args[0] === 'b1'), 15_000);
    expect(retried.at - failed.at).toBeGreaterThanOrEqual(5_500);
    const events = jobEvents(output).filter((e) => e.id === enqueued.jobId);
    expect(events.map((e) => [e.event, e.attempts])).toEqual([
      ['run', 1],
      ['error', 1],
      ['run', 2],
    ]);
    expect(events[1]).toMatchObject({ error_class: 'TypeError', errored: true, failed: false });
  }, 30_000);

  it('sends an undecodable message to the dead-letter queue with its reason and the body intact', async () => {
    const body = '{"job_class": "LocalTest::EchoJob", this is not JSON';
    await sqs.send(new SendMessageCommand({ QueueUrl: runtime.endpoints.default!.bands.user_visible!, MessageBody: body }));
    const unknown = JSON.stringify({ job_class: 'NoSuchJob', job_id: 'j-unknown', queue_name: 'default', arguments: [], executions: 0 });
    await sqs.send(new SendMessageCommand({ QueueUrl: runtime.endpoints.default!.bands.user_visible!, MessageBody: unknown }));

    const dead = await receiveAll(sqs, runtime.endpoints.default!.deadLetter, 2);
    expect(dead.map((m) => m.Body).sort()).toEqual([body, unknown].sort());
    for (const message of dead) {
      expect(message.MessageAttributes?.[ATTRIBUTES.failureReason]?.StringValue).toBe('undecodable');
      expect(message.MessageAttributes?.[ATTRIBUTES.sourceQueue]?.StringValue).toBe('default');
    }
    const unknownDead = dead.find((m) => m.Body === unknown)!;
    expect(unknownDead.MessageAttributes?.[ATTRIBUTES.errorMessage]?.StringValue).toMatch(/unknown job class "NoSuchJob"/);
  });

  it('runs an interactive job while a backlog of reporting jobs on the same queue is stuck', async () => {
    const backlog = 40;
    await performAllLater(Array.from({ length: backlog }, (_, n) => GatedReportJob.build(n)));
    // The reporting band's two invocations are now busy with jobs that cannot finish.
    await waitFor('reporting jobs to start', () => runsOf('GatedReportJob:started').length >= 2);

    const started = Date.now();
    await InteractiveJob.performLater('urgent');
    await waitFor('the interactive job', () => runsOf('InteractiveJob').find((r) => r.args[0] === 'urgent'), 5_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(runsOf('GatedReportJob')).toHaveLength(0);
    expect(runsOf('GatedReportJob:started').length).toBeLessThanOrEqual(2 * 10); // two invocations of at most ten

    openGate();
    await waitFor('the backlog to drain', () => runsOf('GatedReportJob').length === backlog, 20_000);
    gate = Promise.resolve();
  }, 40_000);

  it('skips a second delivery of a completed deduplicated job, using the ledger table in DynamoDB', async () => {
    const job = OnceOnlyJob.build('d1');
    const body = JSON.stringify(job.serialize());
    const url = runtime.endpoints.default!.bands.user_visible!;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    await waitFor('the job to run', () => runsOf('OnceOnlyJob').length === 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    await waitFor('the duplicate to be skipped', () => output.some((line) => line.includes('duplicate delivery') && line.includes(job.jobId)));
    expect(runsOf('OnceOnlyJob')).toHaveLength(1);

    const dynamo = localDynamoClient(runtime.dynamodb.endpoint, runtime.region);
    try {
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: runtime.ledgerTable, Key: { jobId: { S: job.jobId } } }));
      expect(Item?.status?.S).toBe('completed');
    } finally {
      dynamo.destroy();
    }
  });
});

describe('local event source mapping', () => {
  let runtime: LocalRuntime;
  let sqs: SQSClient;

  beforeAll(async () => {
    runtime = await startLocalRuntime({ config: testConfig(), registry: registry(), sqsPort: 0, dynamodbPort: 0, output: () => {} });
    sqs = localSqsClient(runtime.sqs.endpoint, runtime.region);
  });

  afterAll(async () => {
    sqs?.destroy();
    await runtime?.stop();
  });

  it('sends Lambda\'s event shape and deletes only the messages not reported as failures', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'esm-probe', Attributes: { VisibilityTimeout: '1' } }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const events: SQSEvent[] = [];
    const remaining: number[] = [];
    const mapping = new SqsEventSourceMapping({
      sqs,
      queueUrl: QueueUrl!,
      queueArn: Attributes!.QueueArn!,
      region: runtime.region,
      batchSize: 10,
      maxConcurrency: 1,
      functionName: 'probe',
      functionTimeoutSeconds: 60,
      waitTimeSeconds: 1,
      handler: async (event, context) => {
        events.push(event);
        remaining.push(context.getRemainingTimeInMillis());
        return { batchItemFailures: event.Records.filter((r) => r.body === 'fail').map((r) => ({ itemIdentifier: r.messageId })) };
      },
      log: () => {},
    }).start();
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'ok', MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' }, n: { DataType: 'Number', StringValue: '7' } } }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'fail' }));
      // The failed message comes back after the 1 s visibility timeout with a higher receive count.
      const again = await waitFor('the failed message to be redelivered', () =>
        events.flatMap((e) => e.Records).find((r) => r.body === 'fail' && r.attributes.ApproximateReceiveCount === '2'),
      );
      expect(again.eventSource).toBe('aws:sqs');
      const records = events.flatMap((e) => e.Records);
      expect(records.filter((r) => r.body === 'ok')).toHaveLength(1);
      const ok = records.find((r) => r.body === 'ok')!;
      expect(ok).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: Attributes!.QueueArn,
        awsRegion: runtime.region,
        attributes: { ApproximateReceiveCount: '1' },
        messageAttributes: {
          kind: { stringValue: 'greeting', dataType: 'String', stringListValues: [], binaryListValues: [] },
          n: { stringValue: '7', dataType: 'Number' },
        },
      });
      expect(typeof ok.messageId).toBe('string');
      expect(typeof ok.receiptHandle).toBe('string');
      expect(ok.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
      expect(Number(ok.attributes.SentTimestamp)).toBeGreaterThan(0);
      expect(remaining[0]).toBeGreaterThan(55_000);
      expect(remaining[0]).toBeLessThanOrEqual(60_000);
    } finally {
      await mapping.stop();
    }
  });
});

describe('stopping the local runtime', () => {
  it('leaves no open handles and frees its ports', async () => {
    const countOf = (list: string[]) => list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }), {});
    const baseline = countOf(process.getActiveResourcesInfo());

    const runtime = await startLocalRuntime({ config: testConfig(), registry: registry(), sqsPort: 0, dynamodbPort: 0, output: () => {} });
    const ports = [runtime.sqs.port, runtime.dynamodb.port];
    await EchoJob.performLater('before-stop');
    await waitFor('the job to run', () => runsOf('EchoJob').find((r) => r.args[0] === 'before-stop'));
    // Pollers are parked in 20 s long polls now; stop must not wait them out.
    const stopping = Date.now();
    await runtime.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);

    // Anything the runtime opened (sockets, servers, timers) is gone again.
    const excess = () => Object.entries(countOf(process.getActiveResourcesInfo())).filter(([kind, n]) => n > (baseline[kind] ?? 0));
    expect(excess()).toEqual([]);

    for (const port of ports) {
      await new Promise<void>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
    }
  });
});
