/**
 * Amazon MQ mode against a real RabbitMQ: the topology declared through the
 * management API, messages published with amqplib as Msgr publishes them,
 * consumed from the route queues and handed to the consumer handler as the
 * `aws:rmq` events Lambda builds, acknowledged or returned as Lambda does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import type { ConfirmChannel, GetMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { consumers } from '../../functions/app/consumers/registry';
import type { ConsumerServices } from '../../functions/app/consumers/services';
import { AmqpChannelSource, AmqpPublisher } from '../../functions/runtime/consumers/amqp-publisher';
import { ConsumerRuntime } from '../../functions/runtime/consumers/dispatch';
import { REASON_HEADER, rmqDeadLetters } from '../../functions/runtime/consumers/rmq-dead-letters';
import { BatchReturnedError, createRabbitMqConsumerHandler } from '../../functions/runtime/consumers/rmq-transport';
import { declareTopology, topologyFor, TopologyError, type TopologySpec } from '../../functions/runtime/consumers/topology';
import { createTopologyResourceHandler } from '../../functions/runtime/consumers/topology-resource';
import { loadRoutes } from '../../lib/messaging/routes';
import { collectLogs, collectMetrics, recordingServices } from '../consumers/helpers';
import { rmqEvent, rmqMessageFrom } from '../consumers/rmq-event';
import { getMessage, publishLikeMsgr, queueDepth, useVhost, type TestVhost } from './rabbitmq-support';

const routes = loadRoutes();
const MAX_ATTEMPTS = 3;
const spec = (vhost: string): TopologySpec => topologyFor(routes, { vhost, deliveryLimit: MAX_ATTEMPTS - 1 });

const PAYLOADS: Record<string, Record<string, unknown>> = {
  gamification: { id: 'rec-1', user_id: 'u-1', course_id: 'c-1', votable_type: 'Answer', exercise_type: 'main' },
  course: { old_course_id: 'c-1', new_course_code: 'copy-1' },
  news: { news_id: 'n-1', state: 'sent' },
};

interface Snapshot {
  exchanges: unknown[];
  queues: unknown[];
  bindings: unknown[];
}

async function snapshot(vhost: TestVhost): Promise<Snapshot> {
  const v = encodeURIComponent(vhost.name);
  const exchanges = ((await vhost.api.request('GET', `exchanges/${v}`)) as { name: string; type: string; durable: boolean; arguments: unknown }[])
    .map(({ name, type, durable, arguments: args }) => ({ name, type, durable, args }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const queues = ((await vhost.api.request('GET', `queues/${v}`)) as { name: string; durable: boolean; arguments: unknown; type?: string }[])
    .map(({ name, durable, arguments: args }) => ({ name, durable, args }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const bindings = ((await vhost.api.request('GET', `bindings/${v}`)) as { source: string; destination: string; routing_key: string }[])
    .map(({ source, destination, routing_key }) => `${source} → ${destination} [${routing_key}]`)
    .sort();
  return { exchanges, queues, bindings };
}

function handlerFor(services: ConsumerServices, deadLetterPublisher?: AmqpPublisher) {
  const metrics = collectMetrics();
  const runtime = new ConsumerRuntime({ registry: consumers, routes, services, features: { 'gamification.enabled': true }, maxAttempts: MAX_ATTEMPTS, metrics: metrics.metrics, log: collectLogs().log });
  const deadLetters = deadLetterPublisher ? rmqDeadLetters(deadLetterPublisher, 'msgr.dead-letter') : { deadLetter: async () => Promise.reject(new Error('unexpected dead-letter')) };
  return { handler: createRabbitMqConsumerHandler({ runtime, deadLetters, log: collectLogs().log }), metrics };
}

/** What Lambda's event source mapping does with one message: invoke, then ack on success or return it to the queue. */
async function deliverLikeLambda(channel: ConfirmChannel, queue: string, vhost: string, message: GetMessage, handler: ReturnType<typeof handlerFor>['handler']): Promise<'acked' | 'returned'> {
  try {
    await handler(rmqEvent(queue, [rmqMessageFrom(message)], vhost));
    channel.ack(message);
    return 'acked';
  } catch (error) {
    expect(error).toBeInstanceOf(BatchReturnedError);
    channel.nack(message, false, true);
    return 'returned';
  }
}

describe('Msgr topology on RabbitMQ through the management API', () => {
  const broker = useVhost('xikolo-topology');

  it('declares the msgr topic exchange, a quorum queue per route bound with its keys, and dead-lettering', async () => {
    const { vhost } = broker;
    const report = await declareTopology(vhost.api, spec(vhost.name));
    expect(report.bindingsAdded).toBe(routes.length);
    const v = encodeURIComponent(vhost.name);
    expect(await vhost.api.request('GET', `exchanges/${v}/msgr`)).toMatchObject({ type: 'topic', durable: true, auto_delete: false });
    expect(await vhost.api.request('GET', `exchanges/${v}/msgr.dead-letter`)).toMatchObject({ type: 'direct', durable: true });
    for (const route of routes) {
      const queue = (await vhost.api.request('GET', `queues/${v}/${encodeURIComponent(route.queueName)}`)) as { durable: boolean; arguments: Record<string, unknown>; type: string };
      expect(queue).toMatchObject({ durable: true, type: 'quorum' });
      expect(queue.arguments).toMatchObject({ 'x-queue-type': 'quorum', 'x-delivery-limit': MAX_ATTEMPTS - 1, 'x-dead-letter-exchange': 'msgr.dead-letter', 'x-dead-letter-routing-key': route.queueName });
      const bindings = (await vhost.api.request('GET', `bindings/${v}/e/msgr/q/${encodeURIComponent(route.queueName)}`)) as { routing_key: string }[];
      expect(bindings.map((b) => b.routing_key)).toEqual(route.keys);
      const dlq = route.queueName.replace('msgr.consumer.', 'msgr.dead-letter.');
      const dlqBindings = (await vhost.api.request('GET', `bindings/${v}/e/msgr.dead-letter/q/${encodeURIComponent(dlq)}`)) as { routing_key: string }[];
      expect(dlqBindings.map((b) => b.routing_key)).toEqual([route.queueName]);
    }
  });

  it('declaring twice changes nothing', async () => {
    const { vhost } = broker;
    const before = await snapshot(vhost);
    const report = await declareTopology(vhost.api, spec(vhost.name));
    expect(report.bindingsAdded).toBe(0);
    expect(report.bindingsRemoved).toEqual([]);
    expect(await snapshot(vhost)).toEqual(before);
  });

  it('adds a key added to a route, and removes it again when the route drops it', async () => {
    const { vhost } = broker;
    const base = spec(vhost.name);
    const widened: TopologySpec = { ...base, queues: base.queues.map((q, i) => (i === 0 ? { ...q, bindings: [...q.bindings, 'xikolo.pinboard.*.upvote'] } : q)) };
    expect((await declareTopology(vhost.api, widened)).bindingsAdded).toBe(1);
    const report = await declareTopology(vhost.api, base);
    expect(report.bindingsRemoved).toEqual([`${base.queues[0]!.name} ← xikolo.pinboard.*.upvote`]);
  });

  it('refuses to silently keep a queue whose arguments differ, and says what to do', async () => {
    const { vhost } = broker;
    const v = encodeURIComponent(vhost.name);
    await vhost.api.request('PUT', `queues/${v}/${encodeURIComponent('msgr.consumer.LegacyConsumer.run')}`, { durable: true, arguments: {} });
    const legacy: TopologySpec = { ...spec(vhost.name), queues: [{ name: 'msgr.consumer.LegacyConsumer.run', bindings: ['xikolo.legacy'], deadLetterQueue: 'msgr.dead-letter.LegacyConsumer.run' }] };
    const error = await declareTopology(vhost.api, legacy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as Error).message).toMatch(/queue "msgr\.consumer\.LegacyConsumer\.run" already exists with different settings .*move its messages away .*delete it, and deploy again/);
  });

  it('runs as a CloudFormation custom resource and reports to the response URL', async () => {
    const { vhost } = broker;
    const responses: { Status: string; Reason: string; PhysicalResourceId: string }[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        responses.push(JSON.parse(body) as (typeof responses)[number]);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const mgmt = new URL(process.env.RABBITMQ_MGMT_URL!);
    const handler = createTopologyResourceHandler({
      credentials: async () => ({ username: decodeURIComponent(mgmt.username), password: decodeURIComponent(mgmt.password) }),
      log: collectLogs().log,
      attempts: 1,
    });
    const event = {
      RequestType: 'Create',
      ServiceToken: 'arn',
      ResponseURL: `http://127.0.0.1:${port}/response`,
      StackId: 'stack',
      RequestId: 'req-1',
      LogicalResourceId: 'MsgrTopology',
      ResourceType: 'Custom::MsgrTopology',
      ResourceProperties: { ServiceToken: 'arn', ManagementUrl: `${mgmt.protocol}//${mgmt.host}`, SecretArn: 'arn:secret', Topology: JSON.stringify(spec(vhost.name)) },
    } as CloudFormationCustomResourceCreateEvent;
    await handler(event);
    await handler({ ...event, ResourceProperties: { ...event.ResourceProperties, Topology: JSON.stringify({ ...spec('no-such-vhost-xyz'), vhost: 'no-such-vhost-xyz' }) } });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'msgr-topology-MsgrTopology' });
    expect(responses[1]?.Status).toBe('FAILED');
    expect(responses[1]?.Reason).toMatch(/virtual host "no-such-vhost-xyz" does not exist on the broker: create it or fix the vhost setting/);
  });
});

describe('Msgr messages through RabbitMQ to the consumer actions (aws:rmq events)', () => {
  const broker = useVhost('xikolo-delivery', async (vhost) => void (await declareTopology(vhost.api, spec(vhost.name))));

  it('every seed route: a Msgr publish reaches its consumer action and is acknowledged', async () => {
    const { vhost, channel } = broker;
    const { services, calls } = recordingServices();
    const { handler } = handlerFor(services);
    for (const route of routes) {
      await publishLikeMsgr(channel, 'msgr', route.keys[0]!, PAYLOADS[route.consumer]);
      const message = await getMessage(channel, route.queueName);
      expect(message.fields.routingKey).toBe(route.keys[0]);
      expect(await deliverLikeLambda(channel, route.queueName, vhost.name, message, handler)).toBe('acked');
      expect(calls.at(-1)).toMatchObject({ payload: PAYLOADS[route.consumer], message: { route: route.to, routingKey: route.keys[0], attempt: 1, redelivered: false } });
    }
    expect(calls.map((c) => c.message.route)).toEqual(routes.map((r) => r.to));
    for (const route of routes) expect(await queueDepth(channel, route.queueName)).toBe(0);
  });

  it('our AmqpPublisher publishes exactly like Msgr (JSON, application/json, persistent) plus id, time and routing-key header', async () => {
    const { vhost, channel } = broker;
    const source = new AmqpChannelSource(vhost.url);
    try {
      await new AmqpPublisher(source).publish('xikolo.course.clone', PAYLOADS.course, { messageId: 'm-42' });
      const message = await getMessage(channel, 'msgr.consumer.CourseConsumer.clone');
      expect(JSON.parse(message.content.toString())).toEqual(PAYLOADS.course);
      expect(message.properties).toMatchObject({ contentType: 'application/json', deliveryMode: 2, messageId: 'm-42', headers: { 'x-routing-key': 'xikolo.course.clone' } });
      const { services, calls } = recordingServices();
      await deliverLikeLambda(channel, 'msgr.consumer.CourseConsumer.clone', vhost.name, message, handlerFor(services).handler);
      expect(calls[0]?.message).toMatchObject({ id: 'm-42', routingKey: 'xikolo.course.clone' });
      expect(Math.abs(calls[0]!.message.publishedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await source.close();
    }
  });

  it('a mandatory publish that no queue receives fails instead of being confirmed into nowhere (dead-lettering publishes so)', async () => {
    const { vhost } = broker;
    const source = new AmqpChannelSource(vhost.url);
    try {
      const publisher = new AmqpPublisher(source);
      await expect(publisher.publishRaw('msgr', 'no.route.binds.this', Buffer.from('{}'), { mandatory: true, persistent: true })).rejects.toThrow(/no queue is bound to exchange "msgr" with key "no.route.binds.this"/);
    } finally {
      await source.close();
    }
  });

  it('a message that always fails is redelivered up to the delivery limit, then lands in the dead-letter queue', async () => {
    const { vhost, channel } = broker;
    const queue = 'msgr.consumer.NewsConsumer.update_state';
    const dlq = 'msgr.dead-letter.NewsConsumer.update_state';
    const { services, calls } = recordingServices({ fail: { 'news.updateState': 'always' } });
    const { handler, metrics } = handlerFor(services);
    await publishLikeMsgr(channel, 'msgr', 'xikolo.news.update_status', { news_id: 'poison' });
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const message = await channel.get(queue, { noAck: false });
      if (!message) {
        if (outcomes.length > 0 && (await queueDepth(channel, dlq)) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      outcomes.push(await deliverLikeLambda(channel, queue, vhost.name, message, handler));
    }
    expect(outcomes).toEqual(Array.from({ length: MAX_ATTEMPTS }, () => 'returned'));
    expect(calls.map((c) => [c.message.attempt, c.message.redelivered])).toEqual([
      [1, false],
      [2, true],
      [3, true],
    ]);
    expect(metrics.events().filter((e) => e !== 'delivery')).toEqual(['retry', 'retry', 'dead_letter']);
    const dead = await getMessage(channel, dlq);
    expect(JSON.parse(dead.content.toString())).toEqual({ news_id: 'poison' });
    const deaths = dead.properties.headers?.['x-death'] as { reason: string; queue: string }[];
    expect(deaths[0]).toMatchObject({ reason: 'delivery_limit', queue });
    channel.ack(dead);
    expect(await queueDepth(channel, queue)).toBe(0);
  });

  it('bad input is dead-lettered at once with the reason and the original body, and never reaches the action', async () => {
    const { vhost, channel } = broker;
    const queue = 'msgr.consumer.CourseConsumer.clone';
    const dlq = 'msgr.dead-letter.CourseConsumer.clone';
    const source = new AmqpChannelSource(vhost.url);
    try {
      const { services, calls } = recordingServices();
      const { handler, metrics } = handlerFor(services, new AmqpPublisher(source));
      channel.publish('msgr', 'xikolo.course.clone', Buffer.from('{"old_course_id": '), { contentType: 'application/json', persistent: true });
      await publishLikeMsgr(channel, 'msgr', 'xikolo.course.clone', { new_course_code: 'only-half' });
      for (let i = 0; i < 2; i++) expect(await deliverLikeLambda(channel, queue, vhost.name, await getMessage(channel, queue), handler)).toBe('acked');
      expect(calls).toEqual([]);
      expect(metrics.events().filter((e) => e !== 'delivery')).toEqual(['dead_letter', 'dead_letter']);
      const first = await getMessage(channel, dlq);
      const second = await getMessage(channel, dlq);
      expect(first.content.toString()).toBe('{"old_course_id": ');
      expect(String(first.properties.headers?.[REASON_HEADER])).toMatch(/^body is not JSON: /);
      expect(JSON.parse(second.content.toString())).toEqual({ new_course_code: 'only-half' });
      expect(String(second.properties.headers?.[REASON_HEADER])).toMatch(/payload does not fit CourseConsumer#clone: old_course_id: /);
      expect(second.properties.headers?.['x-xikolo-route']).toBe('course#clone');
      channel.ack(first);
      channel.ack(second);
    } finally {
      await source.close();
    }
  });

  it('gamification off: the message is acknowledged and counted, not run and not retried', async () => {
    const { vhost, channel } = broker;
    const { services, calls } = recordingServices();
    const metrics = collectMetrics();
    const runtime = new ConsumerRuntime({ registry: consumers, routes, services, features: {}, maxAttempts: MAX_ATTEMPTS, metrics: metrics.metrics, log: collectLogs().log });
    const handler = createRabbitMqConsumerHandler({ runtime, deadLetters: { deadLetter: async () => undefined }, log: collectLogs().log });
    const queue = 'msgr.consumer.GamificationConsumer.visit_create';
    await publishLikeMsgr(channel, 'msgr', 'xikolo.course.visit.create', PAYLOADS.gamification);
    expect(await deliverLikeLambda(channel, queue, vhost.name, await getMessage(channel, queue), handler)).toBe('acked');
    expect(calls).toEqual([]);
    expect(metrics.events()).toEqual(['delivery', 'disabled']);
    expect(await queueDepth(channel, queue)).toBe(0);
  });
});
