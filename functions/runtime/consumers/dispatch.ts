/**
 * The transport-independent core: one delivery in, one outcome out.
 *
 * Both transports (SQS fed by EventBridge rules, and Amazon MQ through
 * `aws:rmq` events) decode their records into a Delivery and act on the
 * Outcome: acknowledge, dead-letter at once, or leave for a retry.
 */
import type { MetricsEmitter } from '../metrics/emf';
import { anyBindingMatches } from './amqp-topic';
import { describeIssues, findConsumer, isInvalidMessage, type ConsumerRegistry, type MessageInfo } from './consumer';
import { errorFields, jsonLogger, preview, type Logger } from './log';
import type { Route } from './routes';

export type DecodedPayload = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

export interface Delivery {
  /** The route (`consumer#action`) the transport delivered the message for; undefined when it cannot tell. */
  readonly route: string | undefined;
  readonly routingKey: string | undefined;
  readonly payload: DecodedPayload;
  /** The body exactly as received, for logs and the dead-letter queue. */
  readonly rawBody: string;
  readonly id: string;
  readonly publishedAt: Date | undefined;
  readonly redelivered: boolean;
  /** 1 for the first delivery. */
  readonly attempt: number;
  /** The broker matched the routing key against the route's bindings itself (RabbitMQ): no narrowing filter applies. */
  readonly exactlyRouted?: boolean;
}

export type Outcome =
  /** The action returned: acknowledge. */
  | { readonly kind: 'success' }
  /** The consumer's feature flag is off in this environment: acknowledge without running. */
  | { readonly kind: 'disabled'; readonly flag: string }
  /** The EventBridge pattern was wider than the AMQP binding and this key is outside it: acknowledge. */
  | { readonly kind: 'filtered' }
  /** No route serves this delivery: acknowledge, count and log; never retried. */
  | { readonly kind: 'unroutable'; readonly reason: string }
  /** Bad input (not JSON, or fails the action's schema): dead-letter at once with the reason. */
  | { readonly kind: 'rejected'; readonly reason: string }
  /** The action threw: leave for a retry; `final` when this was the last attempt (the queue dead-letters it). */
  | { readonly kind: 'retry'; readonly error: unknown; readonly final: boolean };

/** The EMF `event` dimension for each outcome. */
export const OUTCOME_EVENT = {
  success: 'success',
  disabled: 'disabled',
  filtered: 'filtered',
  unroutable: 'unroutable',
  rejected: 'dead_letter',
  retry: 'retry',
} as const;

export interface ConsumerRuntimeOptions<S> {
  readonly registry: ConsumerRegistry<S>;
  /** The routes this runtime serves (all of one consumer in Lambda). */
  readonly routes: readonly Route[];
  readonly services: S;
  /** The environment's feature flags. */
  readonly features: Readonly<Record<string, boolean>>;
  /** Deliveries before the transport dead-letters a failing message (SQS maxReceiveCount, RabbitMQ delivery limit + 1). */
  readonly maxAttempts: number;
  readonly metrics: MetricsEmitter;
  readonly log?: Logger;
  /** Name used in metrics for deliveries no route claims. */
  readonly consumerName?: string;
  readonly now?: () => number;
}

export class ConsumerRuntime<S> {
  private readonly routesByTo: Map<string, Route>;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly options: ConsumerRuntimeOptions<S>) {
    this.routesByTo = new Map(options.routes.map((r) => [r.to, r]));
    this.log = options.log ?? jsonLogger;
    this.now = options.now ?? Date.now;
  }

  get routes(): readonly Route[] {
    return this.options.routes;
  }

  routeFor(to: string | undefined): Route | undefined {
    return to === undefined ? undefined : this.routesByTo.get(to);
  }

  async dispatch(delivery: Delivery): Promise<Outcome> {
    const started = this.now();
    const route = this.routeFor(delivery.route);
    const consumer = route ? findConsumer(this.options.registry, route.consumer) : undefined;
    const dimensions = {
      consumer: consumer?.className ?? this.options.consumerName ?? 'unknown',
      action: route?.action ?? 'unknown',
    };
    const properties = {
      route: delivery.route ?? null,
      routingKey: delivery.routingKey ?? null,
      messageId: delivery.id,
      attempt: delivery.attempt,
      redelivered: delivery.redelivered,
    };
    this.emit(dimensions, 'delivery', properties);

    const outcome = await this.run(delivery, route, consumer);
    const durationMs = this.now() - started;
    const extra: Record<string, unknown> = { ...properties, durationMs };
    switch (outcome.kind) {
      case 'success':
        break;
      case 'disabled':
        extra.flag = outcome.flag;
        this.log('info', 'consumer disabled by feature flag: message acknowledged without running the action', { ...extra });
        break;
      case 'filtered':
        this.log('debug', 'routing key outside the route bindings (EventBridge pattern is wider): acknowledged', { ...extra, keys: route?.keys });
        break;
      case 'unroutable':
        extra.reason = outcome.reason;
        this.log('warn', 'no route serves this message: acknowledged and counted, not retried', { ...extra, body: preview(delivery.rawBody) });
        break;
      case 'rejected':
        extra.reason = outcome.reason;
        this.log('error', 'bad input: dead-lettered at once, not retried', { ...extra, body: preview(delivery.rawBody) });
        break;
      case 'retry':
        extra.final = outcome.final;
        this.log(outcome.final ? 'error' : 'warn', outcome.final ? 'action failed on its last attempt: the queue dead-letters the message' : 'action failed: the message will be retried', {
          ...extra,
          maxAttempts: this.options.maxAttempts,
          ...errorFields(outcome.error),
        });
        break;
    }
    const event = outcome.kind === 'retry' && outcome.final ? 'dead_letter' : OUTCOME_EVENT[outcome.kind];
    this.emit(dimensions, event, extra, durationMs);
    return outcome;
  }

  private async run(delivery: Delivery, route: Route | undefined, consumer: ReturnType<typeof findConsumer<S>>): Promise<Outcome> {
    if (!route || !consumer) {
      // A body nobody can read is kept (dead-lettered); a readable one no route serves is counted and dropped.
      if (!delivery.payload.ok) return { kind: 'rejected', reason: delivery.payload.reason };
      return { kind: 'unroutable', reason: delivery.route === undefined ? 'the delivery names no route' : `no route "${delivery.route}" in this function's configuration` };
    }
    // Only EventBridge patterns can be wider than the binding; RabbitMQ routed the message by the binding itself.
    if (!delivery.exactlyRouted && delivery.routingKey !== undefined && !anyBindingMatches(route.keys, delivery.routingKey)) {
      return { kind: 'filtered' };
    }
    // Like Xikolo's consumers, a disabled consumer does nothing, not even look at the payload.
    const flag = consumer.featureFlag;
    if (flag && !(this.options.features[flag.name] ?? flag.default)) {
      return { kind: 'disabled', flag: flag.name };
    }
    if (!delivery.payload.ok) return { kind: 'rejected', reason: delivery.payload.reason };
    const schema = consumer.actions[route.action];
    if (!schema) return { kind: 'unroutable', reason: `${consumer.className} has no action "${route.action}"` };
    const parsed = schema.safeParse(delivery.payload.value);
    if (!parsed.success) {
      return { kind: 'rejected', reason: `payload does not fit ${consumer.className}#${route.action}: ${describeIssues(parsed.error.issues)}` };
    }
    const message: MessageInfo = {
      route: route.to,
      routingKey: delivery.routingKey,
      id: delivery.id,
      publishedAt: delivery.publishedAt,
      redelivered: delivery.redelivered,
      attempt: delivery.attempt,
    };
    try {
      const instance = consumer.create(this.options.services) as Record<string, (payload: unknown, message: MessageInfo) => unknown>;
      const method = instance[route.action];
      if (typeof method !== 'function') {
        return { kind: 'retry', error: new Error(`${consumer.className} declares action "${route.action}" but has no such method`), final: delivery.attempt >= this.options.maxAttempts };
      }
      await method.call(instance, parsed.data, message);
      return { kind: 'success' };
    } catch (error) {
      if (isInvalidMessage(error)) return { kind: 'rejected', reason: `payload does not fit ${consumer.className}#${route.action}: ${error.message}` };
      return { kind: 'retry', error, final: delivery.attempt >= this.options.maxAttempts };
    }
  }

  private emit(dimensions: { consumer: string; action: string }, event: string, properties: Record<string, unknown>, durationMs?: number): void {
    // Dimensions in CloudWatch's PascalCase (as the job metrics); the same tags lower-case as properties for Logs Insights.
    this.options.metrics.emit({
      dimensions: { Consumer: dimensions.consumer, Action: dimensions.action, Event: event },
      dimensionSets: [['Consumer', 'Action', 'Event'], ['Event']],
      metrics: durationMs === undefined ? { Messages: 1 } : { Messages: 1, Duration: { value: durationMs, unit: 'Milliseconds' } },
      properties: { ...properties, consumer: dimensions.consumer, action: dimensions.action, event },
    });
  }
}

/** Parses a JSON body; a failure is bad input, reported with the parser's reason. */
export function decodeJson(body: string): DecodedPayload {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` };
  }
}
