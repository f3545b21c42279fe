import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { consumers } from '../../functions/app/consumers/registry';
import { consumerClassName, defineConsumer } from '../../functions/runtime/consumers/consumer';
import { parseRoutes, RouteValidationError } from '../../functions/runtime/consumers/routes';
import { ConfigErrors } from '../../lib/config/errors';
import { loadRoutes } from '../../lib/messaging/routes';

const SEED: [string, string][] = [
  ['xikolo.pinboard.vote.create', 'gamification#vote_create'],
  ['xikolo.pinboard.question.create', 'gamification#question_create'],
  ['xikolo.pinboard.comment.create', 'gamification#comment_create'],
  ['xikolo.pinboard.question.update', 'gamification#answer_accepted'],
  ['xikolo.pinboard.answer.create', 'gamification#answer_create'],
  ['xikolo.course.result.create', 'gamification#result_create'],
  ['xikolo.course.visit.create', 'gamification#visit_create'],
  ['xikolo.course.clone', 'course#clone'],
  ['xikolo.news.update_status', 'news#update_state'],
];

function writeRoutes(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'routes-'));
  const file = join(dir, 'routes.yml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(text: string): string[] {
  try {
    loadRoutes(writeRoutes(text));
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  throw new Error('expected loading to fail');
}

describe('config/routes.yml', () => {
  const routes = loadRoutes();

  it('holds every route of the seed, each to its consumer class and Msgr queue', () => {
    expect(routes.map((r) => [r.keys[0], r.to])).toEqual(SEED);
    expect(routes.every((r) => r.keys.length === 1)).toBe(true);
    expect(routes.find((r) => r.to === 'gamification#vote_create')).toMatchObject({
      className: 'GamificationConsumer',
      queueName: 'msgr.consumer.GamificationConsumer.vote_create',
    });
    expect(routes.find((r) => r.to === 'course#clone')?.queueName).toBe('msgr.consumer.CourseConsumer.clone');
    expect(routes.find((r) => r.to === 'news#update_state')?.queueName).toBe('msgr.consumer.NewsConsumer.update_state');
  });

  it('routes only to actions the registry declares', () => {
    for (const route of routes) {
      const consumer = consumers.find((c) => c.name === route.consumer);
      expect(consumer && Object.keys(consumer.actions)).toContain(route.action);
    }
  });
});

describe('route validation', () => {
  it('accepts several keys per route, wildcards and a single key', () => {
    const file = writeRoutes(`routes:
  - to: gamification#vote_create
    keys: [xikolo.pinboard.vote.create, xikolo.*.vote.create, xikolo.pinboard.#]
  - to: course#clone
    key: xikolo.course.clone
`);
    const routes = loadRoutes(file);
    expect(routes[0]?.keys).toEqual(['xikolo.pinboard.vote.create', 'xikolo.*.vote.create', 'xikolo.pinboard.#']);
    expect(routes[1]?.keys).toEqual(['xikolo.course.clone']);
  });

  it('accepts namespaced consumers and names their class and queue like Msgr', () => {
    const namespaced = defineConsumer({
      name: 'course_service/course',
      actions: { clone: z.looseObject({}) },
      create: () => ({ clone: () => undefined }),
    });
    const routes = parseRoutes({ routes: [{ to: 'course_service/course#clone', key: 'xikolo.course.clone' }] }, [namespaced], 'test');
    expect(routes[0]).toMatchObject({ consumer: 'course_service/course', className: 'CourseService::CourseConsumer', queueName: 'msgr.consumer.CourseService::CourseConsumer.clone' });
    expect(consumerClassName('pinboard_service/notification_dispatch')).toBe('PinboardService::NotificationDispatchConsumer');
  });

  it('rejects an unknown consumer, naming the file, the route, the reason and the fix', () => {
    const [message] = problemsOf('routes:\n  - to: badges#award\n    key: xikolo.badge.award\n');
    expect(message).toMatch(/routes\.yml: key "routes\[0\] \(badges#award\)": unknown consumer "badges" \(registered: gamification, course, news\): fix the name, or add the consumer to functions\/app\/consumers\/registry\.ts/);
  });

  it('rejects an unknown action and lists the consumer\'s actions', () => {
    const [message] = problemsOf('routes:\n  - to: gamification#vote_delete\n    key: xikolo.pinboard.vote.delete\n');
    expect(message).toMatch(/GamificationConsumer has no action "vote_delete" \(actions: result_create, visit_create, vote_create/);
  });

  it('rejects bad keys', () => {
    const messages = problemsOf('routes:\n  - to: course#clone\n    keys: ["xikolo..clone", "xikolo.cl*ne", ""]\n');
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/routing key "xikolo\.\.clone" is not valid: word 2 is empty/);
    expect(messages[1]).toMatch(/mixes a wildcard/);
    expect(messages[2]).toMatch(/the routing key is empty/);
  });

  it('rejects duplicate routes and duplicate keys', () => {
    const messages = problemsOf(`routes:
  - to: course#clone
    key: xikolo.course.clone
  - to: course#clone
    keys: [xikolo.course.copy, xikolo.course.copy]
`);
    expect(messages[0]).toMatch(/routes\[1\] \(course#clone\)": duplicates routes\[0\]: both deliver to course#clone, which has a single queue: merge the two entries/);
    expect(messages[1]).toMatch(/routing key "xikolo\.course\.copy" is listed twice/);
  });

  it('rejects malformed entries and reports all problems at once', () => {
    const messages = problemsOf(`routes:
  - to: course
    key: xikolo.course.clone
  - key: xikolo.news.update_status
  - to: news#update_state
  - to: news#update_state
    key: a
    keys: [b]
  - to: news#update_state
    key: xikolo.news.update_status
    queue: custom
`);
    expect(messages.some((m) => /routes\[0\] \(course\)": "to: course" is not of the form consumer#action/.test(m))).toBe(true);
    expect(messages.some((m) => /routes\[1\]": "to" is missing/.test(m))).toBe(true);
    expect(messages.some((m) => /routes\[2\] \(news#update_state\)": has no routing key/.test(m))).toBe(true);
    expect(messages.some((m) => /routes\[3\] \(news#update_state\)": has both "key" and "keys"/.test(m))).toBe(true);
    expect(messages.some((m) => /routes\[4\] \(news#update_state\)": unknown field\(s\) "queue"/.test(m))).toBe(true);
  });

  it('rejects a file without a routes list, and invalid YAML', () => {
    expect(problemsOf('route:\n  - to: course#clone\n')[0]).toMatch(/unknown top-level key\(s\) "route"/);
    expect(() => loadRoutes(writeRoutes('routes: [\n'))).toThrow(/routes\.yml: is not valid YAML/);
    expect(() => loadRoutes('/nonexistent/routes.yml')).toThrow(/the routes file does not exist/);
  });

  it('throws RouteValidationError from the runtime parser with source and fix', () => {
    expect(() => parseRoutes({ routes: [{ to: 'x#y', key: 'a' }] }, consumers, 'CONSUMER_CONFIG')).toThrow(RouteValidationError);
    expect(() => parseRoutes({ routes: [{ to: 'x#y', key: 'a' }] }, consumers, 'CONSUMER_CONFIG')).toThrow(/^CONSUMER_CONFIG: routes\[0\] \(x#y\): unknown consumer "x"/);
  });
});
