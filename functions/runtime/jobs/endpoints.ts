/**
 * Where each queue's messages go: one SQS queue per priority band the queue
 * uses, plus its dead-letter queue. The CDK app writes this map into the
 * workers' environment (XIKOLO_JOB_QUEUES); the local runtime builds it from
 * the emulator's queue URLs.
 */
import { nearestBand, type PriorityBand } from './priority';

export interface QueueEndpoint {
  /** Band whose SQS queue takes jobs from outside (the Rails adapter's queue URL). */
  readonly primary: PriorityBand;
  readonly bands: Partial<Record<PriorityBand, string>>;
  readonly deadLetter: string;
}

export type QueueEndpoints = Readonly<Record<string, QueueEndpoint>>;

export const ENDPOINTS_ENV = 'XIKOLO_JOB_QUEUES';

export class UnknownQueueError extends Error {
  constructor(queue: string, known: readonly string[]) {
    super(`no queue "${queue}" in this environment: use one of ${known.join(', ') || '(none)'} (queues are declared in functions/app/queues.ts)`);
    this.name = 'UnknownQueueError';
  }
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): QueueEndpoints {
  const raw = env[ENDPOINTS_ENV];
  if (!raw) throw new Error(`${ENDPOINTS_ENV} is not set: the job queues' URLs are unknown (the CDK app sets it on every function that enqueues; locally, npm start does)`);
  try {
    return JSON.parse(raw) as QueueEndpoints;
  } catch (err) {
    throw new Error(`${ENDPOINTS_ENV} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The SQS queue URL for a job of `queue` with `priority`: its band's queue,
 * or, where that band has no queue of its own (no job declares it), the
 * nearest band that has one, preferring the more urgent side so nothing is
 * delayed by the fallback.
 */
export function queueUrlFor(endpoints: QueueEndpoints, queue: string, priority: number): string {
  const endpoint = endpoints[queue];
  if (!endpoint) throw new UnknownQueueError(queue, Object.keys(endpoints));
  const band = nearestBand(priority, (b) => endpoint.bands[b] !== undefined);
  if (band) return endpoint.bands[band]!;
  throw new Error(`queue "${queue}" has no SQS queue for any priority band: check ${ENDPOINTS_ENV}`);
}
