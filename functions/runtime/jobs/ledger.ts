/**
 * The job ledger: for jobs that declare `deduplicate: true`, one DynamoDB
 * item per job id makes a second SQS delivery of a completed job a no-op.
 *
 * A run takes a lease (conditional put) before it starts; success marks the
 * item completed (kept for the environment's deduplication window by TTL);
 * failure releases the lease so the retry can run. A delivery that finds
 * another run's live lease is handed back to SQS to try later.
 */
import type { DynamoDBClient} from '@aws-sdk/client-dynamodb';
import { PutItemCommand, UpdateItemCommand, DeleteItemCommand, ConditionalCheckFailedException, GetItemCommand } from '@aws-sdk/client-dynamodb';

export type LeaseResult = 'acquired' | 'completed' | 'in_progress';

export interface JobLedger {
  begin(jobId: string, leaseMs: number): Promise<LeaseResult>;
  complete(jobId: string): Promise<void>;
  release(jobId: string): Promise<void>;
}

export class DynamoJobLedger implements JobLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  async begin(jobId: string, leaseMs: number): Promise<LeaseResult> {
    const now = this.now();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            jobId: { S: jobId },
            status: { S: 'in_progress' },
            leaseUntil: { N: String(now + leaseMs) },
            expiresAt: { N: String(Math.ceil((now + this.retentionDays * 86_400_000) / 1000)) },
          },
          ConditionExpression: 'attribute_not_exists(jobId) OR (#status = :running AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': { S: 'in_progress' }, ':now': { N: String(now) } },
        }),
      );
      return 'acquired';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { jobId: { S: jobId } }, ConsistentRead: true }),
      );
      return existing.Item?.status?.S === 'completed' ? 'completed' : 'in_progress';
    }
  }

  async complete(jobId: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { jobId: { S: jobId } },
        UpdateExpression: 'SET #status = :done REMOVE leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': { S: 'completed' } },
      }),
    );
  }

  async release(jobId: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { jobId: { S: jobId } },
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': { S: 'in_progress' } },
      }),
    ).catch((err: unknown) => {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    });
  }
}

export interface Checkpoint {
  readonly cursor: unknown;
  readonly itemsDone: number;
  /** The execution that sent the job to the dead-letter queue, so a late event about that run does not send it twice. */
  readonly deadLetteredBy?: string;
}

/** Where resumable jobs keep their cursor between slices and runs. */
export interface CheckpointStore {
  load(jobId: string): Promise<Checkpoint | undefined>;
  save(jobId: string, checkpoint: Checkpoint): Promise<void>;
  clear(jobId: string): Promise<void>;
}

/**
 * Checkpoints in the job ledger table, under `checkpoint#<job id>`: one write
 * per finished item, so a crash loses no finished item. Kept for the
 * deduplication window (TTL), so a job redriven from the dead-letter queue
 * still resumes.
 */
export class DynamoCheckpointStore implements CheckpointStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  private key(jobId: string) {
    return { jobId: { S: `checkpoint#${jobId}` } };
  }

  async load(jobId: string): Promise<Checkpoint | undefined> {
    const result = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(jobId), ConsistentRead: true }));
    if (!result.Item?.cursor?.S) return undefined;
    return {
      cursor: JSON.parse(result.Item.cursor.S) as unknown,
      itemsDone: Number(result.Item.itemsDone?.N ?? 0),
      ...(result.Item.deadLetteredBy?.S ? { deadLetteredBy: result.Item.deadLetteredBy.S } : {}),
    };
  }

  async save(jobId: string, checkpoint: Checkpoint): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...this.key(jobId),
          cursor: { S: JSON.stringify(checkpoint.cursor ?? null) },
          itemsDone: { N: String(checkpoint.itemsDone) },
          ...(checkpoint.deadLetteredBy ? { deadLetteredBy: { S: checkpoint.deadLetteredBy } } : {}),
          savedAt: { N: String(this.now()) },
          expiresAt: { N: String(Math.ceil((this.now() + this.retentionDays * 86_400_000) / 1000)) },
        },
      }),
    );
  }

  async clear(jobId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(jobId) }));
  }
}
