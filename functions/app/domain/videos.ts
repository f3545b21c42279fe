/**
 * Video providers and their videos (videos table).
 *
 *   PROVIDERS          / PROVIDER#<id>          a provider account (one partition lists them all)
 *   PROVIDER#<id>      / VIDEO#<remote id>      a video synchronized from that provider
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isoNow, mapLimit, queryAll } from './dynamo';
import { identifier } from './errors';

export interface VideoProvider {
  readonly id: string;
  readonly name: string;
  /** Which client talks to it, e.g. `vimeo`. */
  readonly provider_type: string;
  /** Non-secret settings the client needs (the API token lives in the credentials secret). */
  readonly settings?: Readonly<Record<string, string>>;
  /** ISO 8601: when the last successful sync started. */
  readonly synchronized_at?: string;
}

/** A video as its provider describes it. */
export interface VideoAttributes {
  readonly remote_id: string;
  readonly title: string;
  readonly duration_seconds?: number;
  readonly thumbnail_url?: string;
  readonly streams?: Readonly<Record<string, string>>;
  readonly remote_modified_at?: string;
}

/** A stored video: the provider's attributes, whose provider, and when it was last synced. */
export interface Video extends VideoAttributes {
  readonly provider_id: string;
  readonly synchronized_at: string;
}

export class VideoRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async providers(): Promise<VideoProvider[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PROVIDERS' },
    });
    return items.map(({ pk: _pk, sk: _sk, ...provider }) => provider as unknown as VideoProvider);
  }

  async findProvider(id: string): Promise<VideoProvider | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: 'PROVIDERS', sk: `PROVIDER#${identifier('provider', id)}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...provider } = out.Item;
    return provider as VideoProvider;
  }

  async saveProvider(provider: VideoProvider): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...provider, pk: 'PROVIDERS', sk: `PROVIDER#${identifier('provider', provider.id)}` } }));
  }

  async markSynchronized(providerId: string, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: 'PROVIDERS', sk: `PROVIDER#${identifier('provider', providerId)}` },
        UpdateExpression: 'SET synchronized_at = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':t': at.toISOString() },
      }),
    );
  }

  /** Creates or replaces videos by (provider, remote id): syncing twice writes the same records. */
  async upsertVideos(providerId: string, videos: readonly Omit<Video, 'provider_id' | 'synchronized_at'>[]): Promise<void> {
    const provider = identifier('provider', providerId);
    const at = isoNow(this.now);
    await mapLimit(videos, 16, (video) =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...video, provider_id: provider, synchronized_at: at, pk: `PROVIDER#${provider}`, sk: `VIDEO#${video.remote_id}` },
        }),
      ),
    );
  }

  async videos(providerId: string): Promise<Video[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': `PROVIDER#${identifier('provider', providerId)}`, ':v': 'VIDEO#' },
    });
    return items.map(({ pk: _pk, sk: _sk, ...video }) => video as unknown as Video);
  }
}
