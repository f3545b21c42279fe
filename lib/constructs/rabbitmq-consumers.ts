/**
 * Amazon MQ mode: the topology, one function per consumer and one Lambda
 * event source mapping per route queue (batch size 1, because Lambda returns
 * a whole batch to the queue when the function fails).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { consumers } from '../../functions/app/consumers/registry';
import { findConsumer } from '../../functions/runtime/consumers/consumer';
import type { Route } from '../../functions/runtime/consumers/routes';
import { topologyFor, type TopologySpec } from '../../functions/runtime/consumers/topology';
import type { EnvironmentConfig } from '../config/environment';
import { routesByConsumer } from '../messaging/routes';
import { ConsumerFunction } from './consumer-function';
import type { RabbitMqBroker } from './rabbitmq-broker';
import { RabbitMqTopology } from './rabbitmq-topology';

export const MSGR_VHOST = '/';

export interface RabbitMqConsumersProps {
  readonly config: EnvironmentConfig;
  readonly broker: RabbitMqBroker;
  readonly routes: readonly Route[];
  /** Deliveries before the broker dead-letters a failing message. */
  readonly maxAttempts: number;
}

export class RabbitMqConsumers extends Construct {
  readonly spec: TopologySpec;
  readonly topology: RabbitMqTopology;
  readonly functions = new Map<string, ConsumerFunction>();
  readonly mappings = new Map<string, lambda.CfnEventSourceMapping>();

  constructor(scope: Construct, id: string, props: RabbitMqConsumersProps) {
    super(scope, id);
    // A quorum queue dead-letters a message once it was returned more than x-delivery-limit times.
    this.spec = topologyFor(props.routes, { vhost: MSGR_VHOST, deliveryLimit: props.maxAttempts - 1 });
    this.topology = new RabbitMqTopology(this, 'Topology', { config: props.config, broker: props.broker, spec: this.spec });

    for (const [name, routes] of routesByConsumer(props.routes)) {
      const consumer = findConsumer(consumers, name);
      if (!consumer) throw new Error(`route consumer "${name}" is not in functions/app/consumers/registry.ts`);
      const fn = new ConsumerFunction(this, `Consumer-${consumer.className.replace(/::/g, '')}`, {
        config: props.config,
        consumer,
        routes,
        handler: 'consumer-rabbitmq',
        maxAttempts: props.maxAttempts,
        transport: {
          broker: { amqpUrl: props.broker.amqpEndpoint, secretArn: props.broker.secret.secretArn, vhost: MSGR_VHOST, deadLetterExchange: this.spec.deadLetterExchange },
        },
      });
      this.functions.set(name, fn);
      // New bindings only after the consumer functions know their routes (a deploy must not route to a stale function).
      this.topology.resource.node.addDependency(fn.function);
      // What the event source mapping needs (it runs with the function's role), and what dead-lettering needs.
      props.broker.grantCredentials(fn.role);
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['mq:DescribeBroker'], resources: [props.broker.brokerArn] }));
      for (const route of routes) {
        const mapping = new lambda.CfnEventSourceMapping(this, `Queue-${route.to.replace(/[^A-Za-z0-9]/g, '-')}`, {
          functionName: fn.function.functionName,
          eventSourceArn: props.broker.brokerArn,
          queues: [route.queueName],
          batchSize: 1,
          sourceAccessConfigurations: [
            { type: 'BASIC_AUTH', uri: props.broker.secret.secretArn },
            { type: 'VIRTUAL_HOST', uri: MSGR_VHOST },
          ],
        });
        // The mapping consumes an existing queue: declare the topology first; the role must allow it first too.
        mapping.node.addDependency(this.topology.resource);
        mapping.node.addDependency(fn.role);
        this.mappings.set(route.to, mapping);
      }
    }
  }
}
