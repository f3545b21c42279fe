/**
 * Scores and badges (gamification table).
 *
 * A score's key is its receiver, rule and checksum
 * (`SCORE#<user>#<rule>#<checksum>`), written with `attribute_not_exists`: a
 * second score with the same (rule, checksum) for a user can never be
 * created, so a redelivered event never awards twice. The receiver is part of
 * the key because two rules use a section id as checksum (attended_section,
 * continuous_attendance), which every learner of the section earns; for the
 * rules whose checksum is an event's id the receiver follows from the event,
 * so for them the key is as unique as (rule, checksum) alone.
 *
 * Index `byUser` (gsi1pk `USER#<user>`, gsi1sk `<rule>#<course>#<section>#<checksum>`)
 * answers every question the rules and badges ask with one Query:
 * a user's scores of one rule (badges), in one course (continuous
 * attendance, selftest master badge) or in one section (attended section).
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { countAll, isConditionFailure, queryAll, isoNow, type Item } from './dynamo';
import { identifier } from './errors';

export interface Score {
  readonly id: string;
  readonly user_id: string;
  readonly course_id: string;
  readonly rule: string;
  readonly points: number;
  readonly data: Readonly<Record<string, string>>;
  readonly checksum: string;
  readonly created_at: string;
}

export interface NewScore {
  readonly user_id: string;
  readonly course_id: string;
  readonly rule: string;
  readonly points: number;
  /** Section of the score, when it has one (kept in the index key). */
  readonly section_id?: string;
  readonly data: Readonly<Record<string, string>>;
  readonly checksum: string;
}

export interface Badge {
  readonly user_id: string;
  readonly name: string;
  readonly level: number;
  /** Set for per-course badges. */
  readonly course_id?: string;
  readonly awarded_at: string;
}

const NO_SECTION = '-';
const NO_COURSE = '-';

export class ScoreRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the score unless one with its (rule, checksum) exists; true when created. */
  async create(score: NewScore): Promise<{ created: boolean; score: Score }> {
    const userId = identifier('user_id', score.user_id);
    const courseId = identifier('course_id', score.course_id);
    const checksum = identifier('checksum', score.checksum);
    const sectionId = score.section_id === undefined ? NO_SECTION : identifier('section_id', score.section_id);
    const record: Score = {
      id: randomUUID(),
      user_id: userId,
      course_id: courseId,
      rule: score.rule,
      points: score.points,
      data: { ...score.data },
      checksum,
      created_at: isoNow(this.now),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: scoreKey(userId, score.rule, checksum),
            sk: 'SCORE',
            gsi1pk: `USER#${userId}`,
            gsi1sk: `${score.rule}#${courseId}#${sectionId}#${checksum}`,
            section_id: sectionId === NO_SECTION ? undefined : sectionId,
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, score: record };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.find(userId, score.rule, checksum);
      return { created: false, score: existing ?? record };
    }
  }

  /**
   * Claims "the first `rule` score for `subject`" (selftest_master: an item)
   * for the event `checksum`, with a conditional write: true for the first
   * claimant and for a redelivery of its event, false for any other.
   */
  async claimFirst(userId: string, rule: string, subject: string, checksum: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `FIRST#${identifier('user_id', userId)}#${rule}#${identifier('subject', subject)}`, sk: 'FIRST', checksum: identifier('checksum', checksum), created_at: isoNow(this.now) },
          ConditionExpression: 'attribute_not_exists(pk) OR checksum = :checksum',
          ExpressionAttributeValues: { ':checksum': checksum },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async find(userId: string, rule: string, checksum: string): Promise<Score | undefined> {
    const key = scoreKey(identifier('user_id', userId), rule, identifier('checksum', checksum));
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: key, sk: 'SCORE' }, ConsistentRead: true }));
    return out.Item ? toScore(out.Item) : undefined;
  }

  /** A user's scores of a rule, optionally narrowed to a course and a section. */
  async list(userId: string, rule: string, scope: { courseId?: string; sectionId?: string } = {}): Promise<Score[]> {
    const items = await queryAll(this.db, this.byUserQuery(userId, rule, scope));
    return items.map(toScore);
  }

  async count(userId: string, rule: string, scope: { courseId?: string; sectionId?: string } = {}): Promise<number> {
    return countAll(this.db, this.byUserQuery(userId, rule, scope));
  }

  private byUserQuery(userId: string, rule: string, scope: { courseId?: string; sectionId?: string }) {
    let prefix = `${rule}#`;
    if (scope.courseId !== undefined) {
      prefix += `${identifier('course_id', scope.courseId)}#`;
      if (scope.sectionId !== undefined) prefix += `${identifier('section_id', scope.sectionId)}#`;
    }
    return {
      TableName: this.table,
      IndexName: 'byUser',
      KeyConditionExpression: 'gsi1pk = :user AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':user': `USER#${identifier('user_id', userId)}`, ':prefix': prefix },
    };
  }
}

function scoreKey(userId: string, rule: string, checksum: string): string {
  return `SCORE#${userId}#${rule}#${checksum}`;
}

function toScore(item: Item): Score {
  return {
    id: item.id as string,
    user_id: item.user_id as string,
    course_id: item.course_id as string,
    rule: item.rule as string,
    points: item.points as number,
    data: (item.data ?? {}) as Record<string, string>,
    checksum: item.checksum as string,
    created_at: item.created_at as string,
  };
}

export class BadgeRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Awards a badge level once; true when it was new. */
  async award(badge: Omit<Badge, 'awarded_at'>): Promise<boolean> {
    const userId = identifier('user_id', badge.user_id);
    const course = badge.course_id === undefined ? NO_COURSE : identifier('course_id', badge.course_id);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `BADGE#${userId}`,
            sk: `${badge.name}#${course}#${badge.level}`,
            user_id: userId,
            name: badge.name,
            level: badge.level,
            course_id: badge.course_id,
            awarded_at: isoNow(this.now),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async forUser(userId: string): Promise<Badge[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `BADGE#${identifier('user_id', userId)}` },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      user_id: item.user_id as string,
      name: item.name as string,
      level: item.level as number,
      ...(item.course_id ? { course_id: item.course_id as string } : {}),
      awarded_at: item.awarded_at as string,
    }));
  }
}
