import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { Job, performAllLater } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { setJobAdapter, SqsJobAdapter, EnqueueError, ATTRIBUTES } from '../../functions/runtime/jobs/enqueue';
import { executeJob, findRule, retryDelaySeconds } from '../../functions/runtime/jobs/execution';
import { queueUrlFor } from '../../functions/runtime/jobs/endpoints';
import { JobDefinitionError, ExpectedRetry } from '../../functions/runtime/jobs/errors';
import { decodeEnvelope, kwargs, parseTimestamp } from '../../functions/runtime/jobs/serialization';
import { ENDPOINTS, EchoJob, FlakyServiceJob, ServiceError, performed } from '../support/jobs';

const sqsMock = mockClient(SQSClient);

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
  setJobAdapter(new SqsJobAdapter(new SQSClient({ region: 'eu-central-1' }), ENDPOINTS));
  performed.length = 0;
});
afterEach(() => setJobAdapter(undefined));

const sentEntries = () => sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => ({ url: c.args[0].input.QueueUrl!, ...e })));

describe('declaring jobs', () => {
  class BaseJob extends Job<[]> {
    static {
      this.configure({ name: 'BaseJob', queue: 'default', maxRunTime: 600 });
      this.retryOn(ServiceError, { attempts: 3 });
    }
    perform() {}
  }
  class ChildJob extends BaseJob {
    static {
      this.configure({ name: 'Child::Job', priority: 'reporting', maxAttempts: 5 });
      this.discardOn(ServiceError);
    }
  }

  it('has ActiveJob and Delayed defaults', () => {
    class Plain extends Job<[]> {
      static {
        this.configure({ name: 'Plain' });
      }
      perform() {}
    }
    expect(Plain.definition).toMatchObject({ name: 'Plain', queue: 'default', priority: 10, priorityBand: 'user_visible', maxAttempts: 25, maxRunTimeSeconds: 1200, deduplicate: false, rescueRules: [] });
  });

  it('inherits options and rules, and a subclass adds its own without changing the parent', () => {
    expect(ChildJob.definition).toMatchObject({ name: 'Child::Job', queue: 'default', priority: 30, priorityBand: 'reporting', maxAttempts: 5, maxRunTimeSeconds: 600 });
    expect(ChildJob.definition.rescueRules.map((r) => r.kind)).toEqual(['retry', 'discard']);
    expect(BaseJob.definition.rescueRules.map((r) => r.kind)).toEqual(['retry']);
    expect(BaseJob.definition.priority).toBe(10);
  });

  it('lets the last declared matching rule win, as rescue_from does', () => {
    const rule = findRule(ChildJob.definition.rescueRules, new ServiceError('x'));
    expect(rule?.kind).toBe('discard');
    expect(findRule(ChildJob.definition.rescueRules, new TypeError('x'))).toBeUndefined();
  });

  it('names rule counters as Rails does', () => {
    class Multi extends Job<[]> {
      static {
        this.configure({ name: 'Multi' });
        this.retryOn([ServiceError, ExpectedRetry], { attempts: 2 });
      }
      perform() {}
    }
    const rule = Multi.definition.rescueRules[0]!;
    expect(rule.kind === 'retry' && rule.counterKey).toBe('[Proctoring::ServiceError, ExpectedRetry]');
  });

  it('rejects impossible declarations with the job and the fix', () => {
    expect(() => {
      class Bad extends Job<[]> {
        static {
          this.configure({ name: 'Bad', priority: 'urgent' as never });
        }
        perform() {}
      }
      return Bad;
    }).toThrow(/job Bad: priority "urgent" is not allowed: use a whole number ≥ 0 or one of interactive, user_visible, eventual, reporting/);
    expect(() => {
      class Bad2 extends Job<[]> {
        static {
          this.configure({ name: 'lowercase::name' });
        }
        perform() {}
      }
      return Bad2;
    }).toThrow(JobDefinitionError);
    expect(() => {
      class Bad3 extends Job<[]> {
        static {
          this.configure({ name: 'Bad3' });
          this.retryOn(ServiceError, { attempts: 0 });
        }
        perform() {}
      }
      return Bad3;
    }).toThrow(/retryOn attempts must be a whole number ≥ 1/);
  });

  it('registry requires declared Ruby names and unique ones', () => {
    class Unnamed extends Job<[]> {
      perform() {}
    }
    expect(() => new JobRegistry([Unnamed])).toThrow(/declare its Ruby class name/);
    class Twin extends Job<[string]> {
      static {
        this.configure({ name: 'Test::EchoJob' });
      }
      perform() {}
    }
    expect(() => new JobRegistry([EchoJob, Twin])).toThrow(/registered twice/);
    expect(new JobRegistry([EchoJob]).find('Test::EchoJob')).toBe(EchoJob);
  });
});

describe('retry waits', () => {
  it('computes fixed, function and polynomial waits with jitter as ActiveJob does', () => {
    expect(retryDelaySeconds(3, 1, 0)).toBe(3);
    expect(retryDelaySeconds(10, 1, 0.15, () => 1)).toBeCloseTo(11.5);
    expect(retryDelaySeconds((n) => n * 3600, 4, 0.15, () => 1)).toBe(4 * 3600);
    expect(retryDelaySeconds('polynomially_longer', 3, 0)).toBe(3 ** 4 + 2);
    expect(retryDelaySeconds('polynomially_longer', 3, 0.15, () => 0.5)).toBeCloseTo(81 + 81 * 0.075 + 2);
  });

  it('counts executions and rule executions through repeated runs', async () => {
    FlakyServiceJob.failuresLeft = 2;
    const job = FlakyServiceJob.build('s-1');
    const first = await executeJob(job, { random: () => 0 });
    expect(first).toMatchObject({ kind: 'retry', waitSeconds: 3600 });
    const second = await executeJob(job, { random: () => 0 });
    expect(second).toMatchObject({ kind: 'retry', waitSeconds: 7200 });
    expect(job.exceptionExecutions).toEqual({ '[Proctoring::ServiceError]': 2 });
    expect(await executeJob(job)).toMatchObject({ kind: 'completed' });
    expect(job.executions).toBe(3);
  });
});

describe('enqueuing', () => {
  it('performLater sends ActiveJob\'s serialized job with the Rails adapter\'s attributes', async () => {
    const enqueued = await EchoJob.performLater('hi');
    const [entry] = sentEntries();
    expect(entry!.url).toBe(ENDPOINTS.default!.bands.user_visible);
    expect(entry!.DelaySeconds).toBe(0);
    expect(entry!.MessageAttributes![ATTRIBUTES.jobClass]).toEqual({ DataType: 'String', StringValue: 'Test::EchoJob' });
    const body = decodeEnvelope(entry!.MessageBody!);
    expect(body).toMatchObject({ job_class: 'Test::EchoJob', job_id: enqueued.jobId, queue_name: 'default', priority: 10, arguments: ['hi'], executions: 0, exception_executions: {}, locale: 'en', timezone: 'UTC' });
    expect(body.enqueued_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(enqueued.providerJobId).toBe('m-0');
  });

  it('set() changes queue, priority and delay; waits past 15 minutes carry their due time', async () => {
    const before = Date.now();
    await EchoJob.set({ wait: 7200, priority: 'eventual' }).performLater('later');
    await EchoJob.set({ queue: 'mails' }).performLater('mail');
    await EchoJob.set({ waitUntil: new Date(before + 60_000) }).performLater('soon');
    const [later, mail, soon] = sentEntries();
    expect(later!.url).toBe(ENDPOINTS.default!.bands.eventual);
    expect(later!.DelaySeconds).toBe(900);
    const dueAt = Number(later!.MessageAttributes![ATTRIBUTES.runAt]!.StringValue);
    expect(dueAt - before).toBeGreaterThanOrEqual(7_200_000);
    expect(dueAt - before).toBeLessThan(7_205_000);
    const scheduledAt = parseTimestamp(decodeEnvelope(later!.MessageBody!).scheduled_at!);
    expect(Math.abs(scheduledAt - dueAt)).toBeLessThan(1_000);
    expect(decodeEnvelope(later!.MessageBody!).priority).toBe(20);
    expect(mail!.url).toBe(ENDPOINTS.mails!.bands.user_visible);
    expect(decodeEnvelope(mail!.MessageBody!).queue_name).toBe('mails');
    expect(soon!.DelaySeconds).toBeGreaterThanOrEqual(59);
    expect(soon!.DelaySeconds).toBeLessThanOrEqual(60);
    expect(Number(soon!.MessageAttributes![ATTRIBUTES.runAt]!.StringValue)).toBe(before + 60_000);
    expect(mail!.MessageAttributes![ATTRIBUTES.runAt]).toBeUndefined();
  });

  it('rejects contradictory or invalid enqueue options', async () => {
    await expect(EchoJob.set({ wait: 5, waitUntil: new Date() }).performLater('x')).rejects.toThrow(/give one of wait and waitUntil/);
    await expect(EchoJob.set({ wait: -1 }).performLater('x')).rejects.toThrow(/wait must be a number of seconds ≥ 0/);
    await expect(EchoJob.set({ queue: 'nope' }).performLater('x')).rejects.toThrow(/no queue "nope" in this environment: use one of default, mails/);
  });

  it('bulk enqueue batches by target queue: 25 jobs, 3 requests', async () => {
    const results = await performAllLater(Array.from({ length: 25 }, (_, i) => EchoJob.build(`j${i}`)));
    expect(results).toHaveLength(25);
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 5]);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(25);
  });

  it('bulk enqueue keeps each request under SQS\'s size limit', async () => {
    const big = 'x'.repeat(300_000);
    await performAllLater(Array.from({ length: 7 }, () => EchoJob.build(big)));
    const sizes = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.reduce((s, e) => s + e.MessageBody!.length, 0));
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(1_000_000);
  });

  it('retries entries SQS failed on its side and reports those it refused, naming job and queue', async () => {
    let call = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      call++;
      if (call === 1) {
        return {
          Successful: [{ Id: input.Entries[0]!.Id, MessageId: 'ok-0', MD5OfMessageBody: '' }],
          Failed: [
            { Id: input.Entries[1]!.Id, SenderFault: false, Code: 'InternalError', Message: 'try again' },
            { Id: input.Entries[2]!.Id, SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad' },
          ],
        };
      }
      return { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `retry-${e.Id}`, MD5OfMessageBody: '' })), Failed: [] };
    });
    const pending = ['a', 'b', 'c'].map((v) => EchoJob.build(v));
    const error = await performAllLater(pending).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnqueueError);
    expect((error as EnqueueError).failures).toHaveLength(1);
    expect((error as EnqueueError).message).toMatch(new RegExp(`Test::EchoJob ${pending[2]!.jobId} → .*default-user-visible: InvalidParameterValue: bad`));
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[1]!.args[0].input.Entries!.map((e) => e.Id)).toEqual(['1']);
  });

  it('serializes keyword arguments for Ruby', async () => {
    class SyncJob extends Job<[options: { provider: string; full: boolean }]> {
      static {
        this.configure({ name: 'Video::SyncVideosJob' });
      }
      perform() {}
    }
    await SyncJob.performLater(kwargs({ provider: 'p-1', full: true }));
    const body = JSON.parse(sentEntries()[0]!.MessageBody!);
    expect(body.arguments).toEqual([{ provider: 'p-1', full: true, _aj_ruby2_keywords: ['provider', 'full'] }]);
  });

  it('performNow runs here, and enqueues a retry when a rule asks for one', async () => {
    await EchoJob.performNow('now');
    expect(performed).toEqual([{ job: 'Test::EchoJob', args: ['now'], executions: 1 }]);
    expect(sentEntries()).toHaveLength(0);
    FlakyServiceJob.failuresLeft = 1;
    await FlakyServiceJob.performNow('s');
    const body = JSON.parse(sentEntries()[0]!.MessageBody!);
    expect(body).toMatchObject({ executions: 1, exception_executions: { '[Proctoring::ServiceError]': 1 } });
  });
});

describe('priority routing', () => {
  it('sends each job to its band\'s queue, or the nearest band with one, preferring the more urgent side', () => {
    expect(queueUrlFor(ENDPOINTS, 'default', 25)).toBe(ENDPOINTS.default!.bands.eventual);
    expect(queueUrlFor(ENDPOINTS, 'default', 12)).toBe(ENDPOINTS.default!.bands.user_visible);
    // interactive has no queue: user_visible is nearest.
    expect(queueUrlFor(ENDPOINTS, 'default', 0)).toBe(ENDPOINTS.default!.bands.user_visible);
    // reporting has no queue: eventual is nearest.
    expect(queueUrlFor(ENDPOINTS, 'default', 40)).toBe(ENDPOINTS.default!.bands.eventual);
    expect(queueUrlFor(ENDPOINTS, 'mails', 40)).toBe(ENDPOINTS.mails!.bands.user_visible);
  });
});
