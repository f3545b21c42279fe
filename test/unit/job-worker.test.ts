import { describe, it, expect, beforeEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SQSClient, SendMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod/mini';
import { ACTIVEJOB_FIXTURES } from '../support/shared';
import { createJobWorker, backendRetryDelaySeconds } from '../../functions/runtime/jobs/worker';
import { Job } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { ATTRIBUTES } from '../../functions/runtime/jobs/enqueue';
import { isKeywordArguments, GlobalId } from '../../functions/runtime/jobs/serialization';
import type { JobLedger } from '../../functions/runtime/jobs/ledger';
import {
  AlwaysFailingJob, DiscardingJob, EchoJob, ENDPOINTS, FlakyServiceJob, SlowJob,
  captureMetrics, discarded, envelope, performed, sqsEvent, sqsRecord, testRegistry,
} from '../support/jobs';

const FIXTURES = ACTIVEJOB_FIXTURES();
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as { body: string };

const sqsMock = mockClient(SQSClient);
const NOW = Date.parse('2026-12-04T16:00:00Z');

function worker(options: { registry?: JobRegistry; ledger?: JobLedger } = {}) {
  const { emitter, lines } = captureMetrics();
  const logs: Record<string, unknown>[] = [];
  const handle = createJobWorker({
    registry: options.registry ?? testRegistry(),
    queue: 'default',
    endpoints: ENDPOINTS,
    sqs: new SQSClient({ region: 'eu-central-1' }),
    metrics: emitter,
    now: () => NOW,
    random: () => 0.5,
    log: (entry) => logs.push(entry),
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
  return { handle, metrics: lines, logs };
}

function batchEntries() {
  return sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => ({ url: c.args[0].input.QueueUrl, ...e })));
}

function deadLetters() {
  return sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `sent-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  performed.length = 0;
  discarded.length = 0;
  FlakyServiceJob.failuresLeft = 0;
});

describe('job worker: running jobs', () => {
  it('runs a job, acknowledges it and emits a run event with Delayed tags', async () => {
    const { handle, metrics } = worker();
    const result = await handle(sqsEvent(sqsRecord(envelope('Test::EchoJob', ['hello'], { enqueued_at: '2026-12-04T15:59:50Z' }))));
    expect(result.batchItemFailures).toEqual([]);
    expect(performed).toEqual([{ job: 'Test::EchoJob', args: ['hello'], executions: 1 }]);
    expect(sqsMock.calls()).toHaveLength(0);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      event: 'run', job_name: 'Test::EchoJob', queue: 'default', priority: 10, priority_name: 'user_visible',
      errored: false, failed: false, retried: false, attempts: 1, age: 10, Environment: 'test', Event: 'run',
    });
    const aws = (metrics[0] as { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } })._aws;
    expect(aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Environment', 'Queue', 'PriorityName', 'Event'], ['Environment', 'JobName', 'Event']]);
    expect(JSON.stringify(aws)).not.toContain('"id"');
  });

  it('reports a batch\'s alike events on one EMF line, a value per job', async () => {
    const { handle, metrics } = worker();
    await handle(sqsEvent(
      sqsRecord(envelope('Test::EchoJob', ['a'], { job_id: 'a' })),
      sqsRecord(envelope('Test::EchoJob', ['b'], { job_id: 'b' })),
      sqsRecord(envelope('Test::EchoJob', ['c'], { job_id: 'c' })),
      sqsRecord(envelope('Test::DiscardingJob', ['d'], { job_id: 'd' })),
    ));
    const echo = metrics.filter((m) => m.job_name === 'Test::EchoJob');
    expect(echo).toHaveLength(1);
    expect(echo[0]).toMatchObject({ event: 'run', Jobs: [1, 1, 1], attempts: [1, 1, 1] });
    expect([...(echo[0]!.id as string[])].sort()).toEqual(['a', 'b', 'c']);
    expect(metrics.filter((m) => m.job_name === 'Test::DiscardingJob').map((m) => m.event)).toEqual(['run', 'discard']);
  });

  it('runs a Rails-serialized job with keyword arguments as the matching TypeScript job', async () => {
    const seen: unknown[][] = [];
    class SyncVideosJob extends Job<[options: { provider: string; full: boolean }]> {
      static {
        this.configure({ name: 'Video::SyncVideosJob', queue: 'default', priority: 'eventual' });
      }
      perform(options: { provider: string; full: boolean }) {
        seen.push([options, isKeywordArguments(options)]);
      }
    }
    class PublishGradeJob extends Job<[grade: GlobalId | string]> {
      static {
        this.configure({ name: 'Lti::PublishGradeJob' });
      }
      perform(grade: GlobalId | string) {
        seen.push([grade]);
      }
    }
    const { handle } = worker({ registry: new JobRegistry([SyncVideosJob, PublishGradeJob]) });
    const result = await handle(sqsEvent(
      sqsRecord(fixture('sync_videos_provider').body, {}, 1, 'default-eventual'),
      sqsRecord(fixture('globalid_record').body),
      sqsRecord(fixture('german_locale_timezone').body),
    ));
    expect(result.batchItemFailures).toEqual([]);
    expect(seen[0]).toEqual([{ provider: 'a8f7e5d0-1111-4c3b-9e2a-0c9d8e7f6a55', full: true }, true]);
    const gid = seen.find((s) => s[0] instanceof GlobalId)![0] as GlobalId;
    expect([gid.modelName, gid.modelId]).toEqual(['Lti::Grade', '42']);
    expect(seen).toContainEqual(['0d4c1c9c-3a4e-4b8e-9d1e-2f5b8c7a6e01']);
  });

  it('runs the jobs of a batch independently: one failure does not touch its siblings', async () => {
    const { handle } = worker();
    sqsMock.on(SendMessageCommand).rejects(new Error('SQS unavailable'));
    const bad = sqsRecord('{not json');
    const result = await handle(sqsEvent(sqsRecord(envelope('Test::EchoJob', ['a'])), bad, sqsRecord(envelope('Test::EchoJob', ['b']))));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(performed.map((p) => p.args[0]).sort()).toEqual(['a', 'b']);
  });
});

describe('job worker: retryOn rules', () => {
  it('re-enqueues with the rule counter and executions updated, waiting as the rule says (hours via hops)', async () => {
    FlakyServiceJob.failuresLeft = 1;
    const { handle, metrics } = worker();
    const body = envelope('Test::FlakyServiceJob', ['sub-1'], { job_id: 'j-flaky', priority: 20 });
    const result = await handle(sqsEvent(sqsRecord(body, {}, 1, 'default-eventual')));
    expect(result.batchItemFailures).toEqual([]);
    const [entry] = batchEntries();
    expect(entry!.url).toBe(ENDPOINTS.default!.bands.eventual);
    const sent = JSON.parse(entry!.MessageBody!);
    expect(sent).toMatchObject({ job_class: 'Test::FlakyServiceJob', job_id: 'j-flaky', executions: 1, exception_executions: { '[Proctoring::ServiceError]': 1 }, arguments: ['sub-1'] });
    // wait: executions hours → 1 h: SQS can delay 15 minutes, the rest rides on xikolo_run_at.
    expect(entry!.DelaySeconds).toBe(900);
    expect(Number(entry!.MessageAttributes![ATTRIBUTES.runAt]!.StringValue)).toBe(NOW + 3_600_000);
    expect(entry!.MessageAttributes![ATTRIBUTES.attempts]).toBeUndefined();
    expect(metrics.map((m) => m.event)).toEqual(['run', 'error']);
  });

  it('counts executions per rule from the Rails body and hands the error to the backend when attempts are used up', async () => {
    FlakyServiceJob.failuresLeft = 1;
    const { handle } = worker();
    const body = envelope('Test::FlakyServiceJob', ['sub-2'], { executions: 9, exception_executions: { '[Proctoring::ServiceError]': 9 }, priority: 20 });
    await handle(sqsEvent(sqsRecord(body, {}, 1, 'default-eventual')));
    const [entry] = batchEntries();
    // Backend retry: the very same body (Delayed re-runs the stored payload), attempt 1, 1⁴ + 5 s later.
    expect(entry!.MessageBody).toBe(body);
    expect(entry!.DelaySeconds).toBe(6);
    expect(entry!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('1');
  });

  it('runs onExhausted instead of failing when the rule has one', async () => {
    const handled: string[] = [];
    class Limited extends Job<[]> {
      static {
        this.configure({ name: 'Test::Limited' });
        this.retryOn(RangeError, { attempts: 2, onExhausted: (_job, error) => void handled.push(error.message) });
      }
      perform() {
        throw new RangeError('out of range');
      }
    }
    const { handle } = worker({ registry: new JobRegistry([Limited]) });
    await handle(sqsEvent(sqsRecord(envelope('Test::Limited', [], { exception_executions: { '[RangeError]': 1 } }))));
    expect(handled).toEqual(['out of range']);
    expect(sqsMock.calls()).toHaveLength(0);
  });
});

describe('job worker: backend retries and the dead-letter queue', () => {
  it('measures a retried job\'s age from when its retry was due, as Delayed does from run_at', async () => {
    const { handle, metrics } = worker();
    const body = envelope('Test::EchoJob', ['retried'], { enqueued_at: new Date(NOW - 600_000).toISOString() });
    await handle(sqsEvent(sqsRecord(body, { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '1' }, [ATTRIBUTES.runAt]: { dataType: 'Number', stringValue: String(NOW - 2_000) } })));
    expect(metrics[0]).toMatchObject({ event: 'run', attempts: 2, age: 2, duration: 600 });
  });

  it('reschedules an unhandled failure at attempts⁴ + 5 seconds', async () => {
    const { handle, metrics } = worker();
    const body = envelope('Test::AlwaysFailingJob', []);
    await handle(sqsEvent(sqsRecord(body, { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '1' } })));
    const [entry] = batchEntries();
    expect(entry!.MessageBody).toBe(body);
    expect(entry!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('2');
    expect(entry!.DelaySeconds).toBe(2 ** 4 + 5);
    expect(metrics.map((m) => [m.event, m.attempts, m.retried])).toEqual([['run', 2, true], ['error', 2, true]]);
  });

  it('sends the job to the dead-letter queue with its last error once max attempts are used', async () => {
    const { handle, metrics } = worker();
    const body = envelope('Test::AlwaysFailingJob', []);
    const result = await handle(sqsEvent(sqsRecord(body, { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '2' } })));
    expect(result.batchItemFailures).toEqual([]);
    expect(batchEntries()).toHaveLength(0);
    const [dead] = deadLetters();
    expect(dead!.QueueUrl).toBe(ENDPOINTS.default!.deadLetter);
    expect(dead!.MessageBody).toBe(body);
    const attrs = dead!.MessageAttributes!;
    expect(attrs[ATTRIBUTES.failureReason]!.StringValue).toBe('attempts_exhausted');
    expect(attrs[ATTRIBUTES.errorClass]!.StringValue).toBe('TypeError');
    expect(attrs[ATTRIBUTES.errorMessage]!.StringValue).toBe('boom');
    expect(attrs[ATTRIBUTES.errorBacktrace]!.StringValue).toContain('TypeError: boom');
    expect(attrs[ATTRIBUTES.attempts]!.StringValue).toBe('3');
    expect(attrs[ATTRIBUTES.failedAt]!.StringValue).toBe(new Date(NOW).toISOString());
    expect(metrics.map((m) => [m.event, m.failed])).toEqual([['run', false], ['failure', true]]);
  });

  it('gives a job redriven from the dead-letter queue fresh attempts', async () => {
    const { handle } = worker();
    await handle(sqsEvent(sqsRecord(envelope('Test::AlwaysFailingJob', []), {
      [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '3' },
      [ATTRIBUTES.failureReason]: { dataType: 'String', stringValue: 'attempts_exhausted' },
    })));
    expect(deadLetters()).toHaveLength(0);
    expect(batchEntries()[0]!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('1');
  });

  it('has Delayed backoff values', () => {
    expect([1, 2, 3, 24].map(backendRetryDelaySeconds)).toEqual([6, 21, 86, 331_781]);
  });
});

describe('job worker: discardOn', () => {
  it('drops the job, runs the callback and counts a discard', async () => {
    const { handle, metrics } = worker();
    const result = await handle(sqsEvent(sqsRecord(envelope('Test::DiscardingJob', ['v-1'], { job_id: 'd-1' }))));
    expect(result.batchItemFailures).toEqual([]);
    expect(discarded).toEqual([{ job: 'd-1', error: 'record v-1 is gone' }]);
    expect(sqsMock.calls()).toHaveLength(0);
    expect(metrics.map((m) => m.event)).toEqual(['run', 'discard']);
  });
});

describe('job worker: messages that cannot be decoded', () => {
  const cases: [string, string, RegExp][] = [
    ['bad JSON', '{"job_class": "Test::EchoJob", ', /JSON/],
    ['unknown job class', envelope('Nope::MissingJob', []), /unknown job class "Nope::MissingJob"/],
    ['bad arguments encoding', envelope('Test::EchoJob', [{ _aj_globalid: 'not a gid' }]), /arguments\[0\]/],
  ];
  for (const [name, body, reason] of cases) {
    it(`dead-letters ${name} at once, body byte for byte, with the reason`, async () => {
      const { handle } = worker();
      const result = await handle(sqsEvent(sqsRecord(body)));
      expect(result.batchItemFailures).toEqual([]);
      expect(batchEntries()).toHaveLength(0);
      const [dead] = deadLetters();
      expect(dead!.MessageBody).toBe(body);
      expect(dead!.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue).toBe('undecodable');
      expect(dead!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toMatch(reason);
      expect(performed).toEqual([]);
    });
  }

  it('dead-letters arguments that do not match the job\'s schema', async () => {
    class Typed extends Job<[id: string, count: number]> {
      static {
        this.configure({ name: 'Test::Typed', arguments: z.tuple([z.string(), z.number()]) });
      }
      perform() {
        performed.push({ job: 'Test::Typed', args: [], executions: 1 });
      }
    }
    const { handle } = worker({ registry: new JobRegistry([Typed]) });
    await handle(sqsEvent(sqsRecord(envelope('Test::Typed', ['x', 'not a number']))));
    const [dead] = deadLetters();
    expect(dead!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toMatch(/Test::Typed: arguments of the wrong shape: arguments\[1\]/);
    expect(performed).toEqual([]);
  });
});

describe('job worker: max run time', () => {
  it('stops a job past its max run time and counts a failed attempt', async () => {
    const { emitter } = captureMetrics();
    const handle = createJobWorker({ registry: testRegistry(), queue: 'default', endpoints: ENDPOINTS, sqs: new SQSClient({ region: 'eu-central-1' }), metrics: emitter, log: () => {} });
    const body = envelope('Test::SlowJob', [1500]);
    await handle(sqsEvent(sqsRecord(body)));
    const [entry] = batchEntries();
    expect(entry!.MessageBody).toBe(body);
    expect(entry!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('1');
    expect(performed).toEqual([]);
  });

  it('dead-letters a job that keeps timing out, naming the timeout', async () => {
    const { emitter } = captureMetrics();
    const handle = createJobWorker({ registry: testRegistry(), queue: 'default', endpoints: ENDPOINTS, sqs: new SQSClient({ region: 'eu-central-1' }), metrics: emitter, log: () => {} });
    await handle(sqsEvent(sqsRecord(envelope('Test::SlowJob', [1500]), { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '1' } })));
    const [dead] = deadLetters();
    expect(dead!.MessageAttributes![ATTRIBUTES.errorClass]!.StringValue).toBe('Delayed::WorkerTimeout');
    expect(dead!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toMatch(/max run time of 1 s/);
  });

  it('stops jobs early enough for the batch to report before Lambda\'s timeout', async () => {
    const { emitter } = captureMetrics();
    const handle = createJobWorker({ registry: testRegistry(), queue: 'default', endpoints: ENDPOINTS, sqs: new SQSClient({ region: 'eu-central-1' }), metrics: emitter, log: () => {} });
    const started = Date.now();
    // 10.3 s left in the invocation: the job (1 s max run time) gets at most 0.3 s.
    await handle(sqsEvent(sqsRecord(envelope('Test::SlowJob', [800]))), { getRemainingTimeInMillis: () => 10_300 });
    expect(Date.now() - started).toBeLessThan(700);
    expect(batchEntries()[0]!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('1');
  });
});

describe('job worker: long waits', () => {
  it('sends a job received before it is due onward with the remaining delay, without running it', async () => {
    const { handle } = worker();
    const body = envelope('Test::EchoJob', ['later']);
    const dueAt = NOW + 2 * 3_600_000;
    await handle(sqsEvent(sqsRecord(body, { [ATTRIBUTES.runAt]: { dataType: 'Number', stringValue: String(dueAt) } })));
    expect(performed).toEqual([]);
    const [entry] = batchEntries();
    expect(entry!.MessageBody).toBe(body);
    expect(entry!.DelaySeconds).toBe(900);
    expect(entry!.MessageAttributes![ATTRIBUTES.runAt]!.StringValue).toBe(String(dueAt));
  });

  it('runs a job whose remaining wait is under a second', async () => {
    const { handle } = worker();
    await handle(sqsEvent(sqsRecord(envelope('Test::EchoJob', ['due']), { [ATTRIBUTES.runAt]: { dataType: 'Number', stringValue: String(NOW + 500) } })));
    expect(performed.map((p) => p.args[0])).toEqual(['due']);
  });

  it('honours scheduled_at in a Rails 7.1 body', async () => {
    const { handle } = worker();
    await handle(sqsEvent(sqsRecord(envelope('Test::EchoJob', ['x'], { scheduled_at: '2026-12-04T16:10:00.000000000Z' }))));
    expect(performed).toEqual([]);
    expect(batchEntries()[0]!.DelaySeconds).toBe(600);
  });
});

describe('job worker: deduplication', () => {
  class OnceJob extends Job<[]> {
    static {
      this.configure({ name: 'Test::OnceJob', deduplicate: true });
    }
    perform() {
      performed.push({ job: 'Test::OnceJob', args: [], executions: this.executions });
    }
  }
  function ledger(state: 'acquired' | 'completed' | 'in_progress') {
    const calls: string[] = [];
    const l: JobLedger = {
      begin: async (id) => (calls.push(`begin ${id}`), state),
      complete: async (id) => void calls.push(`complete ${id}`),
      release: async (id) => void calls.push(`release ${id}`),
    };
    return { l, calls };
  }

  it('runs a first delivery and records it completed', async () => {
    const { l, calls } = ledger('acquired');
    const { handle } = worker({ registry: new JobRegistry([OnceJob]), ledger: l });
    await handle(sqsEvent(sqsRecord(envelope('Test::OnceJob', [], { job_id: 'once-1' }))));
    expect(performed).toHaveLength(1);
    expect(calls).toEqual(['begin once-1', 'complete once-1']);
  });

  it('skips a second delivery of a completed job', async () => {
    const { l } = ledger('completed');
    const { handle } = worker({ registry: new JobRegistry([OnceJob]), ledger: l });
    const result = await handle(sqsEvent(sqsRecord(envelope('Test::OnceJob', [], { job_id: 'once-1' }))));
    expect(result.batchItemFailures).toEqual([]);
    expect(performed).toHaveLength(0);
  });

  it('hands a delivery back to SQS while another run holds the lease', async () => {
    const { l } = ledger('in_progress');
    const { handle } = worker({ registry: new JobRegistry([OnceJob]), ledger: l });
    const record = sqsRecord(envelope('Test::OnceJob', [], { job_id: 'once-1' }));
    const result = await handle(sqsEvent(record));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(performed).toHaveLength(0);
  });

  it('acknowledges a completed job even when the ledger cannot record it, so it is not run again', async () => {
    const calls: string[] = [];
    const l: JobLedger = {
      begin: async () => 'acquired',
      complete: async (id) => {
        calls.push(`complete ${id}`);
        throw new Error('ProvisionedThroughputExceededException');
      },
      release: async () => {},
    };
    const { handle, logs } = worker({ registry: new JobRegistry([OnceJob]), ledger: l });
    const result = await handle(sqsEvent(sqsRecord(envelope('Test::OnceJob', [], { job_id: 'once-9' }))));
    expect(result.batchItemFailures).toEqual([]);
    expect(performed).toHaveLength(1);
    expect(calls).toEqual(['complete once-9', 'complete once-9', 'complete once-9']);
    expect(logs.some((e) => String(e.message).includes('could not record the job as completed'))).toBe(true);
  });

  it('does not consult the ledger for jobs that did not declare deduplication', async () => {
    const { l, calls } = ledger('completed');
    const { handle } = worker({ ledger: l });
    await handle(sqsEvent(sqsRecord(envelope('Test::EchoJob', ['x']))));
    expect(calls).toEqual([]);
    expect(performed).toHaveLength(1);
  });
});

describe('job worker: priority bands', () => {
  it('moves a job that arrived on another band\'s queue (Rails sends every priority to one URL) to its own band, unrun', async () => {
    const { handle } = worker();
    const body = envelope('Test::EchoJob', ['eventual'], { priority: 25 });
    const result = await handle(sqsEvent(sqsRecord(body, { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '2' } }, 1, 'default-user-visible')));
    expect(result.batchItemFailures).toEqual([]);
    expect(performed).toEqual([]);
    const [entry] = batchEntries();
    expect(entry!.url).toBe(ENDPOINTS.default!.bands.eventual);
    expect(entry!.MessageBody).toBe(body);
    expect(entry!.DelaySeconds).toBe(0);
    expect(entry!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('2');
  });

  it('runs a job on its own band\'s queue, and one whose band has no queue on the nearest', async () => {
    const { handle } = worker();
    await handle(sqsEvent(
      sqsRecord(envelope('Test::EchoJob', ['on-band'], { priority: 25 }), {}, 1, 'default-eventual'),
      sqsRecord(envelope('Test::EchoJob', ['interactive'], { priority: 0 }), {}, 1, 'default-user-visible'),
    ));
    expect(performed.map((p) => p.args[0]).sort()).toEqual(['interactive', 'on-band']);
    expect(batchEntries()).toHaveLength(0);
  });
});

describe('job worker: message attributes from Rails', () => {
  it('accepts the attributes AWS\'s Rails adapter sets', async () => {
    const { handle } = worker();
    const body = envelope('Test::EchoJob', ['rails']);
    await handle(sqsEvent(sqsRecord(body, { aws_sqs_active_job_class: { dataType: 'String', stringValue: 'Test::EchoJob' } })));
    expect(performed.map((p) => p.args[0])).toEqual(['rails']);
    expect(EchoJob.definition.name).toBe('Test::EchoJob');
    expect(DiscardingJob.definition.rescueRules).toHaveLength(1);
    expect(SlowJob.definition.maxRunTimeSeconds).toBe(1);
    expect(AlwaysFailingJob.definition.maxAttempts).toBe(3);
  });
});

describe('job worker: jobs that need a long-running runner', () => {
  it('sends a resumable job that arrived on a Lambda-run queue (set(queue:), a retry rule) to its own queue, unrun', async () => {
    const { IterableJob } = await import('../../functions/runtime/jobs/iterable');
    class LongOne extends IterableJob<[], number, number> {
      static {
        this.configure({ name: 'Test::LongOne', queue: 'long_running', maxRunTime: 36_000 });
      }
      *buildEnumerator() {
        yield [1, 1] as const;
      }
      eachIteration() {
        performed.push({ job: 'Test::LongOne', args: [], executions: 1 });
      }
    }
    const endpoints = { ...ENDPOINTS, long_running: { primary: 'user_visible' as const, bands: { user_visible: 'https://sqs.eu-central-1.amazonaws.com/123456789012/long-running-user-visible' }, deadLetter: 'https://sqs.eu-central-1.amazonaws.com/123456789012/long-running-dlq' } };
    const { emitter } = captureMetrics();
    const handle = createJobWorker({ registry: new JobRegistry([LongOne]), queue: 'default', endpoints, sqs: new SQSClient({ region: 'eu-central-1' }), metrics: emitter, log: () => {} });
    const body = envelope('Test::LongOne', [], { queue_name: 'default' });
    await handle(sqsEvent(sqsRecord(body)));
    expect(performed).toEqual([]);
    const [entry] = batchEntries();
    expect(entry!.url).toBe(endpoints.long_running.bands.user_visible);
    expect(entry!.MessageBody).toBe(body);
  });
});
