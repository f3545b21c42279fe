/**
 * Amazon MQ for RabbitMQ (`messaging: amazonmq`): the broker Msgr publishers
 * (Ruby services during a migration, and our AmqpPublisher) talk to.
 *
 * Single instance outside production, a three-node cluster in production.
 * The broker user's credentials live in Secrets Manager (the same secret is
 * Lambda's BASIC_AUTH for the event source mappings). The broker is publicly
 * reachable over TLS only (amqps 5671, management over https) so Lambda's event
 * source mappings, the topology custom resource and publishers outside AWS can
 * reach it without a VPC, NAT or endpoints; see docs/consumers.md.
 */
import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as amazonmq from 'aws-cdk-lib/aws-amazonmq';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { acknowledgeNag } from '../nag';
import { resourceName } from '../naming';

export interface RabbitMqBrokerOptions {
  /** Default: CLUSTER_MULTI_AZ for the `production` environment, else SINGLE_INSTANCE. */
  readonly deploymentMode?: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ';
  /** Default: mq.m5.large for a cluster (the smallest a cluster allows), else mq.t3.micro. */
  readonly instanceType?: string;
  /** RabbitMQ engine version (Amazon MQ needs automatic minor upgrades from 3.13 on). Default 3.13. */
  readonly engineVersion?: string;
}

export interface RabbitMqBrokerProps extends RabbitMqBrokerOptions {
  readonly config: EnvironmentConfig;
}

export const BROKER_USERNAME = 'xikolo';

export class RabbitMqBroker extends Construct {
  readonly broker: amazonmq.CfnBroker;
  readonly secret: secretsmanager.Secret;
  /** `amqps://<host>:5671` */
  readonly amqpEndpoint: string;
  /** `https://<host>` (web console and management HTTP API). */
  readonly managementUrl: string;
  readonly deploymentMode: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ';

  constructor(scope: Construct, id: string, props: RabbitMqBrokerProps) {
    super(scope, id);
    const env = props.config.name;
    this.deploymentMode = props.deploymentMode ?? (env === 'production' ? 'CLUSTER_MULTI_AZ' : 'SINGLE_INSTANCE');
    const instanceType = props.instanceType ?? (this.deploymentMode === 'CLUSTER_MULTI_AZ' ? 'mq.m5.large' : 'mq.t3.micro');
    if (this.deploymentMode === 'CLUSTER_MULTI_AZ' && instanceType.startsWith('mq.t3.')) {
      throw new Error(`Amazon MQ broker of ${env}: a RabbitMQ cluster needs an mq.m5 (or larger) instance type, not ${instanceType}: choose mq.m5.large or larger, or a single instance`);
    }

    this.secret = new secretsmanager.Secret(this, 'Credentials', {
      secretName: resourceName(env, 'msgr-broker'),
      description: `Amazon MQ for RabbitMQ user of ${env} (Msgr): {"username", "password"}; also Lambda's BASIC_AUTH for the consumer queues`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: BROKER_USERNAME }),
        generateStringKey: 'password',
        // Amazon MQ refuses ",", ":" and "="; letters and digits also keep the AMQP URL simple.
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledgeNag(this.secret, 'SMG4', 'Amazon MQ has no Secrets Manager rotation integration: rotating means updating the broker user and the secret together, a documented runbook step (docs/consumers.md), not a rotation Lambda.');

    this.broker = new amazonmq.CfnBroker(this, 'Broker', {
      brokerName: resourceName(env, 'msgr'),
      engineType: 'RABBITMQ',
      engineVersion: props.engineVersion ?? '3.13',
      autoMinorVersionUpgrade: true,
      deploymentMode: this.deploymentMode,
      hostInstanceType: instanceType,
      publiclyAccessible: true,
      users: [{ username: BROKER_USERNAME, password: this.secret.secretValueFromJson('password').unsafeUnwrap() }],
      logs: { general: true },
      encryptionOptions: { useAwsOwnedKey: true },
    });
    this.broker.applyRemovalPolicy(props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    this.amqpEndpoint = Fn.select(0, this.broker.attrAmqpEndpoints);
    this.managementUrl = Fn.select(0, this.broker.attrConsoleUrLs);
  }

  get brokerArn(): string {
    return this.broker.attrArn;
  }

  grantCredentials(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
