/**
 * Courses, their sections and items, course codes and results (courses table).
 *
 *   COURSE#<id>      / COURSE            the course
 *   COURSE#<id>      / SECTION#<id>      a section (position, parent_id)
 *   COURSE#<id>      / ITEM#<id>         an item (section_id, content_type, content_id, position …)
 *   COURSECODE#<code>/ COURSECODE        which course has a code (codes are unique)
 *   RESULT#<item_id> / USER#<user_id>    a user's result for an item
 *
 * One Query on COURSE#<id> reads a whole course structure; index `byContent`
 * finds an item by the id of its content (an LTI exercise, a quiz).
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, isoNow, queryAll, type Item } from './dynamo';
import { identifier } from './errors';

export interface Course extends Record<string, unknown> {
  readonly id: string;
  readonly course_code: string;
  readonly status: string;
  readonly proctored?: boolean;
}

export interface Section extends Record<string, unknown> {
  readonly id: string;
  readonly course_id: string;
  readonly position: number;
  readonly parent_id?: string | null;
}

export interface CourseItem extends Record<string, unknown> {
  readonly id: string;
  readonly course_id: string;
  readonly section_id: string;
  readonly position: number;
  readonly content_type: string;
  readonly content_id?: string;
  readonly original_item_id?: string;
  readonly max_dpoints?: number;
  readonly proctored?: boolean;
}

export interface Result {
  readonly user_id: string;
  readonly item_id: string;
  readonly points: number;
  readonly updated_at: string;
}

const KEY_ATTRIBUTES = ['pk', 'sk'] as const;

function strip(item: Item): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy;
}

export interface CourseStructure {
  readonly course: Course;
  /** In course order: parents before their children, then by position. */
  readonly sections: Section[];
  /** By section order, then position. */
  readonly items: CourseItem[];
}

export class CourseRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async findCourse(courseId: string): Promise<Course | undefined> {
    const id = identifier('course_id', courseId);
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `COURSE#${id}`, sk: 'COURSE' }, ConsistentRead: true }));
    return out.Item ? (strip(out.Item) as Course) : undefined;
  }

  async findCourseIdByCode(code: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `COURSECODE#${code}`, sk: 'COURSECODE' }, ConsistentRead: true }));
    return out.Item?.course_id as string | undefined;
  }

  /**
   * Claims the course's code, then writes the course if absent. When the code
   * already belongs to another course, nothing is written and that course's
   * id is returned. Both writes are conditional, so a run that crashed
   * between them is completed by the next one (the same id claims the code).
   */
  async createCourse(course: Course): Promise<{ created: boolean; courseId: string }> {
    const id = identifier('course_id', course.id);
    const code = courseCode(course.course_code);
    let holder = id;
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `COURSECODE#${code}`, sk: 'COURSECODE', course_id: id }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      holder = (await this.findCourseIdByCode(code)) ?? id;
    }
    if (holder !== id) return { created: false, courseId: holder };
    const created = await this.putIfAbsent({ ...course, id, pk: `COURSE#${id}`, sk: 'COURSE', created_at: course.created_at ?? isoNow(this.now) });
    return { created, courseId: id };
  }

  /** Writes a section unless it exists; true when written. */
  async putSectionIfAbsent(section: Section): Promise<boolean> {
    return this.putIfAbsent({ ...section, pk: `COURSE#${identifier('course_id', section.course_id)}`, sk: `SECTION#${identifier('section_id', section.id)}` });
  }

  /** Writes an item unless it exists; true when written. */
  async putItemIfAbsent(item: CourseItem): Promise<boolean> {
    return this.putIfAbsent({ ...item, pk: `COURSE#${identifier('course_id', item.course_id)}`, sk: `ITEM#${identifier('item_id', item.id)}` });
  }

  /** Unconditional writes, for seeding and for the course service's own updates. */
  async saveSection(section: Section): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...section, pk: `COURSE#${identifier('course_id', section.course_id)}`, sk: `SECTION#${identifier('section_id', section.id)}` } }));
  }

  async saveItem(item: CourseItem): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...item, pk: `COURSE#${identifier('course_id', item.course_id)}`, sk: `ITEM#${identifier('item_id', item.id)}` } }));
  }

  async saveCourse(course: Course): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `COURSECODE#${courseCode(course.course_code)}`, sk: 'COURSECODE', course_id: course.id } }));
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...course, pk: `COURSE#${identifier('course_id', course.id)}`, sk: 'COURSE' } }));
  }

  private async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The course with its sections (parents first, then position) and items (section order, then position). */
  async structure(courseId: string): Promise<CourseStructure | undefined> {
    const id = identifier('course_id', courseId);
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `COURSE#${id}` },
      ConsistentRead: true,
    });
    const courseRow = rows.find((r) => r.sk === 'COURSE');
    if (!courseRow) return undefined;
    const sections = orderSections(rows.filter((r) => String(r.sk).startsWith('SECTION#')).map((r) => strip(r) as Section));
    const order = new Map(sections.map((s, i) => [s.id, i]));
    const items = rows
      .filter((r) => String(r.sk).startsWith('ITEM#'))
      .map((r) => strip(r) as CourseItem)
      .sort((a, b) => (order.get(a.section_id) ?? Infinity) - (order.get(b.section_id) ?? Infinity) || a.position - b.position);
    return { course: strip(courseRow) as Course, sections, items };
  }

  /** Sections of a course in course order. */
  async sections(courseId: string): Promise<Section[]> {
    const id = identifier('course_id', courseId);
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `COURSE#${id}`, ':prefix': 'SECTION#' },
    });
    return orderSections(rows.map((r) => strip(r) as Section));
  }

  /** Items of one section (a filter on the course's partition). */
  async itemsOfSection(courseId: string, sectionId: string): Promise<CourseItem[]> {
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'section_id = :section',
      ExpressionAttributeValues: { ':pk': `COURSE#${identifier('course_id', courseId)}`, ':prefix': 'ITEM#', ':section': identifier('section_id', sectionId) },
    });
    return rows.map((r) => strip(r) as CourseItem).sort((a, b) => a.position - b.position);
  }

  /**
   * The item whose content is `contentId` (an LTI exercise, a quiz), through
   * index byContent. Copies made by a course clone share their original's
   * content; the original item is preferred.
   */
  async findItemByContent(contentId: string): Promise<CourseItem | undefined> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byContent',
        KeyConditionExpression: 'content_id = :c',
        ExpressionAttributeValues: { ':c': identifier('content_id', contentId) },
      }),
    );
    const rows = (out.Items ?? []).map((row) => strip(row) as CourseItem);
    return rows.find((item) => !item.original_item_id) ?? rows[0];
  }

  /** Creates or updates a user's result for an item: one result per (user, item), so publishing twice writes it once. */
  async putResult(result: Omit<Result, 'updated_at'>): Promise<Result> {
    const record: Result = { ...result, updated_at: isoNow(this.now) };
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `RESULT#${identifier('item_id', result.item_id)}`, sk: `USER#${identifier('user_id', result.user_id)}`, ...record },
      }),
    );
    return record;
  }

  async findResult(itemId: string, userId: string): Promise<Result | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `RESULT#${identifier('item_id', itemId)}`, sk: `USER#${identifier('user_id', userId)}` }, ConsistentRead: true }),
    );
    return out.Item ? ({ user_id: out.Item.user_id, item_id: out.Item.item_id, points: out.Item.points, updated_at: out.Item.updated_at } as Result) : undefined;
  }
}

/** Course codes are URL slugs in Xikolo. */
export function courseCode(code: unknown): string {
  if (typeof code !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(code)) {
    throw Object.assign(new TypeError(`course code ${JSON.stringify(code)} is not valid: use 1–100 letters, digits, "-", "_" or "." (a URL slug such as "javaeinstieg2026")`), { invalidMessage: true });
  }
  return code;
}

/** Parents before children; siblings by position (then id, for a stable order). */
export function orderSections(sections: readonly Section[]): Section[] {
  const ids = new Set(sections.map((s) => s.id));
  const children = new Map<string, Section[]>();
  for (const s of sections) {
    const parent = s.parent_id && ids.has(s.parent_id) ? s.parent_id : '';
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
  const ordered: Section[] = [];
  const visit = (parent: string) => {
    for (const s of children.get(parent) ?? []) {
      ordered.push(s);
      visit(s.id);
    }
  };
  visit('');
  return ordered;
}
