/**
 * Real jobs through a real SQS API (fauxqs, in process), run by the very
 * worker Lambda runs, fed as Lambda's event source mapping feeds it: delays,
 * visibility timeouts after a crashed invocation, the redrive policy, the
 * dead-letter queue.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startSqsEmulator, type RunningEmulator } from '../../local/emulators';
import { localSqsClient } from '../../local/clients';
import { reachableQueueUrl } from '../../local/queues';
import { SqsEventSourceMapping, type SqsHandler } from '../../local/sqs-poller';
import { createJobWorker } from '../../functions/runtime/jobs/worker';
import { Job } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { setJobAdapter, SqsJobAdapter, ATTRIBUTES } from '../../functions/runtime/jobs/enqueue';
import type { QueueEndpoints } from '../../functions/runtime/jobs/endpoints';
import { captureMetrics } from '../support/jobs';
import { waitFor } from '../support/wait';

const ran: { value: string; at: number }[] = [];

class StampJob extends Job<[value: string]> {
  static {
    this.configure({ name: 'Sqs::StampJob', maxRunTime: 30 });
  }
  perform(value: string): void {
    ran.push({ value, at: Date.now() });
  }
}

let sqsEmulator: RunningEmulator;
let sqs: SQSClient;
let mapping: SqsEventSourceMapping | undefined;

async function queue(name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = reachableQueueUrl(sqsEmulator.endpoint, created.QueueUrl!);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes!.QueueArn! };
}

/** A band queue with its dead-letter queue, a worker on it, and the event source mapping between them. */
async function deploy(name: string, options: { visibilityTimeout: number; maxReceiveCount: number; wrap?: (handler: SqsHandler) => SqsHandler }) {
  const dlq = await queue(`${name}-dlq`);
  const band = await queue(`${name}-user-visible`, {
    VisibilityTimeout: String(options.visibilityTimeout),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount }),
  });
  const endpoints: QueueEndpoints = { default: { primary: 'user_visible', bands: { user_visible: band.url }, deadLetter: dlq.url } };
  setJobAdapter(new SqsJobAdapter(sqs, endpoints));
  const { emitter } = captureMetrics();
  const worker = createJobWorker({ registry: new JobRegistry([StampJob]), queue: 'default', endpoints, sqs, metrics: emitter, log: () => {} }) as unknown as SqsHandler;
  mapping = new SqsEventSourceMapping({
    sqs, queueUrl: band.url, queueArn: band.arn, region: 'eu-central-1', batchSize: 10, maxConcurrency: 2,
    functionName: `${name}-worker`, functionTimeoutSeconds: 5, handler: options.wrap ? options.wrap(worker) : worker,
    waitTimeSeconds: 1, log: () => {},
  }).start();
  return { band, dlq };
}


beforeAll(async () => {
  sqsEmulator = await startSqsEmulator({ port: 0, region: 'eu-central-1' });
  sqs = localSqsClient(sqsEmulator.endpoint, 'eu-central-1');
});
afterEach(async () => {
  await mapping?.stop(5_000);
  mapping = undefined;
  setJobAdapter(undefined);
  ran.length = 0;
});
afterAll(async () => {
  sqs.destroy();
  await sqsEmulator.stop();
});

describe('jobs through a real SQS API', () => {
  it('runs a delayed job no earlier than its delay', async () => {
    await deploy('delay', { visibilityTimeout: 30, maxReceiveCount: 5 });
    const enqueued = Date.now();
    await StampJob.set({ wait: 2 }).performLater('later');
    await StampJob.performLater('now');
    const later = await waitFor('the delayed job', () => ran.find((r) => r.value === 'later'));
    expect(ran[0]!.value).toBe('now');
    expect(later.at - enqueued).toBeGreaterThanOrEqual(1_900);
  });

  it('gets a job back after the visibility timeout when an invocation crashed, and runs it then', async () => {
    let crashes = 0;
    await deploy('crash-once', {
      visibilityTimeout: 1,
      maxReceiveCount: 5,
      // The first invocation dies before it reports (Lambda killed): nothing is deleted.
      wrap: (worker) => async (event, context) => {
        if (crashes++ === 0) throw new Error('Runtime exited with error: signal: killed');
        return worker(event, context);
      },
    });
    await StampJob.performLater('survivor');
    await waitFor('the job after the crash', () => ran.find((r) => r.value === 'survivor'));
    expect(crashes).toBeGreaterThanOrEqual(2);
  });

  it('lets the redrive policy dead-letter a message whose invocations keep crashing, body and attributes intact', async () => {
    const { dlq } = await deploy('crash-loop', {
      visibilityTimeout: 1,
      maxReceiveCount: 2,
      wrap: () => async () => {
        throw new Error('Runtime exited with error: signal: killed');
      },
    });
    const enqueued = await StampJob.performLater('doomed');
    const message = await waitFor('the dead letter', async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MessageAttributeNames: ['All'], AttributeNames: ['All'], WaitTimeSeconds: 1 }));
      return Messages?.[0];
    }, 20_000);
    expect(JSON.parse(message.Body!)).toMatchObject({ job_class: 'Sqs::StampJob', job_id: enqueued.jobId, arguments: ['doomed'] });
    expect(message.MessageAttributes![ATTRIBUTES.jobClass]!.StringValue).toBe('Sqs::StampJob');
    // No worker reported on it: the redrive policy moved it, so it carries no failure reason.
    expect(message.MessageAttributes![ATTRIBUTES.failureReason]).toBeUndefined();
    expect(ran).toEqual([]);
  });

  it('deletes every job of a batch that ran, leaving the queue empty', async () => {
    const { band } = await deploy('settled', { visibilityTimeout: 2, maxReceiveCount: 5 });
    await StampJob.performLater('one');
    await StampJob.performLater('two');
    await waitFor('both jobs', () => (ran.length === 2 ? ran : undefined));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: band.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(0);
    expect(ran.map((r) => r.value).sort()).toEqual(['one', 'two']);
  });
});
