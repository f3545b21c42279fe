/** A real DynamoDB API in process for tests: the local runtime's emulator (dynalite, in memory) on a free port. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoEmulator } from '../../local/emulators';
import { localDynamoClient } from '../../local/clients';
import { createLedgerTable as createLocalLedgerTable } from '../../local/ledger';

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamo(): Promise<LocalDynamo> {
  const emulator = await startDynamoEmulator({ port: 0 });
  const client = localDynamoClient(emulator.endpoint, 'eu-central-1');
  return {
    client,
    endpoint: emulator.endpoint,
    stop: async () => {
      client.destroy();
      await emulator.stop();
    },
  };
}

/** The job ledger's table, keyed as deployed (local/ledger.ts). */
export function createLedgerTable(dynamo: LocalDynamo, tableName: string): Promise<void> {
  return createLocalLedgerTable(dynamo.client, tableName);
}
