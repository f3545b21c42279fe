/**
 * User accounts (accounts table, `ACCOUNT#<id>`).
 *
 * An account that is neither confirmed nor archived carries
 * `unconfirmed_shard`: with `created_at` the keys of the sparse index
 * `unconfirmedByCreatedAt`. The daily cleanup reads only that index (each
 * shard, `created_at < cutoff`); confirming or archiving an account removes
 * the attribute, so such accounts are never in the index, and every delete is
 * conditional on it: an account confirmed between query and delete is kept.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, mapLimit, queryPages, shardOf } from './dynamo';
import { identifier } from './errors';

export const UNCONFIRMED_SHARDS = 8;
export const UNCONFIRMED_INDEX = 'unconfirmedByCreatedAt';

export interface Account extends Record<string, unknown> {
  readonly id: string;
  readonly confirmed: boolean;
  readonly archived: boolean;
  /** ISO 8601, UTC. */
  readonly created_at: string;
}

export class AccountRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async save(account: Account): Promise<void> {
    const id = identifier('account_id', account.id);
    const createdAt = new Date(account.created_at).toISOString();
    const pending = !account.confirmed && !account.archived ? { unconfirmed_shard: shardOf(id, UNCONFIRMED_SHARDS) } : {};
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...account, created_at: createdAt, ...pending, pk: `ACCOUNT#${id}` } }));
  }

  async find(id: string): Promise<Account | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `ACCOUNT#${identifier('account_id', id)}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, unconfirmed_shard: _shard, ...account } = out.Item;
    return account as Account;
  }

  /**
   * Deletes unconfirmed, non-archived accounts created before `cutoff`, in
   * batches of `batchSize`; `onBatch` hears of each batch (ids, deleted).
   */
  async deleteUnconfirmed(
    cutoff: Date,
    options: { batchSize?: number; concurrency?: number; signal?: AbortSignal; onBatch?: (batch: { size: number; deleted: number }) => void } = {},
  ): Promise<number> {
    const batchSize = options.batchSize ?? 200;
    const before = cutoff.toISOString();
    let batch: string[] = [];
    let deleted = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      options.signal?.throwIfAborted();
      const results = await mapLimit(batch, options.concurrency ?? 16, (pk) => this.deleteOne(pk, before));
      const count = results.filter(Boolean).length;
      deleted += count;
      options.onBatch?.({ size: batch.length, deleted: count });
      batch = [];
    };
    for (let shard = 0; shard < UNCONFIRMED_SHARDS; shard++) {
      const pages = queryPages(this.db, {
        TableName: this.table,
        IndexName: UNCONFIRMED_INDEX,
        KeyConditionExpression: 'unconfirmed_shard = :shard AND created_at < :cutoff',
        ExpressionAttributeValues: { ':shard': String(shard), ':cutoff': before },
        ProjectionExpression: 'pk',
        Limit: batchSize,
      });
      for await (const page of pages) {
        for (const item of page) {
          batch.push(item.pk as string);
          if (batch.length === batchSize) await flush();
        }
      }
    }
    await flush();
    return deleted;
  }

  private async deleteOne(pk: string, before: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk },
          ConditionExpression: 'attribute_exists(unconfirmed_shard) AND confirmed = :false AND (attribute_not_exists(archived) OR archived = :false) AND created_at < :cutoff',
          ExpressionAttributeValues: { ':false': false, ':cutoff': before },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
