/**
 * LTI gradebooks and grades (lti table).
 *
 *   GRADEBOOK#<id>  { id, user_id, exercise_id }   a learner's gradebook for one LTI exercise
 *   GRADE#<id>      { id, gradebook_id, value }    a grade the tool provider sent back, 0 ≤ value ≤ 1
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { identifier } from './errors';

export interface Gradebook {
  readonly id: string;
  readonly user_id: string;
  readonly exercise_id: string;
}

export interface Grade {
  readonly id: string;
  readonly gradebook_id: string;
  /** Share of the maximum points, 0 ≤ value ≤ 1. */
  readonly value: number;
}

export class LtiRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async findGrade(id: string): Promise<Grade | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `GRADE#${identifier('grade_id', id)}` }, ConsistentRead: true }));
    return out.Item ? { id: out.Item.id, gradebook_id: out.Item.gradebook_id, value: out.Item.value } : undefined;
  }

  async findGradebook(id: string): Promise<Gradebook | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `GRADEBOOK#${identifier('gradebook_id', id)}` }, ConsistentRead: true }));
    return out.Item ? { id: out.Item.id, user_id: out.Item.user_id, exercise_id: out.Item.exercise_id } : undefined;
  }

  async saveGrade(grade: Grade): Promise<void> {
    if (!(grade.value >= 0 && grade.value <= 1)) throw new RangeError(`grade ${grade.id}: value ${grade.value} must be between 0 and 1`);
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `GRADE#${identifier('grade_id', grade.id)}`, ...grade } }));
  }

  async saveGradebook(gradebook: Gradebook): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `GRADEBOOK#${identifier('gradebook_id', gradebook.id)}`, ...gradebook } }));
  }
}
