/** Test jobs and helpers shared by the job tests. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Job } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { MetricsEmitter } from '../../functions/runtime/metrics/emf';
import type { QueueEndpoints } from '../../functions/runtime/jobs/endpoints';

export class ServiceError extends Error {
  static readonly rubyName = 'Proctoring::ServiceError';
}
export class RecordGone extends Error {}

/** What the test jobs did, in order. */
export const performed: { job: string; args: unknown[]; executions: number }[] = [];

export class EchoJob extends Job<[value: string]> {
  static {
    this.configure({ name: 'Test::EchoJob', queue: 'default' });
  }
  perform(value: string): void {
    performed.push({ job: 'Test::EchoJob', args: [value], executions: this.executions });
  }
}

export class FlakyServiceJob extends Job<[id: string]> {
  static failuresLeft = 0;
  static {
    this.configure({ name: 'Test::FlakyServiceJob', queue: 'default', priority: 'eventual' });
    this.retryOn(ServiceError, { wait: (executions) => executions * 3600, attempts: 10 });
  }
  perform(id: string): void {
    if (FlakyServiceJob.failuresLeft > 0) {
      FlakyServiceJob.failuresLeft--;
      throw new ServiceError(`vendor down for ${id}`);
    }
    performed.push({ job: 'Test::FlakyServiceJob', args: [id], executions: this.executions });
  }
}

export const discarded: { job: string; error: string }[] = [];

export class DiscardingJob extends Job<[id: string]> {
  static {
    this.configure({ name: 'Test::DiscardingJob', queue: 'default' });
    this.discardOn(RecordGone, (job, error) => {
      discarded.push({ job: job.jobId, error: error.message });
    });
  }
  perform(id: string): void {
    throw new RecordGone(`record ${id} is gone`);
  }
}

export class AlwaysFailingJob extends Job<[]> {
  static {
    this.configure({ name: 'Test::AlwaysFailingJob', queue: 'default', maxAttempts: 3 });
  }
  perform(): void {
    throw new TypeError('boom');
  }
}

export class SlowJob extends Job<[ms: number]> {
  static {
    this.configure({ name: 'Test::SlowJob', queue: 'default', maxRunTime: 1, maxAttempts: 2 });
  }
  async perform(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    performed.push({ job: 'Test::SlowJob', args: [ms], executions: this.executions });
  }
}

export const testRegistry = () => new JobRegistry([EchoJob, FlakyServiceJob, DiscardingJob, AlwaysFailingJob, SlowJob]);

export const ENDPOINTS: QueueEndpoints = {
  default: {
    primary: 'user_visible',
    bands: {
      user_visible: 'https://sqs.eu-central-1.amazonaws.com/123456789012/default-user-visible',
      eventual: 'https://sqs.eu-central-1.amazonaws.com/123456789012/default-eventual',
    },
    deadLetter: 'https://sqs.eu-central-1.amazonaws.com/123456789012/default-dlq',
  },
  mails: {
    primary: 'user_visible',
    bands: { user_visible: 'https://sqs.eu-central-1.amazonaws.com/123456789012/mails-user-visible' },
    deadLetter: 'https://sqs.eu-central-1.amazonaws.com/123456789012/mails-dlq',
  },
};

export function captureMetrics(): { emitter: MetricsEmitter; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { emitter: new MetricsEmitter({ sink: (line) => lines.push(JSON.parse(line)), defaultDimensions: { Environment: 'test' } }), lines };
}

let counter = 0;
export function sqsRecord(body: string, attributes: Record<string, { stringValue: string; dataType: string }> = {}, receiveCount = 1, sourceQueue = 'default-user-visible'): SQSRecord {
  counter++;
  return {
    messageId: `msg-${counter}`,
    receiptHandle: `rh-${counter}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { ...v, stringListValues: [], binaryListValues: [] }])),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-central-1:123456789012:${sourceQueue}`,
    awsRegion: 'eu-central-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export function envelope(jobClass: string, args: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    job_class: jobClass,
    job_id: extra.job_id ?? `job-${++counter}`,
    provider_job_id: null,
    queue_name: 'default',
    priority: null,
    arguments: args,
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: new Date().toISOString(),
    ...extra,
  });
}
