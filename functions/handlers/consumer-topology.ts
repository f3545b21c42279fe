/**
 * CloudFormation custom resource: declares Msgr's topology on the Amazon MQ
 * broker through the RabbitMQ management API, from the routes the stack was
 * synthesized with (create and update; delete keeps queues and messages).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readBrokerSecret } from '../runtime/consumers/broker-secret';
import { createTopologyResourceHandler } from '../runtime/consumers/topology-resource';

const secrets = new SecretsManagerClient({});

export const handler = createTopologyResourceHandler({
  async credentials(secretArn: string) {
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return readBrokerSecret(secret.SecretString, secretArn);
  },
});
