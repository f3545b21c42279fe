/**
 * CourseService::CloneCourseJob(old_course_id, new_course_code): Xikolo's
 * CourseConsumer#clone, run as a durable job (the consumer only enqueues it).
 *
 * Creates the course with the new code, or takes the course that already has
 * it, so a repeat never creates a second one: status `preparation`, dates
 * cleared, `proctored` false. Then every section, parents first with their
 * parent links mapped, and every item, dates cleared, `proctored` false,
 * `original_item_id` pointing back at the item it copies.
 *
 * Repeat-safe: the ids of copied sections and items are derived from the new
 * course and the original's id, and each is written only if absent, so a run
 * after a crash or a redelivered message completes the copy without
 * duplicating anything. An original course that does not exist is discarded
 * and reported.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { ApplicationJob } from './application-job';
import { jobDependencies } from './dependencies';
import { RecordNotFound, identifier } from '../domain/errors';
import { courseCode, type Course, type CourseItem, type Section } from '../domain/courses';

const COURSE_DATES = ['start_date', 'end_date', 'display_start_date', 'middle_of_course'] as const;
const ITEM_DATES = ['start_date', 'end_date', 'submission_deadline', 'submission_publishing_date'] as const;
const NOT_COPIED = ['id', 'created_at', 'updated_at'] as const;

/** A stable UUID (RFC 9562 version 8) for `name`: the same inputs give the same id on every run. */
export function derivedId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function without<T extends Record<string, unknown>>(record: T, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  for (const key of keys) delete copy[key];
  return copy;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface CloneSummary {
  readonly courseId: string;
  readonly courseCreated: boolean;
  readonly sectionsCreated: number;
  readonly itemsCreated: number;
}

export class CloneCourseJob extends ApplicationJob<[oldCourseId: string, newCourseCode: string]> {
  static {
    this.configure({
      name: 'CourseService::CloneCourseJob',
      arguments: z.tuple([
        z.string().check(z.regex(ID, 'old_course_id must be a course id (letters, digits, "-", "_")')),
        z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'new_course_code must be a course code (a URL slug)')),
      ]),
    });
    this.discardOn(RecordNotFound, (job, error) => jobDependencies().report(error, { job: 'CourseService::CloneCourseJob', job_id: job.jobId, arguments: job.arguments }));
  }

  summary: CloneSummary | undefined;

  async perform(oldCourseId: string, newCourseCode: string): Promise<void> {
    const courses = jobDependencies().repositories.courses;
    const sourceId = identifier('old_course_id', oldCourseId);
    const code = courseCode(newCourseCode);
    const source = await courses.structure(sourceId);
    if (!source) throw new RecordNotFound('Course', sourceId);

    const course: Course = {
      ...without(source.course, [...NOT_COPIED, ...COURSE_DATES, 'course_code', 'status', 'proctored']),
      id: derivedId(`course-code/${code}`),
      course_code: code,
      status: 'preparation',
      proctored: false,
    };
    const { created: courseCreated, courseId } = await courses.createCourse(course);

    const sectionIds = new Map(source.sections.map((s) => [s.id, derivedId(`${courseId}/section/${s.id}`)]));
    let sectionsCreated = 0;
    for (const section of source.sections) {
      this.signal.throwIfAborted();
      const copy: Section = {
        ...without(section, NOT_COPIED),
        id: sectionIds.get(section.id)!,
        course_id: courseId,
        position: section.position,
        parent_id: section.parent_id ? (sectionIds.get(section.parent_id) ?? null) : null,
      };
      if (await courses.putSectionIfAbsent(copy)) sectionsCreated++;
    }

    let itemsCreated = 0;
    for (const item of source.items) {
      this.signal.throwIfAborted();
      const sectionId = sectionIds.get(item.section_id);
      if (!sectionId) continue; // an item whose section is gone belongs to no section of the copy
      const copy: CourseItem = {
        ...without(item, [...NOT_COPIED, ...ITEM_DATES]),
        id: derivedId(`${courseId}/item/${item.id}`),
        course_id: courseId,
        section_id: sectionId,
        position: item.position,
        content_type: item.content_type,
        proctored: false,
        original_item_id: item.id,
      };
      if (await courses.putItemIfAbsent(copy)) itemsCreated++;
    }
    this.summary = { courseId, courseCreated, sectionsCreated, itemsCreated };
    console.log(JSON.stringify({ level: 'info', job: 'CourseService::CloneCourseJob', old_course_id: sourceId, new_course_code: code, ...this.summary }));
  }
}
