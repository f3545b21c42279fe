/**
 * EventBridge mode: the environment's Msgr bus and one rule per route.
 *
 * Each rule matches the route's routing keys on `detail-type` (AMQP wildcards
 * become wider EventBridge wildcards; the consumer narrows them again) and
 * sends `{ "route": "<consumer#action>", "event": <the whole event> }` to the
 * consumer's queue, with a retry policy and a dead-letter queue for events
 * EventBridge could not deliver.
 *
 * Events no route serves are sent to the `msgr-unrouted` queue by a rule that
 * matches every routing key except the routes' (only expressible while all
 * binding keys are literal, as in the seed): its SQS metrics count them and
 * the messages themselves are the log. Nothing consumes it, so nothing loops.
 */
import { Annotations, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { hasWildcard, toDetailTypePattern } from '../../functions/runtime/consumers/amqp-topic';
import type { Route } from '../../functions/runtime/consumers/routes';
import type { EnvironmentConfig } from '../config/environment';
import { acknowledgeNag } from '../nag';
import { resourceName } from '../naming';
import { secureQueue } from './consumer-queue';

/** An input template EventBridge fills in: the route and the complete original event. */
class RouteEnvelopeInput extends events.RuleTargetInput {
  constructor(private readonly route: string) {
    super();
  }

  override bind(): events.RuleTargetInputProperties {
    // <aws.events.event.json> is the whole event including detail (unquoted JSON).
    return { inputTemplate: `{"route":${JSON.stringify(this.route)},"event":<aws.events.event.json>}` };
  }
}

export interface MsgrBusProps {
  readonly config: EnvironmentConfig;
  readonly routes: readonly Route[];
  /** The consumer queue each route delivers to, by route `to`. */
  readonly queueFor: (route: Route) => sqs.IQueue;
}

export class MsgrBus extends Construct {
  readonly bus: events.EventBus;
  readonly targetDeadLetterQueue: sqs.Queue;
  readonly unroutedQueue: sqs.Queue | undefined;
  readonly rules = new Map<string, events.Rule>();

  constructor(scope: Construct, id: string, props: MsgrBusProps) {
    super(scope, id);
    const env = props.config.name;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: resourceName(env, 'msgr'),
      description: `Msgr routing keys of ${env}: publish with detail-type = routing key, detail = payload`,
    });
    this.targetDeadLetterQueue = secureQueue(this, 'TargetDeadLetterQueue', props.config, {
      queueName: resourceName(env, 'msgr-target-dlq'),
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(this.targetDeadLetterQueue, 'SQS3', 'This queue is itself the dead-letter queue of the Msgr rules\' targets (events EventBridge could not deliver); it is not referenced by a redrive policy, which is what the rule checks.');

    for (const route of props.routes) {
      const rule = new events.Rule(this, `Route-${route.to.replace(/[^A-Za-z0-9]/g, '-')}`, {
        eventBus: this.bus,
        description: `${route.keys.join(', ')} → ${route.to} (${route.queueName})`,
        eventPattern: { detailType: toDetailTypePattern(route.keys) as unknown as string[] },
      });
      rule.addTarget(
        new targets.SqsQueue(props.queueFor(route), {
          message: new RouteEnvelopeInput(route.to),
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.targetDeadLetterQueue,
        }),
      );
      this.rules.set(route.to, rule);
    }

    const keys = props.routes.flatMap((r) => r.keys);
    if (keys.some(hasWildcard)) {
      this.unroutedQueue = undefined;
      Annotations.of(this).addInfo('Some routes bind wildcard keys, which an anything-but pattern cannot exclude: the msgr-unrouted rule is not created, and events no route serves are dropped by EventBridge without being counted.');
    } else {
      this.unroutedQueue = secureQueue(this, 'UnroutedQueue', props.config, {
        queueName: resourceName(env, 'msgr-unrouted'),
        retentionPeriod: Duration.days(14),
      });
      acknowledgeNag(this.unroutedQueue, 'SQS3', 'Parking queue for events no route serves: nothing consumes it (so nothing can loop), operators read it and its NumberOfMessagesSent metric counts them; a dead-letter queue would never receive anything.');
      const unrouted = new events.Rule(this, 'Unrouted', {
        eventBus: this.bus,
        description: 'events whose routing key no route serves (counted by the queue metrics, kept 14 days)',
        eventPattern: { detailType: [{ 'anything-but': [...new Set(keys)] }] as unknown as string[] },
      });
      unrouted.addTarget(new targets.SqsQueue(this.unroutedQueue, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.targetDeadLetterQueue }));
    }
  }

  /** Lets a publisher put Msgr events on this bus (events:PutEvents on this bus only). */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.bus.grantPutEventsTo(grantee);
  }
}
