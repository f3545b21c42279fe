/**
 * A real DynamoDB API (dynalite, in process) with every table of the
 * catalogue created from functions/app/domain/tables.ts, the repositories on
 * it, and the job dependencies pointed at it.
 */
import { CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { startDynamo, type LocalDynamo } from '../support/dynamodb';
import { TABLES, type TableKey, type TableNames } from '../../functions/app/domain/tables';
import { documentClient } from '../../functions/app/domain/dynamo';
import { createRepositories, type Repositories } from '../../functions/app/domain';
import { setJobDependencies, type JobDependencies } from '../../functions/app/jobs/dependencies';
import { setJobAdapter, type JobAdapter, type OutgoingJobMessage } from '../../functions/runtime/jobs/enqueue';
import type { QueueEndpoints } from '../../functions/runtime/jobs/endpoints';

export function createTableInput(name: string, key: TableKey): CreateTableCommandInput {
  const def = TABLES[key];
  const attributes = new Set<string>([def.partitionKey]);
  if ('sortKey' in def) attributes.add(def.sortKey);
  for (const index of def.indexes) {
    attributes.add(index.partitionKey);
    if ('sortKey' in index && index.sortKey) attributes.add(index.sortKey);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: [{ AttributeName: def.partitionKey, KeyType: 'HASH' }, ...('sortKey' in def ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' as const }] : [])],
    ...(def.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: def.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' as const }, ...('sortKey' in index && index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : [])],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

export interface World {
  readonly dynamo: LocalDynamo;
  readonly tables: TableNames;
  readonly repos: Repositories;
  /** Jobs enqueued through the job API since the last `sent.length = 0`. */
  readonly sent: OutgoingJobMessage[];
  clock: number;
  stop(): Promise<void>;
}

export const ENDPOINTS: QueueEndpoints = {
  default: {
    primary: 'user_visible',
    bands: {
      user_visible: 'https://sqs.eu-central-1.amazonaws.com/123456789012/default-user-visible',
      eventual: 'https://sqs.eu-central-1.amazonaws.com/123456789012/default-eventual',
      reporting: 'https://sqs.eu-central-1.amazonaws.com/123456789012/default-reporting',
    },
    deadLetter: 'https://sqs.eu-central-1.amazonaws.com/123456789012/default-dlq',
  },
  long_running: {
    primary: 'eventual',
    bands: { eventual: 'https://sqs.eu-central-1.amazonaws.com/123456789012/long-running-eventual' },
    deadLetter: 'https://sqs.eu-central-1.amazonaws.com/123456789012/long-running-dlq',
  },
};

/** Starts dynalite, creates every table under a fresh prefix, and wires repositories, job dependencies and a capturing job adapter. */
export async function startWorld(overrides: Partial<JobDependencies> = {}): Promise<World> {
  const dynamo = await startDynamo();
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const tables = Object.fromEntries((Object.keys(TABLES) as TableKey[]).map((key) => [key, `${prefix}${TABLES[key].suffix}`])) as Record<TableKey, string>;
  for (const key of Object.keys(TABLES) as TableKey[]) {
    await dynamo.client.send(new CreateTableCommand(createTableInput(tables[key], key)));
  }
  const sent: OutgoingJobMessage[] = [];
  let ids = 0;
  const adapter: JobAdapter = {
    endpoints: ENDPOINTS,
    send: async (messages) => {
      sent.push(...messages);
      return messages.map(() => `sqs-${++ids}`);
    },
  };
  const world: World = {
    dynamo,
    tables,
    sent,
    clock: Date.parse('2026-12-04T12:00:00Z'),
    repos: undefined as unknown as Repositories,
    stop: async () => {
      setJobDependencies(undefined);
      setJobAdapter(undefined);
      await dynamo.stop();
    },
  };
  const now = () => world.clock;
  (world as { repos: Repositories }).repos = createRepositories({ db: documentClient(dynamo.client), tables, now });
  setJobAdapter(adapter);
  setJobDependencies({ repositories: world.repos, now, report: () => {}, ...overrides });
  return world;
}

/** The decoded ActiveJob body of an enqueued job. */
export function bodyOf(message: OutgoingJobMessage): { job_class: string; arguments: unknown[]; priority: number; queue_name: string; job_id: string } {
  return JSON.parse(message.body);
}
