/**
 * Builds `aws:rmq` events the way Lambda's Amazon MQ event source mapping
 * does (AWS's documented example): base64 body, string header values as
 * `{ bytes: [...] }`, timestamp formatted like `Jan 1, 1970, 12:33:41 AM`.
 */
import type { RabbitMqEvent, RmqBasicProperties, RmqHeaderValue, RmqMessage } from '../../functions/runtime/consumers/rmq-transport';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function formatRmqTimestamp(date: Date): string {
  const h = date.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

export function encodeHeaderValue(value: unknown): RmqHeaderValue {
  if (typeof value === 'string') return { bytes: [...Buffer.from(value, 'utf8')] };
  if (Buffer.isBuffer(value)) return { bytes: [...value] };
  if (Array.isArray(value)) return value.map((v) => encodeHeaderValue(v));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && value !== undefined) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeHeaderValue(v)]));
  return null;
}

/** amqplib-style message (content + properties + fields) → one aws:rmq message. */
export function rmqMessageFrom(message: {
  content: Buffer;
  fields: { redelivered: boolean };
  properties: {
    contentType?: unknown;
    contentEncoding?: unknown;
    headers?: Record<string, unknown>;
    deliveryMode?: unknown;
    priority?: unknown;
    correlationId?: unknown;
    replyTo?: unknown;
    expiration?: unknown;
    messageId?: unknown;
    timestamp?: unknown;
    type?: unknown;
    userId?: unknown;
    appId?: unknown;
    clusterId?: unknown;
  };
}): RmqMessage {
  const p = message.properties;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const basicProperties: RmqBasicProperties = {
    contentType: str(p.contentType),
    contentEncoding: str(p.contentEncoding),
    headers: p.headers ? (Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, encodeHeaderValue(v)])) as Record<string, RmqHeaderValue>) : null,
    deliveryMode: typeof p.deliveryMode === 'number' ? p.deliveryMode : null,
    priority: typeof p.priority === 'number' ? p.priority : null,
    correlationId: str(p.correlationId),
    replyTo: str(p.replyTo),
    expiration: str(p.expiration),
    messageId: str(p.messageId),
    timestamp: typeof p.timestamp === 'number' ? formatRmqTimestamp(new Date(p.timestamp * 1000)) : null,
    type: str(p.type),
    userId: str(p.userId),
    appId: str(p.appId),
    clusterId: str(p.clusterId),
    bodySize: message.content.length,
  };
  return { basicProperties, redelivered: message.fields.redelivered, data: message.content.toString('base64') };
}

export function rmqEvent(queue: string, messages: RmqMessage[], vhost = '/'): RabbitMqEvent {
  return {
    eventSource: 'aws:rmq',
    eventSourceArn: 'arn:aws:mq:eu-central-1:123456789012:broker:xikolo-async-test-msgr:b-9bcfa592-423a-4942-879d-eb284b418fc8',
    rmqMessagesByQueue: { [`${queue}::${vhost}`]: messages },
  };
}

/** A message as a Ruby Msgr publisher sends it: JSON, application/json, persistent, no routing-key header. */
export function msgrMessage(payload: unknown, options: { headers?: Record<string, unknown>; redelivered?: boolean; messageId?: string } = {}): RmqMessage {
  return rmqMessageFrom({
    content: Buffer.from(JSON.stringify(payload)),
    fields: { redelivered: options.redelivered ?? false },
    properties: { contentType: 'application/json', deliveryMode: 2, headers: options.headers, messageId: options.messageId, timestamp: 1746353472 },
  });
}
