/**
 * AWS SDK clients pointed at the embedded emulators. The credentials are
 * placeholders: the emulators accept any, and passing them explicitly keeps
 * the SDK from looking for a profile, SSO session or instance role.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The region the local runtime pretends to be in when the environment names none. */
export const DEFAULT_LOCAL_REGION = 'eu-central-1';

export function localSqsClient(endpoint: string, region: string): SQSClient {
  return new SQSClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
}

export function localDynamoClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
}
