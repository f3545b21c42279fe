/** News announcements (news table, `NEWS#<uuid>`). */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, isoNow } from './dynamo';

export interface News extends Record<string, unknown> {
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ATTRIBUTE = /^[a-z_][a-z0-9_]{0,63}$/;
/** Attributes a status update may never set: the keys and the record's identity. */
const PROTECTED = new Set(['pk', 'id', 'news_id', 'created_at']);

export class NewsIdError extends TypeError {
  readonly invalidMessage = true;
  constructor(value: unknown) {
    super(`news_id ${JSON.stringify(value)} is not a UUID: the notification service must send the news record's UUID (e.g. 8a1d7b5e-0c43-4c61-9d6e-2f0a1b3c4d5e)`);
    this.name = 'NewsIdError';
  }
}

export class NewsAttributeError extends TypeError {
  readonly invalidMessage = true;
  constructor(name: string) {
    super(`news attribute "${name}" cannot be set by a status update: use snake_case attribute names of at most 64 characters other than id, created_at and news_id`);
    this.name = 'NewsAttributeError';
  }
}

export function newsId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new NewsIdError(value);
  return value.toLowerCase();
}

export class NewsRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async find(id: string): Promise<News | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `NEWS#${newsId(id)}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ...news } = out.Item;
    return news as News;
  }

  async save(news: News): Promise<void> {
    const id = newsId(news.id);
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...news, id, pk: `NEWS#${id}` } }));
  }

  /**
   * Sets the given attributes on an existing record (and `updated_at`).
   * Returns false, writing nothing, when the record does not exist.
   */
  async update(id: string, attributes: Readonly<Record<string, unknown>>): Promise<boolean> {
    const key = newsId(id);
    const names: Record<string, string> = { '#updated_at': 'updated_at' };
    const values: Record<string, unknown> = { ':updated_at': isoNow(this.now) };
    const sets = ['#updated_at = :updated_at'];
    const removes: string[] = [];
    Object.entries(attributes).forEach(([name, value], i) => {
      if (!ATTRIBUTE.test(name) || PROTECTED.has(name) || name === 'updated_at') throw new NewsAttributeError(name);
      names[`#a${i}`] = name;
      if (value === null || value === undefined) {
        removes.push(`#a${i}`);
      } else {
        values[`:v${i}`] = value;
        sets.push(`#a${i} = :v${i}`);
      }
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `NEWS#${key}` },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
