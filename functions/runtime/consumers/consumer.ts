/**
 * The consumer API: what an application (Xikolo) writes to act on messages.
 *
 * A consumer is a class with one method per action, like a Msgr::Consumer.
 * Each action declares a payload schema; the runtime validates the payload
 * before calling the action (fields the action needs are checked, extra fields
 * pass through untouched). Returning normally acknowledges the message;
 * throwing retries it (a bounded number of times, then it is dead-lettered).
 *
 * Unlike Msgr there is no `message.ack` for early acknowledgement: on SQS and
 * on Amazon MQ (through Lambda) the message stays invisible to other consumers
 * while the action runs, and an action that starts long work should hand it to
 * a job and return, rather than hold the message.
 */

/** What the runtime tells an action about the message it is handling. */
/**
 * Thrown (or marked with `invalidMessage = true`) by an action or a domain
 * service that finds the payload unusable — a malformed id, an attribute it
 * may not set: the message is dead-lettered at once with the reason, not
 * retried, like a payload that fails the action's schema.
 */
export class InvalidMessageError extends Error {
  readonly invalidMessage = true;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessageError';
  }
}

export function isInvalidMessage(error: unknown): error is Error {
  return error instanceof Error && (error as { invalidMessage?: unknown }).invalidMessage === true;
}

export interface MessageInfo {
  /** The route that delivered the message, `consumer#action`. */
  readonly route: string;
  /**
   * The key the message was published with. Undefined only on Amazon MQ when
   * the publisher did not set the `x-routing-key` header (Lambda's `aws:rmq`
   * events do not carry the AMQP routing key) and the route's binding does
   * not determine it.
   */
  readonly routingKey: string | undefined;
  /** The message id: EventBridge event id, or the AMQP message-id property (else a digest of the body). */
  readonly id: string;
  /** When the message was published, when the transport says so. */
  readonly publishedAt: Date | undefined;
  /** True when this message was delivered before (a retry or a redelivery). */
  readonly redelivered: boolean;
  /** 1 for the first delivery, 2 for the first retry, … */
  readonly attempt: number;
}

/** The shape of a payload problem, compatible with zod's issues. */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type SchemaResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: { readonly issues: readonly SchemaIssue[] } };

/**
 * A payload schema: anything with `safeParse`. zod and zod/mini schemas fit;
 * so does a hand-written check.
 */
export interface PayloadSchema<T = unknown> {
  safeParse(data: unknown): SchemaResult<T>;
}

export type PayloadOf<S> = S extends PayloadSchema<infer T> ? T : never;

export type ActionSchemas = Readonly<Record<string, PayloadSchema<unknown>>>;

/** A consumer instance: one method per action. */
export type ConsumerInstance<A extends ActionSchemas> = {
  [K in keyof A]: (payload: PayloadOf<A[K]>, message: MessageInfo) => Promise<void> | void;
};

export interface FeatureFlag {
  /** Flag name in the environment's `features` (for example `gamification.enabled`). */
  readonly name: string;
  /** Value when the environment does not set the flag. */
  readonly default: boolean;
}

/**
 * A consumer as the runtime sees it. `S` is whatever the application injects
 * (its domain services); the runtime never looks inside.
 */
export interface ConsumerDefinition<S = unknown, A extends ActionSchemas = ActionSchemas> {
  /** The name routes use before `#`: `gamification`, or namespaced `course_service/course`. */
  readonly name: string;
  /** Msgr's class name, used in queue names: `GamificationConsumer`, `CourseService::CourseConsumer`. */
  readonly className: string;
  /** When set and off in the environment, messages are acknowledged and counted without running the action. */
  readonly featureFlag?: FeatureFlag;
  readonly actions: A;
  /** A fresh consumer for each message, like Msgr's dispatcher. */
  create(services: S): ConsumerInstance<A>;
}

const CONSUMER_NAME = /^[a-z][a-z0-9_]*(\/[a-z][a-z0-9_]*)*$/;
export const ACTION_NAME = /^[a-z_][a-z0-9_]*$/;

/** Rails' `camelize` of a consumer name plus `Consumer`: `course_service/course` → `CourseService::CourseConsumer`. */
export function consumerClassName(name: string): string {
  const camel = name
    .split('/')
    .map((segment) => segment.split('_').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join(''))
    .join('::');
  return `${camel}Consumer`;
}

export function isConsumerName(name: string): boolean {
  return CONSUMER_NAME.test(name);
}

/** Declares a consumer; checks its names so a typo fails at load, not at the first message. */
export function defineConsumer<S, A extends ActionSchemas>(spec: {
  readonly name: string;
  readonly featureFlag?: FeatureFlag;
  readonly actions: A;
  create(services: S): ConsumerInstance<A>;
}): ConsumerDefinition<S, A> {
  if (!isConsumerName(spec.name)) {
    throw new Error(`consumer name "${spec.name}" is not valid: use lower-case words with "_", namespaced with "/" (like course_service/course)`);
  }
  for (const action of Object.keys(spec.actions)) {
    if (!ACTION_NAME.test(action)) {
      throw new Error(`consumer "${spec.name}": action name "${action}" is not valid: use a lower-case method name such as vote_create`);
    }
  }
  return { ...spec, className: consumerClassName(spec.name) };
}

/** The list of consumers an application registers, by route name. */
export type ConsumerRegistry<S = unknown> = readonly ConsumerDefinition<S, ActionSchemas>[];

export function findConsumer<S>(registry: ConsumerRegistry<S>, name: string): ConsumerDefinition<S, ActionSchemas> | undefined {
  return registry.find((c) => c.name === name);
}

/** Turns schema issues into one readable line: `user_id: expected string; id: required`. */
export function describeIssues(issues: readonly SchemaIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)'}: ${issue.message}`)
    .join('; ');
}
