/**
 * Msgr-style messaging for one environment: every route of config/routes.yml
 * reaches its consumer action, by EventBridge (default) or, with
 * `messaging: amazonmq`, by an Amazon MQ for RabbitMQ broker that keeps Msgr's
 * exchange and queue names.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { consumers } from '../../functions/app/consumers/registry';
import { findConsumer } from '../../functions/runtime/consumers/consumer';
import type { Route } from '../../functions/runtime/consumers/routes';
import type { EnvironmentConfig } from '../config/environment';
import { ConsumerQueue } from '../constructs/consumer-queue';
import { MsgrBus } from '../constructs/msgr-bus';
import { RabbitMqBroker, type RabbitMqBrokerOptions } from '../constructs/rabbitmq-broker';
import { RabbitMqConsumers } from '../constructs/rabbitmq-consumers';
import { loadRoutes, routesByConsumer } from '../messaging/routes';

/** Deliveries of a failing message before it is dead-lettered (SQS maxReceiveCount; RabbitMQ delivery limit + 1). */
export const DEFAULT_MAX_ATTEMPTS = 8;

export interface MessagingStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Routes to deploy; default: config/routes.yml. */
  readonly routes?: readonly Route[];
  readonly maxAttempts?: number;
  /** Amazon MQ broker settings; defaults depend on the environment (see RabbitMqBroker). */
  readonly broker?: RabbitMqBrokerOptions;
}

export class MessagingStack extends Stack {
  readonly routes: readonly Route[];
  /** EventBridge mode. */
  readonly bus: MsgrBus | undefined;
  readonly consumerQueues = new Map<string, ConsumerQueue>();
  /** Amazon MQ mode. */
  readonly broker: RabbitMqBroker | undefined;
  readonly rabbitMqConsumers: RabbitMqConsumers | undefined;

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    const { config } = props;
    const maxAttempts = props.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.routes = props.routes ?? loadRoutes();
    const grouped = routesByConsumer(this.routes);

    if (config.messaging === 'eventbridge') {
      for (const [name, routes] of grouped) {
        const consumer = findConsumer(consumers, name);
        if (!consumer) throw new Error(`route consumer "${name}" is not in functions/app/consumers/registry.ts`);
        this.consumerQueues.set(name, new ConsumerQueue(this, `Consumer-${consumer.className.replace(/::/g, '')}`, { config, consumer, routes, maxAttempts }));
      }
      this.bus = new MsgrBus(this, 'Msgr', {
        config,
        routes: this.routes,
        queueFor: (route) => this.consumerQueues.get(route.consumer)!.queue,
      });
      // A rule may only start delivering a route once its consumer's function knows the route (CONSUMER_CONFIG):
      // otherwise, during a deploy, the old function would drop the new route's messages as unroutable.
      for (const route of this.routes) this.bus.rules.get(route.to)?.node.addDependency(this.consumerQueues.get(route.consumer)!.consumerFunction);
    } else {
      this.broker = new RabbitMqBroker(this, 'Broker', { config, ...props.broker });
      this.rabbitMqConsumers = new RabbitMqConsumers(this, 'Msgr', { config, broker: this.broker, routes: this.routes, maxAttempts });
    }
  }

  /** Each consumer's function (consumer name → function), whichever transport delivers to it. */
  consumerFunctions(): Map<string, lambda.Function> {
    const functions = new Map<string, lambda.Function>();
    for (const [name, queue] of this.consumerQueues) functions.set(name, queue.consumerFunction.function);
    for (const [name, fn] of this.rabbitMqConsumers?.functions ?? []) functions.set(name, fn.function);
    return functions;
  }
}
