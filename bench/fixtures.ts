/**
 * What the benchmark runs: no-op jobs, queue endpoints for every declared
 * queue, and SQS records shaped as Lambda's event source mapping delivers
 * them (body and message attributes exactly as SqsJobAdapter sends them).
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Job } from '../functions/runtime/jobs/job';
import { PRIORITY_BANDS } from '../functions/runtime/jobs/priority';
import { ATTRIBUTES, WIRE_VERSION } from '../functions/runtime/jobs/enqueue';
import { encodeEnvelope } from '../functions/runtime/jobs/serialization';
import type { QueueEndpoints } from '../functions/runtime/jobs/endpoints';
import type { JobClass } from '../functions/runtime/jobs/job';
import { queues } from '../functions/app/queues';

export const REGION = 'eu-central-1';
export const ACCOUNT = '000000000000';

/** How many times the bench jobs ran (to check every message really reached `perform`). */
export const ran = { noop: 0, dedup: 0 };

export class BenchNoopJob extends Job<[n: number]> {
  static {
    this.configure({ name: 'Bench::NoopJob', queue: 'default' });
  }
  perform(_n: number): void {
    ran.noop++;
  }
}

export class BenchDedupJob extends Job<[n: number]> {
  static {
    this.configure({ name: 'Bench::DedupJob', queue: 'default', deduplicate: true });
  }
  perform(_n: number): void {
    ran.dedup++;
  }
}

/** Endpoints for every declared queue with a queue per priority band, as the CDK app would write them. */
export function endpointsFor(urlOf: (queue: string, band: string) => string): QueueEndpoints {
  return Object.fromEntries(
    queues.map((q) => [
      q.name,
      {
        primary: 'user_visible' as const,
        bands: Object.fromEntries(PRIORITY_BANDS.map((band) => [band, urlOf(q.name, band)])),
        deadLetter: urlOf(q.name, 'dlq'),
      },
    ]),
  );
}

/** Dummy endpoints (nothing listens there): for code paths that must not call SQS. */
export const DUMMY_ENDPOINTS = endpointsFor((queue, band) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/bench-${queue}-${band}`);

let sequence = 0;

/** One SQS record carrying `jobClass` built with `args`, as Lambda hands it to the worker. */
export function jobRecord(jobClass: JobClass, args: unknown[]): SQSRecord {
  const job = new jobClass();
  job.arguments = args;
  const envelope = job.serialize(new Date());
  const id = ++sequence;
  const now = String(Date.now());
  const attribute = (value: string) => ({ stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' });
  return {
    messageId: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    receiptHandle: `bench-receipt-${id}`,
    body: encodeEnvelope(envelope),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: ACCOUNT, ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {
      [ATTRIBUTES.jobClass]: attribute(envelope.job_class),
      [ATTRIBUTES.version]: attribute(WIRE_VERSION),
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:bench-default-user_visible`,
    awsRegion: REGION,
  };
}

export function jobBatch(jobClass: JobClass, size: number, args: (i: number) => unknown[] = (i) => [i]): SQSEvent {
  return { Records: Array.from({ length: size }, (_, i) => jobRecord(jobClass, args(i))) };
}

/** A Lambda context with the 15 minutes a worker gets at most. */
export const lambdaContext = {
  functionName: 'bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 900_000,
};
