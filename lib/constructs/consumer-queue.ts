/**
 * EventBridge mode: a consumer's SQS queue (the durable buffer between its
 * rules and its Lambda) with a dead-letter queue and the consumer function
 * reading it with partial batch responses.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ConsumerDefinition } from '../../functions/runtime/consumers/consumer';
import type { Route } from '../../functions/runtime/consumers/routes';
import type { EnvironmentConfig } from '../config/environment';
import { resourceName } from '../naming';
import { ConsumerFunction, consumerSlug } from './consumer-function';

export interface ConsumerQueueProps {
  readonly config: EnvironmentConfig;
  readonly consumer: ConsumerDefinition<never> | ConsumerDefinition<unknown>;
  readonly routes: readonly Route[];
  /** Receives before SQS dead-letters a failing message. */
  readonly maxAttempts: number;
  readonly functionTimeout?: Duration;
}

/** A queue the project creates: encrypted at rest, TLS only. */
export function secureQueue(scope: Construct, id: string, config: EnvironmentConfig, props: sqs.QueueProps): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    ...props,
  });
}

export class ConsumerQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly consumerFunction: ConsumerFunction;

  constructor(scope: Construct, id: string, props: ConsumerQueueProps) {
    super(scope, id);
    const slug = consumerSlug(props.consumer.name);
    const timeout = props.functionTimeout ?? Duration.seconds(30);
    this.deadLetterQueue = secureQueue(this, 'DeadLetterQueue', props.config, {
      queueName: resourceName(props.config.name, `consumer-${slug}-dlq`),
      retentionPeriod: Duration.days(14),
    });
    this.queue = secureQueue(this, 'Queue', props.config, {
      queueName: resourceName(props.config.name, `consumer-${slug}`),
      // AWS: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxAttempts },
    });
    this.consumerFunction = new ConsumerFunction(this, 'Consumer', {
      config: props.config,
      consumer: props.consumer,
      routes: props.routes,
      handler: 'consumer-eventbridge',
      maxAttempts: props.maxAttempts,
      timeout,
      transport: { deadLetterQueueUrl: this.deadLetterQueue.queueUrl },
    });
    const fn = this.consumerFunction.function;
    fn.addEventSource(new lambdaEvents.SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    // Bad input goes to the dead-letter queue at once; retries are delayed by changing visibility.
    this.deadLetterQueue.grantSendMessages(fn);
  }
}
