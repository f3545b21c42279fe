import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { consumers } from '../../functions/app/consumers/registry';
import { createConsumerServices } from '../../functions/app/consumers/services-factory';
import { CONSUMER_CONFIG_VARIABLE, readConsumerConfig } from '../../functions/runtime/consumers/config';
import { EventBridgePublisher, entrySize, packEntries, PublishError } from '../../functions/runtime/consumers/eventbridge-publisher';
import { amqpUrlWithCredentials } from '../../functions/runtime/consumers/rmq-dead-letters';

const ebMock = mockClient(EventBridgeClient);

function publisher(maxAttempts = 4) {
  const sleeps: number[] = [];
  const p = new EventBridgePublisher(new EventBridgeClient({ region: 'eu-central-1' }), {
    busName: 'xikolo-async-test-msgr',
    maxAttempts,
    retryDelayMs: (n) => n * 10,
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { p, sleeps };
}

const entriesOf = (i: number) => (ebMock.commandCalls(PutEventsCommand)[i]!.args[0].input as PutEventsCommandInput).Entries ?? [];

describe('EventBridgePublisher', () => {
  beforeEach(() => ebMock.reset());

  it('publishes a Msgr message as an event: detail-type = routing key, detail = payload', async () => {
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    await publisher().p.publish('xikolo.course.clone', { old_course_id: 'c', new_course_code: 'n' });
    expect(ebMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ EventBusName: 'xikolo-async-test-msgr', Source: 'xikolo.msgr', DetailType: 'xikolo.course.clone', Detail: '{"old_course_id":"c","new_course_code":"n"}' }],
    });
  });

  it('sends at most 10 entries per call', async () => {
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: input.Entries!.map((_, i) => ({ EventId: `e${i}` })) }));
    await publisher().p.publishBatch(Array.from({ length: 23 }, (_, i) => ({ routingKey: 'xikolo.course.visit.create', payload: { id: `v${i}` } })));
    expect(ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it('keeps every call within 256 KB', async () => {
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: input.Entries!.map(() => ({ EventId: 'e' })) }));
    const big = 'x'.repeat(100 * 1024);
    await publisher().p.publishBatch(Array.from({ length: 5 }, (_, i) => ({ routingKey: 'xikolo.news.update_status', payload: { news_id: `n${i}`, text: big } })));
    const calls = ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((c) => c.length)).toEqual([2, 2, 1]);
    for (const call of calls) expect(call.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(256 * 1024);
    expect(packEntries([])).toEqual([]);
  });

  it('retries only the entries that failed, with backoff', async () => {
    ebMock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 2, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: 'c' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'b' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'd' }] });
    const { p, sleeps } = publisher();
    await p.publishBatch(['a', 'b', 'c', 'd'].map((id) => ({ routingKey: `xikolo.test.${id}`, payload: { id } })));
    expect(entriesOf(0).map((e) => e.DetailType)).toEqual(['xikolo.test.a', 'xikolo.test.b', 'xikolo.test.c', 'xikolo.test.d']);
    expect(entriesOf(1).map((e) => e.DetailType)).toEqual(['xikolo.test.b', 'xikolo.test.d']);
    expect(entriesOf(2).map((e) => e.DetailType)).toEqual(['xikolo.test.d']);
    expect(sleeps).toEqual([10, 20]);
  });

  it('gives up after maxAttempts and on permanent errors, naming what was not published', async () => {
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 2, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }, { ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' }] });
    const { p } = publisher(2);
    const error = await p.publishBatch([{ routingKey: 'xikolo.a', payload: {} }, { routingKey: 'xikolo.b', payload: {} }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).failed.map((f) => [f.routingKey, f.errorCode])).toEqual([
      ['xikolo.b', 'AccessDeniedException'],
      ['xikolo.a', 'InternalFailure'],
    ]);
    expect((error as Error).message).toMatch(/2 of 2 message\(s\) could not be published to event bus "xikolo-async-test-msgr"/);
    // xikolo.b (permanent) was not sent again; xikolo.a was tried twice.
    expect(ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.map((e) => e.DetailType))).toEqual([['xikolo.a', 'xikolo.b'], ['xikolo.a']]);
  });

  it('refuses wildcard keys, non-object payloads and events over 256 KB before calling AWS', async () => {
    const { p } = publisher();
    await expect(p.publish('xikolo.*.create', {})).rejects.toThrow(/literal/);
    await expect(p.publish('xikolo.a', [1, 2])).rejects.toThrow(/must be a JSON object/);
    await expect(p.publish('xikolo.a', { blob: 'x'.repeat(300 * 1024) })).rejects.toThrow(/over EventBridge's 256 KB limit; publish a reference/);
    expect(ebMock).not.toHaveReceivedCommand(PutEventsCommand);
  });
});

describe('consumer Lambda configuration', () => {
  const good = { environment: 'test', consumer: 'news', routes: [{ to: 'news#update_state', keys: ['xikolo.news.update_status'] }], features: {}, maxAttempts: 5, deadLetterQueueUrl: 'https://sqs/dlq' };

  it('reads CONSUMER_CONFIG and validates its routes against the registry', () => {
    const config = readConsumerConfig({ [CONSUMER_CONFIG_VARIABLE]: JSON.stringify(good) }, consumers);
    expect(config.routes[0]?.queueName).toBe('msgr.consumer.NewsConsumer.update_state');
  });

  it('fails with the variable, the problem and what to do', () => {
    expect(() => readConsumerConfig({}, consumers)).toThrow(/CONSUMER_CONFIG is not set; the CDK stack writes it .*redeploy the messaging stack/);
    expect(() => readConsumerConfig({ CONSUMER_CONFIG: '{' }, consumers)).toThrow(/CONSUMER_CONFIG is not JSON/);
    expect(() => readConsumerConfig({ CONSUMER_CONFIG: JSON.stringify({ ...good, maxAttempts: 0 }) }, consumers)).toThrow(/CONSUMER_CONFIG is malformed \(maxAttempts: /);
    expect(() => readConsumerConfig({ CONSUMER_CONFIG: JSON.stringify({ ...good, routes: [{ to: 'news#gone', keys: ['a'] }] }) }, consumers)).toThrow(/NewsConsumer has no action "gone"/);
    expect(() => readConsumerConfig({ CONSUMER_CONFIG: JSON.stringify({ ...good, consumer: 'course' }) }, consumers)).toThrow(/gives consumer "course" routes of other consumers \(news#update_state\)/);
  });
});

describe('deployed service factory', () => {
  it('gives the consumers the DynamoDB-backed domain services, whose tables come from the environment the CDK app sets', () => {
    const services = createConsumerServices();
    expect(services.course.constructor.name).toBe('JobCourseService');
    expect(() => services.news).toThrow(/XIKOLO_TABLE_NEWS \(name of the news table\) is not set/);
  });
});

describe('AMQP URL for the broker user', () => {
  it('puts encoded credentials and the vhost into the Amazon MQ endpoint', () => {
    expect(amqpUrlWithCredentials('amqps://b-1.mq.eu-central-1.amazonaws.com:5671', 'xikolo', 'p@ss/word', '/')).toBe('amqps://xikolo:p%40ss%2Fword@b-1.mq.eu-central-1.amazonaws.com:5671/%2F');
  });
});

describe('EventBridge publisher: a call that fails outright', () => {
  it('still sends the other calls, retries the failed call\'s entries, and reports what never went out', async () => {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const { mockClient } = await import('aws-sdk-client-mock');
    const { EventBridgePublisher, PublishError } = await import('../../functions/runtime/consumers/eventbridge-publisher');
    const eb = mockClient(EventBridgeClient);
    let calls = 0;
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('AccessDeniedException: not allowed'), { name: 'AccessDeniedException' });
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) };
    });
    const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'eu-central-1' }), { busName: 'bus', sleep: async () => {} });
    const messages = Array.from({ length: 12 }, (_, i) => ({ routingKey: 'xikolo.news.update_status', payload: { news_id: `n-${i}` } }));
    const error = await publisher.publishBatch(messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as InstanceType<typeof PublishError>).failed).toHaveLength(10);
    expect(calls).toBe(2);
    eb.restore();
  });
});
