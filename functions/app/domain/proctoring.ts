/**
 * Quiz submissions and course enrollments with their proctoring data
 * (proctoring table).
 *
 *   SUBMISSION#<id>  { id, quiz_id, user_id, course_id, proctoring_results?, proctoring_results_stored_at? }
 *   ENROLLMENT#<id>  { id, course_id, user_id, proctored, certificate_image_key?, certificate_image_stored_at? }
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, isoNow } from './dynamo';
import { identifier, RecordNotFound } from './errors';

export interface ProctoringResults {
  /** The vendor's verdict and per-category counts, as the vendor reports them. */
  readonly [key: string]: unknown;
}

export interface QuizSubmission {
  readonly id: string;
  readonly quiz_id: string;
  readonly user_id: string;
  readonly course_id: string;
  readonly proctoring_results?: ProctoringResults;
  readonly proctoring_results_stored_at?: string;
}

export interface Enrollment {
  readonly id: string;
  readonly course_id: string;
  readonly user_id: string;
  readonly proctored: boolean;
  readonly certificate_image_key?: string;
  readonly certificate_image_stored_at?: string;
}

export class ProctoringRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async findSubmission(id: string): Promise<QuizSubmission | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `SUBMISSION#${identifier('submission_id', id)}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ...submission } = out.Item;
    return submission as QuizSubmission;
  }

  async saveSubmission(submission: QuizSubmission): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `SUBMISSION#${identifier('submission_id', submission.id)}`, ...submission } }));
  }

  /** Stores results once: a concurrent second run that lost the race leaves the first results in place. */
  async storeResults(submissionId: string, results: ProctoringResults): Promise<'stored' | 'already_stored'> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `SUBMISSION#${identifier('submission_id', submissionId)}` },
          UpdateExpression: 'SET proctoring_results = :r, proctoring_results_stored_at = :t',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(proctoring_results)',
          ExpressionAttributeValues: { ':r': results, ':t': isoNow(this.now) },
        }),
      );
      return 'stored';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.findSubmission(submissionId);
      if (!current) throw new RecordNotFound('Quiz::Submission', submissionId);
      return 'already_stored';
    }
  }

  async findEnrollment(id: string): Promise<Enrollment | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `ENROLLMENT#${identifier('enrollment_id', id)}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ...enrollment } = out.Item;
    return enrollment as Enrollment;
  }

  async saveEnrollment(enrollment: Enrollment): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `ENROLLMENT#${identifier('enrollment_id', enrollment.id)}`, ...enrollment } }));
  }

  async recordCertificateImage(enrollmentId: string, key: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `ENROLLMENT#${identifier('enrollment_id', enrollmentId)}` },
          UpdateExpression: 'SET certificate_image_key = :k, certificate_image_stored_at = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':k': key, ':t': isoNow(this.now) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new RecordNotFound('Course::Enrollment', enrollmentId);
      throw error;
    }
  }
}
