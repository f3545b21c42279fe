/**
 * Consumer Lambda, EventBridge mode: reads the consumer's SQS queue (fed by
 * one EventBridge rule per route) with partial batch responses.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { consumers } from '../app/consumers/registry';
import { createConsumerServices } from '../app/consumers/services-factory';
import { readConsumerConfig, ConsumerConfigError } from '../runtime/consumers/config';
import { ConsumerRuntime } from '../runtime/consumers/dispatch';
import { sqsOperations } from '../runtime/consumers/sqs-client';
import { createSqsConsumerHandler } from '../runtime/consumers/sqs-transport';
import { MetricsEmitter } from '../runtime/metrics/emf';

const config = readConsumerConfig(process.env, consumers);
if (!config.deadLetterQueueUrl) {
  throw new ConsumerConfigError('CONSUMER_CONFIG has no deadLetterQueueUrl, which EventBridge mode needs for bad input: redeploy the messaging stack');
}

export const handler = createSqsConsumerHandler({
  runtime: new ConsumerRuntime({
    registry: consumers,
    routes: config.routes,
    services: createConsumerServices(),
    features: config.features,
    maxAttempts: config.maxAttempts,
    metrics: new MetricsEmitter({ namespace: 'XikoloAsync/Consumers', defaultDimensions: { Environment: config.environment } }),
    consumerName: config.consumer,
  }),
  sqs: sqsOperations(new SQSClient({})),
  deadLetterQueueUrl: config.deadLetterQueueUrl,
});
