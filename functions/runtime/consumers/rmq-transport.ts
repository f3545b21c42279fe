/**
 * Amazon MQ mode: a Lambda event source mapping per route queue
 * (`msgr.consumer.<ConsumerClass>.<action>`) delivers `aws:rmq` events.
 *
 * - success, disabled, filtered, unroutable: the invocation succeeds, so
 *   Lambda acknowledges the messages.
 * - bad input: published at once to the dead-letter exchange (routing key =
 *   the queue name, so it lands in that route's dead-letter queue) with the
 *   reason in headers and the body unchanged; then acknowledged.
 * - action threw: the invocation fails, so Lambda returns the batch to the
 *   queue; the quorum queue counts deliveries (`x-delivery-count`) and
 *   dead-letters the message once the delivery limit is passed. Lambda returns
 *   the whole batch, so the mappings use batch size 1.
 */
import { createHash } from 'node:crypto';
import { hasWildcard } from './amqp-topic';
import { decodeJson, type ConsumerRuntime, type Delivery } from './dispatch';
import { jsonLogger, type Logger } from './log';
import type { Route } from './routes';

/** Header our publishers add so the consumer knows the routing key (aws:rmq events do not carry it). */
export const ROUTING_KEY_HEADER = 'x-routing-key';

/** A header value as Lambda encodes it: strings become `{ bytes: [...] }`, numbers stay numbers. */
export type RmqHeaderValue = { readonly bytes: readonly number[] } | number | boolean | string | null | RmqHeaderValue[] | { readonly [key: string]: RmqHeaderValue };

export interface RmqBasicProperties {
  readonly contentType?: string | null;
  readonly contentEncoding?: string | null;
  readonly headers?: Readonly<Record<string, RmqHeaderValue>> | null;
  readonly deliveryMode?: number | null;
  readonly priority?: number | null;
  readonly correlationId?: string | null;
  readonly replyTo?: string | null;
  readonly expiration?: string | null;
  readonly messageId?: string | null;
  /** Formatted like `Jan 1, 1970, 12:33:41 AM` (UTC in Lambda). */
  readonly timestamp?: string | null;
  readonly type?: string | null;
  readonly userId?: string | null;
  readonly appId?: string | null;
  readonly clusterId?: string | null;
  readonly bodySize?: number;
}

export interface RmqMessage {
  readonly basicProperties: RmqBasicProperties;
  readonly redelivered: boolean;
  /** Base64 body. */
  readonly data: string;
}

export interface RabbitMqEvent {
  readonly eventSource: 'aws:rmq';
  readonly eventSourceArn: string;
  /** `<queue>::<vhost>` → messages. */
  readonly rmqMessagesByQueue: Readonly<Record<string, readonly RmqMessage[]>>;
}

export function decodeHeaderValue(value: RmqHeaderValue | undefined): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => decodeHeaderValue(v));
  if (typeof value === 'object') {
    if ('bytes' in value && Array.isArray(value.bytes)) return Buffer.from(value.bytes as number[]).toString('utf8');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeHeaderValue(v as RmqHeaderValue)]));
  }
  return value;
}

export function decodeHeaders(headers: RmqBasicProperties['headers']): Record<string, unknown> {
  if (!headers) return {};
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, decodeHeaderValue(v)]));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses Lambda's `Jan 1, 1970, 12:33:41 AM` (Java's medium date-time format, UTC). */
export function parseRmqTimestamp(text: string | null | undefined): Date | undefined {
  if (!text) return undefined;
  const match = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})[\s\u202f]?(AM|PM)$/.exec(text.trim());
  if (!match) return undefined;
  const [, mon, day, year, hour, minute, second, half] = match;
  const month = MONTHS.indexOf(mon as string);
  if (month < 0) return undefined;
  let h = Number(hour) % 12;
  if (half === 'PM') h += 12;
  return new Date(Date.UTC(Number(year), month, Number(day), h, Number(minute), Number(second)));
}

/** `name::vhost` → { queue, vhost }; the vhost is after the last `::`. */
export function splitQueueKey(key: string): { queue: string; vhost: string } {
  const at = key.lastIndexOf('::');
  return at < 0 ? { queue: key, vhost: '/' } : { queue: key.slice(0, at), vhost: key.slice(at + 2) };
}

function routingKeyOf(headers: Record<string, unknown>, route: Route | undefined): string | undefined {
  const header = headers[ROUTING_KEY_HEADER];
  if (typeof header === 'string' && header.length > 0) return header;
  // A route bound with one literal key receives only that key.
  if (route && route.keys.length === 1 && !hasWildcard(route.keys[0] as string)) return route.keys[0];
  return undefined;
}

export function decodeRmqMessage(message: RmqMessage, route: Route | undefined): Delivery {
  const bytes = Buffer.from(message.data, 'base64');
  const body = bytes.toString('utf8');
  const headers = decodeHeaders(message.basicProperties.headers);
  const deliveryCount = typeof headers['x-delivery-count'] === 'number' ? headers['x-delivery-count'] : undefined;
  const attempt = deliveryCount !== undefined ? deliveryCount + 1 : message.redelivered ? 2 : 1;
  const contentType = message.basicProperties.contentType;
  const payload =
    contentType && !/^application\/(.+\+)?json\b/.test(contentType)
      ? ({ ok: false, reason: `content type "${contentType}" is not application/json` } as const)
      : decodeJson(body);
  return {
    route: route?.to,
    routingKey: routingKeyOf(headers, route),
    payload,
    rawBody: body,
    id: message.basicProperties.messageId ?? `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`,
    publishedAt: parseRmqTimestamp(message.basicProperties.timestamp),
    redelivered: message.redelivered || attempt > 1,
    attempt,
    exactlyRouted: true,
  };
}

/** Publishes a rejected message to the dead-letter exchange. */
export interface RmqDeadLetterPublisher {
  deadLetter(entry: {
    readonly queue: string;
    readonly body: Buffer;
    readonly properties: RmqBasicProperties;
    readonly headers: Readonly<Record<string, unknown>>;
    readonly reason: string;
    readonly route: string | undefined;
  }): Promise<void>;
}

export interface RmqTransportOptions<S> {
  readonly runtime: ConsumerRuntime<S>;
  readonly deadLetters: RmqDeadLetterPublisher;
  readonly log?: Logger;
}

export class BatchReturnedError extends Error {
  constructor(
    readonly failed: number,
    readonly total: number,
  ) {
    super(`${failed} of ${total} messages failed: the batch returns to the queue and the broker redelivers it (up to the delivery limit, then dead-letters)`);
    this.name = 'BatchReturnedError';
  }
}

export function createRabbitMqConsumerHandler<S>(options: RmqTransportOptions<S>): (event: RabbitMqEvent) => Promise<void> {
  const log = options.log ?? jsonLogger;
  const byQueue = new Map(options.runtime.routes.map((r) => [r.queueName, r]));
  return async (event) => {
    let failed = 0;
    let total = 0;
    for (const [key, messages] of Object.entries(event.rmqMessagesByQueue ?? {})) {
      const { queue } = splitQueueKey(key);
      const route = byQueue.get(queue);
      for (const message of messages) {
        total++;
        const delivery = decodeRmqMessage(message, route);
        const outcome = await options.runtime.dispatch(delivery);
        if (outcome.kind === 'rejected') {
          try {
            await options.deadLetters.deadLetter({
              queue,
              body: Buffer.from(message.data, 'base64'),
              properties: message.basicProperties,
              headers: decodeHeaders(message.basicProperties.headers),
              reason: outcome.reason,
              route: delivery.route,
            });
          } catch (error) {
            log('error', 'could not dead-letter bad input; the batch returns to the queue and is tried again', { queue, messageId: delivery.id, error: (error as Error).message });
            failed++;
          }
        } else if (outcome.kind === 'retry') {
          failed++;
        }
      }
    }
    if (failed > 0) throw new BatchReturnedError(failed, total);
  };
}
