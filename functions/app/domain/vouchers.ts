/**
 * Vouchers (vouchers table, `VOUCHER#<id>`).
 *
 * A claimed voucher that still stores its claimant's IP carries `ip_shard`
 * (one of IP_SHARDS values) and `claimed_at`: the keys of the sparse index
 * `claimantIpByClaimedAt`. The yearly IP cleanup queries each shard for
 * `claimed_at < cutoff`, so it reads only vouchers that still hold an IP and
 * are old enough, never the whole table; clearing the IP removes `ip_shard`,
 * which drops the voucher from the index.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, isoNow, mapLimit, queryPages, shardOf } from './dynamo';
import { identifier } from './errors';

/** Shards of the cleanup index: spreads its writes over several partitions. */
export const IP_SHARDS = 8;
export const CLAIMANT_IP_INDEX = 'claimantIpByClaimedAt';

export interface Voucher extends Record<string, unknown> {
  readonly id: string;
  readonly claimant_id?: string;
  readonly claimant_ip?: string;
  /** ISO 8601, UTC. */
  readonly claimed_at?: string;
}

export class VoucherRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async save(voucher: Voucher): Promise<void> {
    const id = identifier('voucher_id', voucher.id);
    const indexed = voucher.claimant_ip && voucher.claimed_at ? { ip_shard: shardOf(id, IP_SHARDS), claimed_at: new Date(voucher.claimed_at).toISOString() } : {};
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...voucher, ...indexed, pk: `VOUCHER#${id}` } }));
  }

  async find(id: string): Promise<Voucher | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `VOUCHER#${identifier('voucher_id', id)}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ip_shard: _shard, ...voucher } = out.Item;
    return voucher as Voucher;
  }

  /**
   * Clears `claimant_ip` on every voucher claimed before `cutoff`. Reads the
   * sparse index shard by shard; each update is conditional, so a voucher
   * changed meanwhile is left alone. Returns how many were cleared.
   */
  async clearClaimantIps(cutoff: Date, options: { concurrency?: number; signal?: AbortSignal } = {}): Promise<number> {
    const before = cutoff.toISOString();
    let cleared = 0;
    for (let shard = 0; shard < IP_SHARDS; shard++) {
      const pages = queryPages(this.db, {
        TableName: this.table,
        IndexName: CLAIMANT_IP_INDEX,
        KeyConditionExpression: 'ip_shard = :shard AND claimed_at < :cutoff',
        ExpressionAttributeValues: { ':shard': String(shard), ':cutoff': before },
        ProjectionExpression: 'pk',
      });
      for await (const page of pages) {
        options.signal?.throwIfAborted();
        const results = await mapLimit(page, options.concurrency ?? 16, (item) => this.clearOne(item.pk as string, before));
        cleared += results.filter(Boolean).length;
      }
    }
    return cleared;
  }

  private async clearOne(pk: string, before: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: 'REMOVE claimant_ip, ip_shard SET claimant_ip_cleared_at = :now',
          ConditionExpression: 'attribute_exists(ip_shard) AND claimed_at < :cutoff',
          ExpressionAttributeValues: { ':cutoff': before, ':now': isoNow(this.now) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
