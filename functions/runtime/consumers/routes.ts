/**
 * Routes: routing key(s) → `consumer#action`, Msgr's `route 'key', to: 'consumer#action'`.
 *
 * The raw form (from config/routes.yml, or from a Lambda's configuration) is
 * validated against the consumer registry: every problem is reported with
 * the route, the reason and what to do, and loading fails if there is any.
 * This module has no file or YAML dependency so Lambda code can use it;
 * lib/messaging/routes.ts reads the file and turns problems into ConfigErrors.
 */
import { bindingKeyProblem } from './amqp-topic';
import { ACTION_NAME, findConsumer, isConsumerName, type ConsumerRegistry } from './consumer';

export interface Route {
  /** `consumer#action`, as written in the routes file; unique. */
  readonly to: string;
  readonly consumer: string;
  readonly action: string;
  /** Binding keys (AMQP topic syntax), at least one. */
  readonly keys: readonly string[];
  /** Msgr's class name, e.g. `GamificationConsumer`. */
  readonly className: string;
  /** Msgr's queue name: `msgr.consumer.<ConsumerClass>.<action>`. */
  readonly queueName: string;
}

/** What a route looks like before validation. */
export interface RawRoute {
  readonly to: string;
  readonly keys: readonly string[];
}

export interface RouteProblem {
  /** Where: `routes[2] (gamification#vote_create)`. */
  readonly route: string;
  readonly reason: string;
  readonly fix: string;
}

export class RouteValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly RouteProblem[],
  ) {
    super(problems.map((p) => `${source}: ${p.route}: ${p.reason}; ${p.fix}`).join('\n'));
    this.name = 'RouteValidationError';
  }
}

export const QUEUE_PREFIX = 'msgr.consumer.';

export function queueNameFor(className: string, action: string): string {
  return `${QUEUE_PREFIX}${className}.${action}`;
}

function label(index: number, to: unknown): string {
  return typeof to === 'string' && to.length > 0 ? `routes[${index}] (${to})` : `routes[${index}]`;
}

/**
 * Checks the shape of a parsed routes document (`{ routes: [{ to, key | keys }] }`)
 * and returns the raw routes plus any shape problems.
 */
export function readRawRoutes(document: unknown): { routes: RawRoute[]; problems: RouteProblem[] } {
  const problems: RouteProblem[] = [];
  const routes: RawRoute[] = [];
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    problems.push({ route: '(file)', reason: 'is not a mapping with a "routes" list', fix: 'write `routes:` followed by a list of `- to: consumer#action` entries with `key:` or `keys:`' });
    return { routes, problems };
  }
  const extra = Object.keys(document).filter((k) => k !== 'routes');
  if (extra.length > 0) {
    problems.push({ route: '(file)', reason: `unknown top-level key(s) ${extra.map((k) => `"${k}"`).join(', ')}`, fix: 'remove them; only `routes:` is read' });
  }
  const list = (document as { routes?: unknown }).routes;
  if (!Array.isArray(list)) {
    problems.push({ route: '(file)', reason: '"routes" is missing or not a list', fix: 'write `routes:` followed by a list of `- to: consumer#action` entries' });
    return { routes, problems };
  }
  list.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ route: `routes[${index}]`, reason: 'is not a mapping', fix: 'write `- to: consumer#action` with `key: <routing key>` or `keys: [...]`' });
      return;
    }
    const record = entry as Record<string, unknown>;
    const where = label(index, record.to);
    const unknownKeys = Object.keys(record).filter((k) => !['to', 'key', 'keys'].includes(k));
    if (unknownKeys.length > 0) {
      problems.push({ route: where, reason: `unknown field(s) ${unknownKeys.map((k) => `"${k}"`).join(', ')}`, fix: 'a route has only `to` and `key` or `keys`' });
    }
    if (typeof record.to !== 'string') {
      problems.push({ route: where, reason: '"to" is missing or not a string', fix: 'set `to: consumer#action`, for example `to: gamification#vote_create`' });
      return;
    }
    let keys: string[] = [];
    if (record.key !== undefined && record.keys !== undefined) {
      problems.push({ route: where, reason: 'has both "key" and "keys"', fix: 'use `keys: [...]` for several routing keys, or `key:` for one' });
      return;
    }
    if (typeof record.key === 'string') keys = [record.key];
    else if (Array.isArray(record.keys) && record.keys.length > 0 && record.keys.every((k) => typeof k === 'string')) keys = record.keys as string[];
    else {
      problems.push({ route: where, reason: 'has no routing key', fix: 'add `key: <routing key>` or a non-empty list `keys: [<routing key>, ...]` of strings' });
      return;
    }
    routes.push({ to: record.to, keys });
  });
  return { routes, problems };
}

/** Validates raw routes against the registry; returns the routes and every problem found. */
export function checkRoutes<S>(raw: readonly RawRoute[], registry: ConsumerRegistry<S>): { routes: Route[]; problems: RouteProblem[] } {
  const problems: RouteProblem[] = [];
  const routes: Route[] = [];
  const seenTo = new Map<string, number>();
  raw.forEach((entry, index) => {
    const where = label(index, entry.to);
    const match = /^([^#]+)#([^#]+)$/.exec(entry.to);
    if (!match) {
      problems.push({ route: where, reason: `"to: ${entry.to}" is not of the form consumer#action`, fix: 'write it like gamification#vote_create or course_service/course#clone' });
      return;
    }
    const consumerName = match[1] as string;
    const action = match[2] as string;
    let ok = true;
    if (!isConsumerName(consumerName)) {
      problems.push({ route: where, reason: `consumer name "${consumerName}" is not valid`, fix: 'use lower-case words with "_", namespaced with "/" (like course_service/course)' });
      ok = false;
    } else if (!ACTION_NAME.test(action)) {
      problems.push({ route: where, reason: `action name "${action}" is not valid`, fix: 'use the lower-case method name, like vote_create' });
      ok = false;
    }
    const consumer = ok ? findConsumer(registry, consumerName) : undefined;
    if (ok && !consumer) {
      const known = registry.map((c) => c.name).join(', ') || '(none)';
      problems.push({ route: where, reason: `unknown consumer "${consumerName}" (registered: ${known})`, fix: 'fix the name, or add the consumer to functions/app/consumers/registry.ts' });
      ok = false;
    }
    if (consumer && !Object.hasOwn(consumer.actions, action)) {
      problems.push({ route: where, reason: `${consumer.className} has no action "${action}" (actions: ${Object.keys(consumer.actions).join(', ')})`, fix: `fix the action name, or add the action and its payload schema to ${consumer.className}` });
      ok = false;
    }
    const firstIndex = seenTo.get(entry.to);
    if (firstIndex !== undefined) {
      problems.push({ route: where, reason: `duplicates routes[${firstIndex}]: both deliver to ${entry.to}, which has a single queue`, fix: `merge the two entries into one with \`keys: [...]\`` });
      ok = false;
    } else {
      seenTo.set(entry.to, index);
    }
    const seenKeys = new Set<string>();
    for (const key of entry.keys) {
      const problem = bindingKeyProblem(key);
      if (problem) {
        problems.push({ route: where, reason: `routing key "${key}" is not valid: ${problem}`, fix: 'use dot-separated words, with "*" (one word) or "#" (any number of words) as whole words' });
        ok = false;
      } else if (seenKeys.has(key)) {
        problems.push({ route: where, reason: `routing key "${key}" is listed twice`, fix: 'remove the repeated key' });
        ok = false;
      }
      seenKeys.add(key);
    }
    if (ok && consumer) {
      routes.push({
        to: entry.to,
        consumer: consumerName,
        action,
        keys: [...entry.keys],
        className: consumer.className,
        queueName: queueNameFor(consumer.className, action),
      });
    }
  });
  return { routes, problems };
}

/** Validates and throws a RouteValidationError naming `source` if anything is wrong. */
export function parseRoutes<S>(document: unknown, registry: ConsumerRegistry<S>, source: string): Route[] {
  const shape = readRawRoutes(document);
  const checked = checkRoutes(shape.routes, registry);
  const problems = [...shape.problems, ...checked.problems];
  if (problems.length > 0) throw new RouteValidationError(source, problems);
  return checked.routes;
}
