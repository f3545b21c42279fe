/**
 * The custom resource that declares Msgr's topology on the broker through
 * the RabbitMQ management API (functions/handlers/consumer-topology.ts).
 * Its properties hold the whole topology, so a change of config/routes.yml is
 * an Update that declares the new queues and bindings.
 */
import { CustomResource, Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { TopologySpec } from '../../functions/runtime/consumers/topology';
import type { EnvironmentConfig } from '../config/environment';
import { resourceName } from '../naming';
import { ProjectFunction } from './lambda-function';
import type { RabbitMqBroker } from './rabbitmq-broker';

export interface RabbitMqTopologyProps {
  readonly config: EnvironmentConfig;
  readonly broker: RabbitMqBroker;
  readonly spec: TopologySpec;
}

export class RabbitMqTopology extends Construct {
  readonly resource: CustomResource;
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: RabbitMqTopologyProps) {
    super(scope, id);
    const projectFunction = new ProjectFunction(this, 'Function', {
      handler: 'consumer-topology',
      functionName: resourceName(props.config.name, 'msgr-topology'),
      description: 'Declares exchange msgr, the route queues, bindings and dead-lettering through the RabbitMQ management API',
      timeout: Duration.minutes(5),
      memorySize: 256,
      logRetentionDays: props.config.logRetentionDays,
    });
    this.function = projectFunction.function;
    props.broker.grantCredentials(projectFunction.role);
    this.resource = new CustomResource(this, 'Topology', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::MsgrTopology',
      properties: {
        ManagementUrl: props.broker.managementUrl,
        SecretArn: props.broker.secret.secretArn,
        Topology: JSON.stringify(props.spec),
      },
    });
    this.resource.node.addDependency(props.broker.broker);
  }
}
