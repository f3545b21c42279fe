/**
 * EventBridge mode: each route's rule sends `{ "route": "<consumer#action>",
 * "event": <the EventBridge event> }` (an input transformer) to the
 * consumer's SQS queue; the consumer Lambda reads batches with
 * ReportBatchItemFailures.
 *
 * - success, disabled, filtered, unroutable: acknowledged (deleted by Lambda).
 * - bad input: sent to the consumer's dead-letter queue at once, with the
 *   reason as message attributes and the body unchanged, then acknowledged.
 * - action threw: reported as a batch item failure; its visibility is set to a
 *   growing delay (attempt⁴ + 5 s, as Delayed::Job) so retries back off; after
 *   maxReceiveCount receives SQS moves it to the dead-letter queue.
 */
import { packBatches } from '../shared/batches';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeJson, type ConsumerRuntime, type Delivery } from './dispatch';
import { errorFields, jsonLogger, type Logger } from './log';

/** The SQS calls the transport makes, so tests can use aws-sdk-client-mock on the real implementation. */
export interface SqsOperations {
  /** Sends entries to a queue (≤10 per call); returns the ids that failed. */
  sendBatch(queueUrl: string, entries: readonly DeadLetterEntry[]): Promise<string[]>;
  /** Changes visibility of received messages (≤10 per call); returns the ids that failed. */
  changeVisibilityBatch(queueUrl: string, entries: readonly { id: string; receiptHandle: string; seconds: number }[]): Promise<string[]>;
}

export interface DeadLetterEntry {
  readonly id: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface SqsTransportOptions<S> {
  readonly runtime: ConsumerRuntime<S>;
  readonly sqs: SqsOperations;
  readonly deadLetterQueueUrl: string;
  /** Seconds before a failed message is visible again, by attempt (1 = first delivery). */
  readonly backoffSeconds?: (attempt: number) => number;
  readonly log?: Logger;
}

/** The longest visibility SQS accepts for one receive is 12 hours; stay below it. */
const MAX_VISIBILITY_SECONDS = 43_000;

export function defaultBackoffSeconds(attempt: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, attempt ** 4 + 5);
}

interface Envelope {
  route: string;
  event: { id?: unknown; time?: unknown; 'detail-type'?: unknown; detail?: unknown };
}

function readEnvelope(body: string): { ok: true; envelope: Envelope } | { ok: false; reason: string } {
  const decoded = decodeJson(body);
  if (!decoded.ok) return { ok: false, reason: `${decoded.reason} (expected the rule's {"route", "event"} envelope)` };
  const value = decoded.value as Partial<Envelope> | null;
  if (typeof value !== 'object' || value === null || typeof value.route !== 'string' || typeof value.event !== 'object' || value.event === null) {
    return { ok: false, reason: 'body is not the rule\'s {"route", "event"} envelope (was it sent to the queue directly?)' };
  }
  return { ok: true, envelope: value as Envelope };
}

/** Turns one SQS record into a Delivery. */
export function decodeSqsRecord(record: SQSRecord): Delivery {
  const attempt = Math.max(1, Number.parseInt(record.attributes.ApproximateReceiveCount, 10) || 1);
  const read = readEnvelope(record.body);
  if (!read.ok) {
    return { route: undefined, routingKey: undefined, payload: { ok: false, reason: read.reason }, rawBody: record.body, id: record.messageId, publishedAt: undefined, redelivered: attempt > 1, attempt };
  }
  const { route, event } = read.envelope;
  const routingKey = typeof event['detail-type'] === 'string' ? event['detail-type'] : undefined;
  const time = typeof event.time === 'string' ? new Date(event.time) : undefined;
  const detail = event.detail;
  const payload =
    typeof detail === 'object' && detail !== null && !Array.isArray(detail)
      ? ({ ok: true, value: detail } as const)
      : ({ ok: false, reason: 'the event has no JSON object as detail' } as const);
  return {
    route,
    routingKey,
    payload: routingKey === undefined ? { ok: false, reason: 'the event has no detail-type (the routing key)' } : payload,
    rawBody: record.body,
    id: typeof event.id === 'string' ? event.id : record.messageId,
    publishedAt: time && !Number.isNaN(time.getTime()) ? time : undefined,
    redelivered: attempt > 1,
    attempt,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createSqsConsumerHandler<S>(options: SqsTransportOptions<S>): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const backoff = options.backoffSeconds ?? defaultBackoffSeconds;
  const log = options.log ?? jsonLogger;
  return async (event) => {
    const failures = new Set<string>();
    const deadLetters: DeadLetterEntry[] = [];
    const delays: { id: string; receiptHandle: string; seconds: number }[] = [];
    for (const record of event.Records) {
      const delivery = decodeSqsRecord(record);
      const outcome = await options.runtime.dispatch(delivery);
      if (outcome.kind === 'rejected') {
        deadLetters.push({
          id: record.messageId,
          body: record.body,
          attributes: {
            'xikolo-reason': outcome.reason.slice(0, 4000),
            'xikolo-route': delivery.route ?? '(unknown)',
            'xikolo-routing-key': delivery.routingKey ?? '(unknown)',
            'xikolo-message-id': delivery.id,
            'xikolo-rejected-at': new Date().toISOString(),
          },
        });
      } else if (outcome.kind === 'retry') {
        failures.add(record.messageId);
        if (!outcome.final) delays.push({ id: record.messageId, receiptHandle: record.receiptHandle, seconds: backoff(delivery.attempt) });
      }
    }
    for (const batch of byteChunks(deadLetters, 10, DEAD_LETTER_BATCH_BYTES)) {
      let failed: string[];
      try {
        failed = await options.sqs.sendBatch(options.deadLetterQueueUrl, batch);
      } catch (error) {
        log('error', 'could not dead-letter bad input; the messages return to the queue and are tried again', { ...errorFields(error), ids: batch.map((e) => e.id) });
        failed = batch.map((e) => e.id);
      }
      for (const id of failed) failures.add(id);
    }
    // All records of one invocation come from the consumer's queue.
    const sourceArn = event.Records[0]?.eventSourceARN;
    for (const batch of sourceArn ? chunks(delays, 10) : []) {
      try {
        const failed = await options.sqs.changeVisibilityBatch(queueUrlFromArn(sourceArn as string), batch);
        if (failed.length > 0) log('warn', 'could not delay some retries; they use the queue visibility timeout instead', { ids: failed });
      } catch (error) {
        log('warn', 'could not delay retries; they use the queue visibility timeout instead', { ...errorFields(error) });
      }
    }
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** SQS takes at most 1 MiB per SendMessageBatch request, attributes included: stay under it. */
const DEAD_LETTER_BATCH_BYTES = 1_000_000;

/** Dead-letter batches: at most `count` entries and `maxBytes` of body and attributes (a single larger entry goes alone). */
export function byteChunks<T extends { body: string; attributes: Record<string, string> }>(items: readonly T[], count: number, maxBytes: number): T[][] {
  return packBatches(items, count, maxBytes, (item) => Buffer.byteLength(item.body) + Object.entries(item.attributes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 6, 0));
}

/** `arn:aws:sqs:eu-central-1:123456789012:name` → `https://sqs.eu-central-1.amazonaws.com/123456789012/name`. */
export function queueUrlFromArn(arn: string): string {
  const parts = arn.split(':');
  const [, partition, , region, account, name] = parts;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
