import { describe, expect, it } from 'vitest';
import { consumers } from '../../functions/app/consumers/registry';
import type { ConsumerServices } from '../../functions/app/consumers/services';
import { ConsumerRuntime, decodeJson, type Delivery } from '../../functions/runtime/consumers/dispatch';
import { loadRoutes } from '../../lib/messaging/routes';
import { collectLogs, collectMetrics, recordingServices } from './helpers';

const routes = loadRoutes();

function runtime(options: { services: ConsumerServices; features?: Record<string, boolean>; maxAttempts?: number }) {
  const metrics = collectMetrics();
  const logs = collectLogs();
  let clock = 1000;
  const rt = new ConsumerRuntime({
    registry: consumers,
    routes,
    services: options.services,
    features: options.features ?? { 'gamification.enabled': true },
    maxAttempts: options.maxAttempts ?? 3,
    metrics: metrics.metrics,
    log: logs.log,
    now: () => (clock += 5),
  });
  return { rt, metrics, logs };
}

function delivery(route: string, routingKey: string | undefined, payload: unknown, extra: Partial<Delivery> = {}): Delivery {
  const rawBody = JSON.stringify(payload);
  return { route, routingKey, payload: decodeJson(rawBody), rawBody, id: 'm-1', publishedAt: new Date('2025-05-04T10:11:12Z'), redelivered: false, attempt: 1, ...extra };
}

describe('dispatch', () => {
  it('calls the action with the validated payload (extra fields kept) and the message metadata; success acknowledges', async () => {
    const { services, calls } = recordingServices();
    const { rt, metrics } = runtime({ services });
    const outcome = await rt.dispatch(
      delivery('news#update_state', 'xikolo.news.update_status', { news_id: 'n-1', state: 'sent', receivers: 120 }, { redelivered: true, attempt: 2, id: 'evt-9' }),
    );
    expect(outcome).toEqual({ kind: 'success' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ service: 'news', method: 'updateState', payload: { news_id: 'n-1', state: 'sent', receivers: 120 } });
    expect(calls[0]?.message).toEqual({
      route: 'news#update_state',
      routingKey: 'xikolo.news.update_status',
      id: 'evt-9',
      publishedAt: new Date('2025-05-04T10:11:12Z'),
      redelivered: true,
      attempt: 2,
    });
    expect(metrics.events()).toEqual(['delivery', 'success']);
    const line = metrics.lines[1] as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
    expect(line).toMatchObject({ consumer: 'NewsConsumer', action: 'update_state', event: 'success', Consumer: 'NewsConsumer', Action: 'update_state', Event: 'success', Environment: 'test', messageId: 'evt-9', Messages: 1, Duration: 5 });
    // The message id is a property, never a dimension.
    expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Environment', 'Consumer', 'Action', 'Event'], ['Environment', 'Event']]);
  });

  it('rejects a payload that fails the action schema at once, with the reason, without calling the action', async () => {
    const { services, calls } = recordingServices();
    const { rt, metrics, logs } = runtime({ services });
    const outcome = await rt.dispatch(delivery('course#clone', 'xikolo.course.clone', { old_course_id: 42 }));
    expect(outcome.kind).toBe('rejected');
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/payload does not fit CourseConsumer#clone: old_course_id: .*string.*; new_course_code: /);
    expect(calls).toHaveLength(0);
    expect(metrics.events()).toEqual(['delivery', 'dead_letter']);
    expect(logs.entries[0]).toMatchObject({ level: 'error', message: expect.stringMatching(/bad input: dead-lettered at once/) });
    expect(logs.entries[0]?.fields?.body).toBe('{"old_course_id":42}');
  });

  it('rejects a body that is not JSON', async () => {
    const { services, calls } = recordingServices();
    const { rt } = runtime({ services });
    const outcome = await rt.dispatch({ ...delivery('course#clone', 'xikolo.course.clone', {}), payload: decodeJson('{not json'), rawBody: '{not json' });
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/^body is not JSON: /);
    expect(calls).toHaveLength(0);
  });

  it('gamification is off by default: acknowledged and counted, not run, not retried', async () => {
    const { services, calls } = recordingServices();
    const { rt, metrics } = runtime({ services, features: {} });
    const outcome = await rt.dispatch(delivery('gamification#vote_create', 'xikolo.pinboard.vote.create', { id: 'v-1', votable_type: 'Answer' }));
    expect(outcome).toEqual({ kind: 'disabled', flag: 'gamification.enabled' });
    expect(calls).toHaveLength(0);
    expect(metrics.events()).toEqual(['delivery', 'disabled']);
  });

  it('runs gamification when the environment enables it', async () => {
    const { services, calls } = recordingServices();
    const { rt } = runtime({ services, features: { 'gamification.enabled': true } });
    await rt.dispatch(delivery('gamification#vote_create', 'xikolo.pinboard.vote.create', { id: 'v-1', votable_type: 'Answer' }));
    expect(calls.map((c) => c.method)).toEqual(['voteCreate']);
  });

  it('a throwing action is retried, and counted as dead-lettered on its last attempt', async () => {
    const { services } = recordingServices({ fail: { 'news.updateState': 'always' } });
    const { rt, metrics, logs } = runtime({ services, maxAttempts: 3 });
    const first = await rt.dispatch(delivery('news#update_state', 'xikolo.news.update_status', { news_id: 'n' }, { attempt: 1 }));
    const last = await rt.dispatch(delivery('news#update_state', 'xikolo.news.update_status', { news_id: 'n' }, { attempt: 3 }));
    expect(first).toMatchObject({ kind: 'retry', final: false });
    expect(last).toMatchObject({ kind: 'retry', final: true });
    expect(metrics.events()).toEqual(['delivery', 'retry', 'delivery', 'dead_letter']);
    expect(logs.entries.map((e) => e.level)).toEqual(['warn', 'error']);
    expect(logs.entries[1]?.fields?.error).toBe('news.updateState failed on purpose');
  });

  it('an unknown route is counted and logged, acknowledged, never retried', async () => {
    const { services, calls } = recordingServices();
    const { rt, metrics, logs } = runtime({ services });
    const outcome = await rt.dispatch(delivery('badges#award', 'xikolo.badge.award', { id: 'x' }));
    expect(outcome.kind).toBe('unroutable');
    expect(calls).toHaveLength(0);
    expect(metrics.events()).toEqual(['delivery', 'unroutable']);
    expect(metrics.lines[1]).toMatchObject({ consumer: 'unknown', action: 'unknown', routingKey: 'xikolo.badge.award' });
    expect(logs.entries[0]).toMatchObject({ level: 'warn' });
  });

  it('filters out keys the EventBridge pattern let through but the AMQP binding does not match', async () => {
    const wildcardRoutes = [{ ...routes.find((r) => r.to === 'news#update_state')!, keys: ['xikolo.news.*'] }];
    const { services, calls } = recordingServices();
    const metrics = collectMetrics();
    const rt = new ConsumerRuntime({ registry: consumers, routes: wildcardRoutes, services, features: {}, maxAttempts: 3, metrics: metrics.metrics, log: collectLogs().log });
    // EventBridge's wildcard xikolo.news.* also matches xikolo.news.a.b, which the AMQP binding does not.
    expect((await rt.dispatch(delivery('news#update_state', 'xikolo.news.a.b', { news_id: 'n' }))).kind).toBe('filtered');
    expect((await rt.dispatch(delivery('news#update_state', 'xikolo.news.sent', { news_id: 'n' }))).kind).toBe('success');
    expect(calls).toHaveLength(1);
    expect(metrics.events()).toEqual(['delivery', 'filtered', 'delivery', 'success']);
  });

  it('creates a fresh consumer per message, like Msgr', async () => {
    let created = 0;
    const counting = consumers.map((c) => ({ ...c, create: (s: ConsumerServices) => (created++, c.create(s)) }));
    const { services } = recordingServices();
    const rt = new ConsumerRuntime({ registry: counting, routes, services, features: {}, maxAttempts: 3, metrics: collectMetrics().metrics, log: collectLogs().log });
    await rt.dispatch(delivery('news#update_state', 'xikolo.news.update_status', { news_id: 'a' }));
    await rt.dispatch(delivery('news#update_state', 'xikolo.news.update_status', { news_id: 'b' }));
    expect(created).toBe(2);
  });
});

describe('dispatch: review fixes', () => {
  it('dead-letters at once, with the reason, a payload the domain service finds unusable (not retried)', async () => {
    const { services } = recordingServices();
    const { NewsIdError } = await import('../../functions/app/domain/news');
    const rejecting: ConsumerServices = { ...services, news: { updateState: async () => { throw new NewsIdError('not-a-uuid'); } } };
    const { rt, metrics } = runtime({ services: rejecting });
    const outcome = await rt.dispatch(delivery('news#update_state', 'xikolo.news.update_status', { news_id: 'not-a-uuid' }));
    expect(outcome).toMatchObject({ kind: 'rejected' });
    expect((outcome as { reason: string }).reason).toMatch(/news_id "not-a-uuid" is not a UUID/);
    expect(metrics.events()).toEqual(['delivery', 'dead_letter']);
  });

  it('does not narrow a delivery RabbitMQ routed itself: its binding already matched the key', async () => {
    const { services, calls } = recordingServices();
    const { rt } = runtime({ services });
    // A key the route no longer lists (routes.yml changed while messages were queued under the old binding).
    const outcome = await rt.dispatch(delivery('news#update_state', 'xikolo.news.old_key', { news_id: 'n-2' }, { exactlyRouted: true }));
    expect(outcome).toEqual({ kind: 'success' });
    expect(calls).toHaveLength(1);
    const narrowed = await rt.dispatch(delivery('news#update_state', 'xikolo.news.old_key', { news_id: 'n-3' }));
    expect(narrowed).toEqual({ kind: 'filtered' });
  });
});
