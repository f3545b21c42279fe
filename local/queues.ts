/**
 * The job queues of one environment, created in the SQS emulator exactly as
 * the jobs stack deploys them: from `planQueues`, one queue per priority band
 * plus one dead-letter queue per ActiveJob queue, with the deployed names,
 * visibility timeout, retention and redrive policy.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CRASH_REDRIVE_RECEIVES, type QueuePlan } from '../lib/jobs/topology';
import { jobBandQueueName, jobDeadLetterQueueName } from '../lib/naming';
import type { QueueEndpoint, QueueEndpoints } from '../functions/runtime/jobs/endpoints';
import type { PriorityBand } from '../functions/runtime/jobs/priority';

/** As the jobs stack: messages are kept 14 days, in band and dead-letter queues alike. */
export const RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface LocalSqsQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface LocalBandQueue extends LocalSqsQueue {
  readonly band: PriorityBand;
  /** MaximumConcurrency of the band's event source mapping, as deployed. */
  readonly maxConcurrency: number;
}

export interface LocalJobQueue {
  readonly plan: QueuePlan;
  /** Most urgent first, as in the plan. */
  readonly bands: readonly LocalBandQueue[];
  readonly primary: LocalBandQueue;
  readonly deadLetter: LocalSqsQueue;
  readonly endpoint: QueueEndpoint;
}

/** SQS queue names: the deployed naming rule (lib/naming.ts). */
export function bandQueueName(environment: string, queue: string, band: PriorityBand): string {
  return jobBandQueueName(environment, queue, band);
}

export function deadLetterQueueName(environment: string, queue: string): string {
  return jobDeadLetterQueueName(environment, queue);
}

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/<account>/<name>`,
 * a host many resolvers (glibc without systemd, macOS tools) cannot find.
 * It accepts any host in a QueueUrl, so the runtime hands out the same path
 * on the endpoint itself, which every client can reach.
 */
export function reachableQueueUrl(sqsEndpoint: string, queueUrl: string): string {
  return `${sqsEndpoint.replace(/\/+$/, '')}${new URL(queueUrl).pathname}`;
}

async function createQueue(sqs: SQSClient, sqsEndpoint: string, name: string, attributes: Record<string, string>): Promise<LocalSqsQueue> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`SQS emulator: CreateQueue ${name} returned no URL`);
  const url = reachableQueueUrl(sqsEndpoint, QueueUrl);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS emulator: queue ${name} has no ARN`);
  return { name, url, arn };
}

/** Creates every queue of the plans; returns them with the endpoint map the runtime reads (XIKOLO_JOB_QUEUES). */
export async function createJobQueues(sqs: SQSClient, sqsEndpoint: string, environment: string, plans: readonly QueuePlan[]): Promise<{ queues: LocalJobQueue[]; endpoints: QueueEndpoints }> {
  const queues: LocalJobQueue[] = [];
  for (const plan of plans) {
    const queueName = plan.declaration.name;
    const deadLetter = await createQueue(sqs, sqsEndpoint, deadLetterQueueName(environment, queueName), { MessageRetentionPeriod: String(RETENTION_SECONDS) });
    const bands: LocalBandQueue[] = [];
    for (const { band, maxConcurrency } of plan.bands) {
      const queue = await createQueue(sqs, sqsEndpoint, bandQueueName(environment, queueName, band), {
        VisibilityTimeout: String(plan.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(RETENTION_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: CRASH_REDRIVE_RECEIVES }),
      });
      bands.push({ ...queue, band, maxConcurrency });
    }
    const primary = bands.find((b) => b.band === plan.primary);
    if (!primary) throw new Error(`queue ${queueName}: the plan's primary band ${plan.primary} has no queue`);
    queues.push({
      plan,
      bands,
      primary,
      deadLetter,
      endpoint: { primary: plan.primary, bands: Object.fromEntries(bands.map((b) => [b.band, b.url])), deadLetter: deadLetter.url },
    });
  }
  return { queues, endpoints: Object.fromEntries(queues.map((q) => [q.plan.declaration.name, q.endpoint])) };
}

/** The endpoint map of queues already created by a running local runtime (for the enqueue helper and other processes). */
export async function lookUpJobQueues(sqs: SQSClient, sqsEndpoint: string, environment: string, plans: readonly QueuePlan[]): Promise<QueueEndpoints> {
  const url = async (name: string) => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error(`SQS emulator: no URL for queue ${name}`);
    return reachableQueueUrl(sqsEndpoint, QueueUrl);
  };
  const endpoints: Record<string, QueueEndpoint> = {};
  for (const plan of plans) {
    const queueName = plan.declaration.name;
    const bands: Partial<Record<PriorityBand, string>> = {};
    for (const { band } of plan.bands) bands[band] = await url(bandQueueName(environment, queueName, band));
    endpoints[queueName] = { primary: plan.primary, bands, deadLetter: await url(deadLetterQueueName(environment, queueName)) };
  }
  return endpoints;
}
