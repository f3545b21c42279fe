/**
 * Consumer Lambda, Amazon MQ mode: one event source mapping per route queue
 * delivers `aws:rmq` events.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { consumers } from '../app/consumers/registry';
import { deployedConsumerRuntime } from '../app/consumers/runtime';
import { AmqpChannelSource, AmqpPublisher } from '../runtime/consumers/amqp-publisher';
import { ConsumerConfigError, readConsumerConfig } from '../runtime/consumers/config';
import { amqpUrlWithCredentials, rmqDeadLetters } from '../runtime/consumers/rmq-dead-letters';
import { createRabbitMqConsumerHandler } from '../runtime/consumers/rmq-transport';
import { readBrokerSecret } from '../runtime/consumers/broker-secret';

const config = readConsumerConfig(process.env, consumers);
const broker = config.broker;
if (!broker) {
  throw new ConsumerConfigError('CONSUMER_CONFIG has no broker settings, which Amazon MQ mode needs to dead-letter bad input: redeploy the messaging stack');
}

// The broker connection is opened only when bad input has to be dead-lettered.
const secrets = new SecretsManagerClient({});
const channels = new AmqpChannelSource(async () => {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: broker.secretArn }));
  const { username, password } = readBrokerSecret(secret.SecretString, broker.secretArn);
  return amqpUrlWithCredentials(broker.amqpUrl, username, password, broker.vhost);
});

export const handler = createRabbitMqConsumerHandler({
  runtime: deployedConsumerRuntime(config),
  deadLetters: rmqDeadLetters(new AmqpPublisher(channels), broker.deadLetterExchange),
});
