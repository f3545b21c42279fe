/**
 * Msgr's RabbitMQ topology, declared through the RabbitMQ management HTTP API
 * (Lambda event source mappings only consume; they declare nothing).
 *
 * - the durable topic exchange `msgr` (or `<prefix>-msgr`);
 * - per route a durable quorum queue `msgr.consumer.<ConsumerClass>.<action>`
 *   bound to the exchange with each of the route's keys, with a delivery limit
 *   and a dead-letter exchange, so a message that keeps failing is
 *   dead-lettered by the broker after a bounded number of deliveries;
 * - the durable direct dead-letter exchange and, per route, a durable
 *   dead-letter queue `msgr.dead-letter.<ConsumerClass>.<action>` bound with
 *   the route queue's name.
 *
 * Declaring is idempotent: PUT of an identical exchange or queue and POST of
 * an existing binding change nothing. Bindings from the exchange to managed
 * queues (`msgr.consumer.*`) that the routes no longer list are removed;
 * queues are never deleted (they may hold messages).
 */
import type { Route } from './routes';

export interface TopologySpec {
  readonly vhost: string;
  readonly exchange: string;
  readonly deadLetterExchange: string;
  /** Deliveries a message may fail before the broker dead-letters it (quorum queues' `x-delivery-limit`). */
  readonly deliveryLimit: number;
  readonly queues: readonly { readonly name: string; readonly bindings: readonly string[]; readonly deadLetterQueue: string }[];
}

export const DEAD_LETTER_QUEUE_PREFIX = 'msgr.dead-letter.';
export const MANAGED_QUEUE_PREFIX = 'msgr.consumer.';

export function deadLetterExchangeName(exchange: string): string {
  return `${exchange}.dead-letter`;
}

export function deadLetterQueueName(queueName: string): string {
  return queueName.startsWith(MANAGED_QUEUE_PREFIX) ? `${DEAD_LETTER_QUEUE_PREFIX}${queueName.slice(MANAGED_QUEUE_PREFIX.length)}` : `${queueName}.dead-letter`;
}

/** The topology for a set of routes. */
export function topologyFor(routes: readonly Route[], options: { vhost?: string; exchange?: string; deliveryLimit: number }): TopologySpec {
  const exchange = options.exchange ?? 'msgr';
  return {
    vhost: options.vhost ?? '/',
    exchange,
    deadLetterExchange: deadLetterExchangeName(exchange),
    deliveryLimit: options.deliveryLimit,
    queues: routes.map((r) => ({ name: r.queueName, bindings: [...r.keys], deadLetterQueue: deadLetterQueueName(r.queueName) })),
  };
}

/** The arguments of a route queue; changing them later needs the queue to be recreated. */
export function routeQueueArguments(spec: TopologySpec, queue: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': spec.deliveryLimit,
    'x-dead-letter-exchange': spec.deadLetterExchange,
    'x-dead-letter-routing-key': queue,
    // At-least-once dead-lettering (RabbitMQ ≥ 3.10) needs reject-publish overflow.
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

export interface ManagementEndpoint {
  /** Base URL of the management API, e.g. `https://b-123.mq.eu-central-1.amazonaws.com` or `http://127.0.0.1:15672`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

export interface DeclareReport {
  readonly exchanges: string[];
  readonly queues: string[];
  readonly bindingsAdded: number;
  readonly bindingsRemoved: string[];
}

type Fetch = typeof fetch;

export class ManagementApi {
  private readonly base: string;
  private readonly auth: string;

  constructor(
    endpoint: ManagementEndpoint,
    private readonly fetchImpl: Fetch = fetch,
  ) {
    const url = new URL(endpoint.url);
    url.username = '';
    url.password = '';
    this.base = url.toString().replace(/\/$/, '');
    this.auth = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64')}`;
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.fetchImpl(`${this.base}/api/${path}`, {
      method,
      headers: { authorization: this.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let reason = text;
      try {
        const parsed = JSON.parse(text) as { reason?: string; error?: string };
        reason = parsed.reason ?? parsed.error ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new ManagementApiError(method, path, response.status, reason);
    }
    return text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
  }
}

export class ManagementApiError extends TopologyError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`RabbitMQ management API ${method} /api/${path} answered ${status}: ${reason}`);
  }
}

const enc = encodeURIComponent;

interface BindingInfo {
  destination: string;
  destination_type: string;
  routing_key: string;
  properties_key: string;
}

/** Declares the topology; safe to run any number of times. */
export async function declareTopology(api: ManagementApi, spec: TopologySpec): Promise<DeclareReport> {
  const vhost = enc(spec.vhost);
  const put = async (path: string, body: unknown, what: string) => {
    try {
      await api.request('PUT', path, body);
    } catch (error) {
      if (error instanceof ManagementApiError && error.status === 400 && /inequivalent|PRECONDITION/i.test(error.reason)) {
        throw new TopologyError(
          `${what} already exists with different settings (${error.reason}). RabbitMQ cannot change a queue's or exchange's type or arguments in place: move its messages away (for example with a shovel), delete it, and deploy again.`,
        );
      }
      if (error instanceof ManagementApiError && error.status === 401) {
        throw new TopologyError(`the broker refused the management credentials (401) for ${what}: check the broker user in the Secrets Manager secret`);
      }
      if (error instanceof ManagementApiError && error.status === 404 && /vhost/i.test(error.reason)) {
        throw new TopologyError(`virtual host "${spec.vhost}" does not exist on the broker: create it or fix the vhost setting`);
      }
      throw error;
    }
  };
  await put(`exchanges/${vhost}/${enc(spec.exchange)}`, { type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }, `exchange "${spec.exchange}"`);
  await put(`exchanges/${vhost}/${enc(spec.deadLetterExchange)}`, { type: 'direct', durable: true, auto_delete: false, internal: false, arguments: {} }, `exchange "${spec.deadLetterExchange}"`);
  let bindingsAdded = 0;
  for (const queue of spec.queues) {
    await put(`queues/${vhost}/${enc(queue.deadLetterQueue)}`, { durable: true, auto_delete: false, arguments: { 'x-queue-type': 'quorum' } }, `dead-letter queue "${queue.deadLetterQueue}"`);
    await api.request('POST', `bindings/${vhost}/e/${enc(spec.deadLetterExchange)}/q/${enc(queue.deadLetterQueue)}`, { routing_key: queue.name, arguments: {} });
    await put(`queues/${vhost}/${enc(queue.name)}`, { durable: true, auto_delete: false, arguments: routeQueueArguments(spec, queue.name) }, `queue "${queue.name}"`);
    const existing = (await api.request('GET', `bindings/${vhost}/e/${enc(spec.exchange)}/q/${enc(queue.name)}`)) as BindingInfo[];
    const have = new Set(existing.map((b) => b.routing_key));
    for (const key of queue.bindings) {
      if (have.has(key)) continue;
      await api.request('POST', `bindings/${vhost}/e/${enc(spec.exchange)}/q/${enc(queue.name)}`, { routing_key: key, arguments: {} });
      bindingsAdded++;
    }
  }
  // Remove bindings of managed queues that the routes no longer list.
  const wanted = new Map(spec.queues.map((q) => [q.name, new Set(q.bindings)]));
  const fromExchange = (await api.request('GET', `exchanges/${vhost}/${enc(spec.exchange)}/bindings/source`)) as BindingInfo[];
  const bindingsRemoved: string[] = [];
  for (const binding of fromExchange) {
    if (binding.destination_type !== 'queue' || !binding.destination.startsWith(MANAGED_QUEUE_PREFIX)) continue;
    if (wanted.get(binding.destination)?.has(binding.routing_key)) continue;
    await api.request('DELETE', `bindings/${vhost}/e/${enc(spec.exchange)}/q/${enc(binding.destination)}/${enc(binding.properties_key)}`);
    bindingsRemoved.push(`${binding.destination} ← ${binding.routing_key}`);
  }
  return {
    exchanges: [spec.exchange, spec.deadLetterExchange],
    queues: spec.queues.flatMap((q) => [q.name, q.deadLetterQueue]),
    bindingsAdded,
    bindingsRemoved,
  };
}
