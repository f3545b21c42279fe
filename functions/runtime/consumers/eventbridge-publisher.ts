/**
 * Publishing Msgr-style messages on EventBridge: `publish(routingKey, payload)`
 * becomes an event on the environment's bus with `detail-type` = routing key
 * and `detail` = payload.
 *
 * PutEvents takes at most 10 entries and 256 KB per call and can fail per
 * entry; entries are packed into calls within both limits, and only the
 * entries that failed are sent again (with backoff), never the whole batch.
 */
import { packBatches } from '../shared/batches';
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { publishKeyProblem } from './amqp-topic';

export const MSGR_EVENT_SOURCE = 'xikolo.msgr';
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES_PER_CALL = 256 * 1024;

export interface OutgoingMessage {
  readonly routingKey: string;
  readonly payload: unknown;
}

export interface FailedEntry {
  readonly routingKey: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export class PublishError extends Error {
  constructor(
    message: string,
    readonly failed: readonly FailedEntry[],
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

export interface EventBridgePublisherOptions {
  readonly busName: string;
  readonly source?: string;
  /** Calls per entry before giving up (first call included). Default 4. */
  readonly maxAttempts?: number;
  /** Milliseconds to wait before retry n (1-based). Default 100·2ⁿ⁻¹ with jitter. */
  readonly retryDelayMs?: (retry: number) => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Error codes that will not succeed on a retry. */
const PERMANENT = new Set([
  'ValidationException',
  'AccessDeniedException',
  'MalformedDetail',
  'InvalidArgument',
  'NotAuthorized',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'InvalidAccountIdException',
  'RedactionFailure',
]);

/** Size of one entry as EventBridge counts it (UTF-8 bytes of its fields; 14 for a time). */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, entry.EventBusName, entry.TraceHeader]) {
    if (text) size += Buffer.byteLength(text, 'utf8');
  }
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}

/** Packs entries into calls of at most 10 entries and 256 KB. */
export function packEntries<T extends PutEventsRequestEntry>(entries: readonly T[]): T[][] {
  return packBatches(entries, MAX_ENTRIES_PER_CALL, MAX_BYTES_PER_CALL, entrySize);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class EventBridgePublisher {
  private readonly source: string;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (retry: number) => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly options: EventBridgePublisherOptions,
  ) {
    this.source = options.source ?? MSGR_EVENT_SOURCE;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? ((retry) => 100 * 2 ** (retry - 1) * (0.8 + Math.random() * 0.4));
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** `Msgr.publish(payload, to: routingKey)`. */
  publish(routingKey: string, payload: unknown): Promise<void> {
    return this.publishBatch([{ routingKey, payload }]);
  }

  /** Publishes many messages with as few calls as the limits allow; throws PublishError listing what could not be sent. */
  async publishBatch(messages: readonly OutgoingMessage[]): Promise<void> {
    const entries = messages.map((message) => this.toEntry(message));
    let pending = entries;
    const permanent: FailedEntry[] = [];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const failed: { entry: (typeof entries)[number]; code: string; message: string }[] = [];
      for (const call of packEntries(pending)) {
        let result;
        try {
          result = await this.client.send(new PutEventsCommand({ Entries: call.map(({ routingKey: _r, ...entry }) => entry) }));
        } catch (error) {
          // The whole call failed (after the SDK's own retries): its entries failed; the other calls still go out.
          const err = error as { name?: string; message?: string };
          for (const entry of call) failed.push({ entry, code: err.name ?? 'Error', message: err.message ?? String(error) });
          continue;
        }
        if (!result.FailedEntryCount) continue;
        (result.Entries ?? []).forEach((answer, index) => {
          const entry = call[index];
          if (entry && answer.ErrorCode) failed.push({ entry, code: answer.ErrorCode, message: answer.ErrorMessage ?? '' });
        });
      }
      pending = [];
      for (const failure of failed) {
        if (PERMANENT.has(failure.code) || attempt >= this.maxAttempts) {
          permanent.push({ routingKey: failure.entry.routingKey, errorCode: failure.code, errorMessage: failure.message });
        } else {
          pending.push(failure.entry);
        }
      }
      if (pending.length > 0) await this.sleep(this.retryDelayMs(attempt));
    }
    if (permanent.length > 0) {
      const summary = permanent
        .slice(0, 5)
        .map((f) => `${f.routingKey}: ${f.errorCode} ${f.errorMessage}`.trim())
        .join('; ');
      throw new PublishError(
        `${permanent.length} of ${messages.length} message(s) could not be published to event bus "${this.options.busName}" (${summary}${permanent.length > 5 ? '; …' : ''}); the others were published. Check the bus name and the publisher's events:PutEvents permission, or retry these messages.`,
        permanent,
      );
    }
  }

  private toEntry(message: OutgoingMessage): PutEventsRequestEntry & { routingKey: string } {
    const problem = publishKeyProblem(message.routingKey);
    if (problem) throw new PublishError(`cannot publish to "${message.routingKey}": ${problem}`, []);
    if (typeof message.payload !== 'object' || message.payload === null || Array.isArray(message.payload)) {
      throw new PublishError(`cannot publish to "${message.routingKey}": the payload must be a JSON object (EventBridge carries it as the event's detail)`, []);
    }
    const entry = {
      routingKey: message.routingKey,
      EventBusName: this.options.busName,
      Source: this.source,
      DetailType: message.routingKey,
      Detail: JSON.stringify(message.payload),
    };
    const size = entrySize(entry);
    if (size > MAX_BYTES_PER_CALL) {
      throw new PublishError(`cannot publish to "${message.routingKey}": the event is ${size} bytes, over EventBridge's 256 KB limit; publish a reference (an id or an S3 key) instead of the data`, []);
    }
    return entry;
  }
}
