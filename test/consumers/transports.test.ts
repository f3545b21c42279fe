import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { consumers } from '../../functions/app/consumers/registry';
import type { ConsumerServices } from '../../functions/app/consumers/services';
import { ConsumerRuntime } from '../../functions/runtime/consumers/dispatch';
import {
  BatchReturnedError,
  createRabbitMqConsumerHandler,
  decodeHeaders,
  decodeRmqMessage,
  parseRmqTimestamp,
  type RmqDeadLetterPublisher,
} from '../../functions/runtime/consumers/rmq-transport';
import { sqsOperations } from '../../functions/runtime/consumers/sqs-client';
import { createSqsConsumerHandler, defaultBackoffSeconds, queueUrlFromArn } from '../../functions/runtime/consumers/sqs-transport';
import { loadRoutes } from '../../lib/messaging/routes';
import { collectLogs, collectMetrics, envelope, QUEUE_ARN, QUEUE_URL, recordingServices, sqsRecord } from './helpers';
import { msgrMessage, rmqEvent, rmqMessageFrom } from './rmq-event';

const routes = loadRoutes();
const DLQ_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/xikolo-async-test-consumer-gamification-dlq';

/** One valid payload per seed action. */
const SEED_PAYLOADS: Record<string, Record<string, unknown>> = {
  'gamification#vote_create': { id: 'vote-1', votable_type: 'Answer', votable_id: 'a-1', votable_user_id: 'u-2', user_id: 'u-1', course_id: 'c-1', value: 1 },
  'gamification#question_create': { id: 'q-1', user_id: 'u-1', course_id: 'c-1', technical: false },
  'gamification#comment_create': { id: 'cm-1', user_id: 'u-1', course_id: 'c-1' },
  'gamification#answer_accepted': { id: 'q-1', course_id: 'c-1', accepted_answer_id: 'a-1', accepted_answer_user_id: 'u-2', user_id: 'u-1' },
  'gamification#answer_create': { id: 'a-1', user_id: 'u-1', course_id: 'c-1', question_id: 'q-1' },
  'gamification#result_create': { id: 'r-1', user_id: 'u-1', course_id: 'c-1', item_id: 'i-1', section_id: 's-1', exercise_type: 'main', points: 3, submission_deadline: '2025-05-01T00:00:00Z' },
  'gamification#visit_create': { id: 'vi-1', user_id: 'u-1', course_id: 'c-1', item_id: 'i-1', section_id: 's-1' },
  'course#clone': { old_course_id: 'c-1', new_course_code: 'new-code' },
  'news#update_state': { news_id: 'n-1', state: 'sending', receivers: 3 },
};

const EXPECTED_CALL: Record<string, [string, string]> = {
  'gamification#vote_create': ['gamification', 'voteCreate'],
  'gamification#question_create': ['gamification', 'questionCreate'],
  'gamification#comment_create': ['gamification', 'commentCreate'],
  'gamification#answer_accepted': ['gamification', 'answerAccepted'],
  'gamification#answer_create': ['gamification', 'answerCreate'],
  'gamification#result_create': ['gamification', 'resultCreate'],
  'gamification#visit_create': ['gamification', 'visitCreate'],
  'course#clone': ['course', 'startClone'],
  'news#update_state': ['news', 'updateState'],
};

function newRuntime(services: ConsumerServices, maxAttempts = 5) {
  const metrics = collectMetrics();
  return {
    metrics,
    runtime: new ConsumerRuntime({ registry: consumers, routes, services, features: { 'gamification.enabled': true }, maxAttempts, metrics: metrics.metrics, log: collectLogs().log }),
  };
}

const sqsMock = mockClient(SQSClient);

describe('EventBridge mode: SQS consumer handler', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  const handlerWith = (services: ConsumerServices, maxAttempts = 5) => {
    const { runtime, metrics } = newRuntime(services, maxAttempts);
    return { handler: createSqsConsumerHandler({ runtime, sqs: sqsOperations(new SQSClient({ region: 'eu-central-1' })), deadLetterQueueUrl: DLQ_URL, log: collectLogs().log }), metrics };
  };

  it.each(routes.map((r) => [r.to, r] as const))('%s: the seed route reaches its action', async (to, route) => {
    const { services, calls } = recordingServices();
    const { handler } = handlerWith(services);
    const response = await handler({ Records: [sqsRecord(envelope(to, route.keys[0]!, SEED_PAYLOADS[to], 'evt-7'))] });
    expect(response.batchItemFailures).toEqual([]);
    expect(calls.map((c) => [c.service, c.method])).toEqual([EXPECTED_CALL[to]]);
    expect(calls[0]?.payload).toEqual(SEED_PAYLOADS[to]);
    expect(calls[0]?.message).toMatchObject({ route: to, routingKey: route.keys[0], id: 'evt-7', redelivered: false, attempt: 1, publishedAt: new Date('2025-05-04T10:11:12Z') });
  });

  it('reports only the failing messages, delays their retry with backoff, and dead-letters bad input at once', async () => {
    const { services, calls } = recordingServices({ fail: { 'course.startClone': 'always' } });
    const { handler, metrics } = handlerWith(services);
    const response = await handler({
      Records: [
        sqsRecord(envelope('news#update_state', 'xikolo.news.update_status', { news_id: 'n-1' }), { messageId: 'ok' }),
        sqsRecord(envelope('course#clone', 'xikolo.course.clone', { old_course_id: 'c', new_course_code: 'x' }), { messageId: 'fails', receiveCount: 2 }),
        sqsRecord(envelope('course#clone', 'xikolo.course.clone', { new_course_code: 'x' }), { messageId: 'bad' }),
        sqsRecord('{"garbage', { messageId: 'garbage' }),
      ],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'fails' }]);
    expect(calls.map((c) => c.method)).toEqual(['updateState', 'startClone']);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
    const sent = sqsMock.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe(DLQ_URL);
    expect(sent.Entries?.map((e) => e.MessageBody)).toEqual([envelope('course#clone', 'xikolo.course.clone', { new_course_code: 'x' }), '{"garbage']);
    expect(sent.Entries?.[0]?.MessageAttributes?.['xikolo-reason']?.StringValue).toMatch(/payload does not fit CourseConsumer#clone: old_course_id/);
    expect(sent.Entries?.[0]?.MessageAttributes?.['xikolo-route']?.StringValue).toBe('course#clone');
    expect(sent.Entries?.[1]?.MessageAttributes?.['xikolo-reason']?.StringValue).toMatch(/body is not JSON/);
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [{ Id: '0', ReceiptHandle: 'receipt-fails', VisibilityTimeout: defaultBackoffSeconds(2) }],
    });
    expect(metrics.events().filter((e) => e !== 'delivery')).toEqual(['success', 'retry', 'dead_letter', 'dead_letter']);
  });

  it('does not delay a message on its last attempt (SQS moves it to the dead-letter queue)', async () => {
    const { services } = recordingServices({ fail: { 'news.updateState': 'always' } });
    const { handler, metrics } = handlerWith(services, 3);
    const response = await handler({ Records: [sqsRecord(envelope('news#update_state', 'xikolo.news.update_status', { news_id: 'n' }), { receiveCount: 3 })] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
    expect(sqsMock).not.toHaveReceivedCommand(ChangeMessageVisibilityBatchCommand);
    expect(metrics.events()).toEqual(['delivery', 'dead_letter']);
  });

  it('keeps bad input in the queue when the dead-letter queue refuses it', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError' }] });
    const { services } = recordingServices();
    const { handler } = handlerWith(services);
    const response = await handler({ Records: [sqsRecord(envelope('course#clone', 'xikolo.course.clone', {}), { messageId: 'bad' })] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
  });

  it('acknowledges a disabled consumer\'s messages without calling it', async () => {
    const { services, calls } = recordingServices();
    const metrics = collectMetrics();
    const runtime = new ConsumerRuntime({ registry: consumers, routes, services, features: { 'gamification.enabled': false }, maxAttempts: 5, metrics: metrics.metrics, log: collectLogs().log });
    const handler = createSqsConsumerHandler({ runtime, sqs: sqsOperations(new SQSClient({ region: 'eu-central-1' })), deadLetterQueueUrl: DLQ_URL, log: collectLogs().log });
    const response = await handler({ Records: [sqsRecord(envelope('gamification#visit_create', 'xikolo.course.visit.create', { id: 'v' }))] });
    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toEqual([]);
    expect(metrics.events()).toEqual(['delivery', 'disabled']);
  });

  it('derives the queue URL from the event source ARN, and backs off like Delayed::Job', () => {
    expect(queueUrlFromArn(QUEUE_ARN)).toBe(QUEUE_URL);
    expect([1, 2, 3, 4].map(defaultBackoffSeconds)).toEqual([6, 21, 86, 261]);
  });
});

describe('Amazon MQ mode: aws:rmq consumer handler', () => {
  function handlerWith(services: ConsumerServices, deadLettered: unknown[] = [], maxAttempts = 5) {
    const { runtime, metrics } = newRuntime(services, maxAttempts);
    const deadLetters: RmqDeadLetterPublisher = { deadLetter: async (entry) => void deadLettered.push(entry) };
    return { handler: createRabbitMqConsumerHandler({ runtime, deadLetters, log: collectLogs().log }), metrics };
  }

  it.each(routes.map((r) => [r.to, r] as const))('%s: the seed route reaches its action from a Ruby Msgr publish', async (to, route) => {
    const { services, calls } = recordingServices();
    const { handler } = handlerWith(services);
    await handler(rmqEvent(route.queueName, [msgrMessage(SEED_PAYLOADS[to], { messageId: 'm-5' })]));
    expect(calls.map((c) => [c.service, c.method])).toEqual([EXPECTED_CALL[to]]);
    expect(calls[0]?.payload).toEqual(SEED_PAYLOADS[to]);
    // Msgr sets no routing-key header; a route bound with one literal key determines it.
    expect(calls[0]?.message).toMatchObject({ route: to, routingKey: route.keys[0], id: 'm-5', attempt: 1, redelivered: false });
    expect(calls[0]?.message.publishedAt?.toISOString()).toBe('2025-05-04T10:11:12.000Z');
  });

  it('decodes Lambda\'s documented event shape: base64 data, byte-array headers, formatted timestamp', () => {
    expect(parseRmqTimestamp('Jan 1, 1970, 12:33:41 AM')?.toISOString()).toBe('1970-01-01T00:33:41.000Z');
    expect(parseRmqTimestamp('Dec 31, 2024, 11:59:59 PM')?.toISOString()).toBe('2024-12-31T23:59:59.000Z');
    expect(parseRmqTimestamp('Jun 5, 2025, 12:00:00\u202fPM')?.toISOString()).toBe('2025-06-05T12:00:00.000Z');
    expect(parseRmqTimestamp('yesterday')).toBeUndefined();
    expect(decodeHeaders({ header1: { bytes: [118, 97, 108, 117, 101, 49] }, numberInHeader: 10 })).toEqual({ header1: 'value1', numberInHeader: 10 });
    const route = routes.find((r) => r.to === 'news#update_state')!;
    const delivery = decodeRmqMessage(
      rmqMessageFrom({ content: Buffer.from('{"news_id":"n"}'), fields: { redelivered: true }, properties: { contentType: 'application/json', headers: { 'x-delivery-count': 2, 'x-routing-key': 'xikolo.news.update_status' } } }),
      route,
    );
    expect(delivery).toMatchObject({ route: 'news#update_state', routingKey: 'xikolo.news.update_status', attempt: 3, redelivered: true, payload: { ok: true, value: { news_id: 'n' } } });
    expect(delivery.id).toMatch(/^sha256:[0-9a-f]{32}$/);
  });

  it('dead-letters bad input through the dead-letter exchange with the reason, and acknowledges it', async () => {
    const { services, calls } = recordingServices();
    const deadLettered: { queue: string; body: Buffer; reason: string }[] = [];
    const { handler } = handlerWith(services, deadLettered);
    const queue = 'msgr.consumer.CourseConsumer.clone';
    const notJson = rmqMessageFrom({ content: Buffer.from('not json'), fields: { redelivered: false }, properties: { contentType: 'application/json' } });
    await expect(handler(rmqEvent(queue, [notJson, msgrMessage({ old_course_id: 'c' })]))).resolves.toBeUndefined();
    expect(calls).toEqual([]);
    expect(deadLettered.map((d) => [d.queue, d.body.toString(), d.reason.slice(0, 40)])).toEqual([
      [queue, 'not json', 'body is not JSON: Unexpected token \'o\', '],
      [queue, '{"old_course_id":"c"}', 'payload does not fit CourseConsumer#clon'],
    ]);
  });

  it('fails the invocation when an action throws, so Lambda returns the batch to the queue', async () => {
    const { services } = recordingServices({ fail: { 'news.updateState': 'always' } });
    const { handler, metrics } = handlerWith(services);
    await expect(handler(rmqEvent('msgr.consumer.NewsConsumer.update_state', [msgrMessage({ news_id: 'n' })]))).rejects.toThrow(BatchReturnedError);
    expect(metrics.events()).toEqual(['delivery', 'retry']);
  });

  it('acknowledges (and counts) messages from a queue no route serves', async () => {
    const { services, calls } = recordingServices();
    const { handler, metrics } = handlerWith(services);
    await handler(rmqEvent('msgr.consumer.BadgeConsumer.award', [msgrMessage({ id: 'b' })]));
    expect(calls).toEqual([]);
    expect(metrics.events()).toEqual(['delivery', 'unroutable']);
  });
});

describe('dead-letter batches', () => {
  it('stay under SQS\'s 1 MiB per request: ten bad 256 KB envelopes go out in several requests', async () => {
    const { byteChunks } = await import('../../functions/runtime/consumers/sqs-transport');
    const items = Array.from({ length: 10 }, (_, i) => ({ id: String(i), body: 'x'.repeat(256_000), attributes: { 'xikolo-reason': 'bad' } }));
    const batches = byteChunks(items, 10, 1_000_000);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(byteChunks(items.slice(0, 2).map((i) => ({ ...i, body: 'y' })), 10, 1_000_000)).toHaveLength(1);
  });
});
