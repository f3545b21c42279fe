/** Test doubles that record what the consumers asked the domain services to do. */
import type { SQSRecord } from 'aws-lambda';
import type { ConsumerServices } from '../../functions/app/consumers/services';
import type { MessageInfo } from '../../functions/runtime/consumers/consumer';
import { MetricsEmitter } from '../../functions/runtime/metrics/emf';

export interface RecordedCall {
  readonly service: string;
  readonly method: string;
  readonly payload: Record<string, unknown>;
  readonly message: MessageInfo;
}

/** Services that record each call; `fail` makes a method throw (always, or a number of times). */
export function recordingServices(options: { fail?: Record<string, number | 'always'> } = {}): { services: ConsumerServices; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const failures = new Map(Object.entries(options.fail ?? {}));
  const recorder = (service: string) =>
    new Proxy(
      {},
      {
        get: (_target, method: string) => async (payload: Record<string, unknown>, message: MessageInfo) => {
          calls.push({ service, method, payload, message });
          const left = failures.get(`${service}.${method}`);
          if (left === 'always' || (typeof left === 'number' && left > 0)) {
            if (typeof left === 'number') failures.set(`${service}.${method}`, left - 1);
            throw new Error(`${service}.${method} failed on purpose`);
          }
        },
      },
    );
  return {
    services: { gamification: recorder('gamification'), course: recorder('course'), news: recorder('news') } as unknown as ConsumerServices,
    calls,
  };
}

export interface CollectedMetrics {
  readonly metrics: MetricsEmitter;
  readonly lines: Record<string, unknown>[];
  events(): string[];
}

export function collectMetrics(): CollectedMetrics {
  const lines: Record<string, unknown>[] = [];
  return {
    metrics: new MetricsEmitter({ sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>), defaultDimensions: { Environment: 'test' } }),
    lines,
    events: () => lines.map((l) => String(l.event)),
  };
}

/** A silent logger that keeps the lines for assertions. */
export function collectLogs(): { log: (level: string, message: string, fields?: Readonly<Record<string, unknown>>) => void; entries: { level: string; message: string; fields?: Readonly<Record<string, unknown>> }[] } {
  const entries: { level: string; message: string; fields?: Readonly<Record<string, unknown>> }[] = [];
  return { log: (level, message, fields) => entries.push({ level, message, fields }), entries };
}

export const QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:xikolo-async-test-consumer-gamification';
export const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/xikolo-async-test-consumer-gamification';

/** The EventBridge event a publish of `routingKey` produces. */
export function eventBridgeEvent(routingKey: string, detail: unknown, id = 'evt-1') {
  return {
    version: '0',
    id,
    'detail-type': routingKey,
    source: 'xikolo.msgr',
    account: '123456789012',
    time: '2025-05-04T10:11:12Z',
    region: 'eu-central-1',
    resources: [],
    detail,
  };
}

/** An SQS record as Lambda delivers it from a consumer queue fed by a rule's input transformer. */
export function sqsRecord(body: string, options: { messageId?: string; receiveCount?: number } = {}): SQSRecord {
  return {
    messageId: options.messageId ?? 'msg-1',
    receiptHandle: `receipt-${options.messageId ?? 'msg-1'}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1746353472000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1746353472001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-central-1',
  };
}

export function envelope(route: string, routingKey: string, detail: unknown, id?: string): string {
  return JSON.stringify({ route, event: eventBridgeEvent(routingKey, detail, id) });
}
