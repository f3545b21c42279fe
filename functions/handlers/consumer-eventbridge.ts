/**
 * Consumer Lambda, EventBridge mode: reads the consumer's SQS queue (fed by
 * one EventBridge rule per route) with partial batch responses.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { consumers } from '../app/consumers/registry';
import { deployedConsumerRuntime } from '../app/consumers/runtime';
import { readConsumerConfig, ConsumerConfigError } from '../runtime/consumers/config';
import { sqsOperations } from '../runtime/consumers/sqs-client';
import { createSqsConsumerHandler } from '../runtime/consumers/sqs-transport';

const config = readConsumerConfig(process.env, consumers);
if (!config.deadLetterQueueUrl) {
  throw new ConsumerConfigError('CONSUMER_CONFIG has no deadLetterQueueUrl, which EventBridge mode needs for bad input: redeploy the messaging stack');
}

export const handler = createSqsConsumerHandler({
  runtime: deployedConsumerRuntime(config),
  sqs: sqsOperations(new SQSClient({})),
  deadLetterQueueUrl: config.deadLetterQueueUrl,
});
