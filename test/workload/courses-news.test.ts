/** CourseConsumer#clone (as CourseService::CloneCourseJob) and NewsConsumer#update_state on a real DynamoDB API. */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { startWorld, bodyOf, type World } from './world';
import { CloneCourseJob, derivedId } from '../../functions/app/jobs/clone-course-job';
import { JobCourseService } from '../../functions/app/services/course';
import { DynamoNewsService } from '../../functions/app/services/news';
import { executeJob } from '../../functions/runtime/jobs/execution';
import { NewsIdError, NewsAttributeError } from '../../functions/app/domain/news';
import { MalformedIdentifierError } from '../../functions/app/domain/errors';

let world: World;
const reported: Error[] = [];

beforeAll(async () => {
  world = await startWorld({ report: (error) => void reported.push(error) });
  const c = world.repos.courses;
  await c.saveCourse({
    id: 'old', course_code: 'bigdata2025', title: 'Big Data', status: 'archive', lang: 'en', proctored: true,
    start_date: '2025-01-01T00:00:00Z', end_date: '2025-03-01T00:00:00Z', display_start_date: '2024-12-01T00:00:00Z', middle_of_course: '2025-02-01T00:00:00Z',
  });
  await c.saveSection({ id: 'w1', course_id: 'old', title: 'Week 1', position: 1, parent_id: null });
  await c.saveSection({ id: 'w2', course_id: 'old', title: 'Week 2', position: 2, parent_id: null });
  await c.saveSection({ id: 'w2-alt', course_id: 'old', title: 'Week 2, alternative', position: 1, parent_id: 'w2' });
  await c.saveItem({ id: 'i1', course_id: 'old', section_id: 'w1', title: 'Intro', position: 1, content_type: 'video', content_id: 'video-1', start_date: '2025-01-01T00:00:00Z', end_date: '2025-01-08T00:00:00Z' });
  await c.saveItem({ id: 'i2', course_id: 'old', section_id: 'w1', title: 'Quiz', position: 2, content_type: 'quiz', content_id: 'quiz-1', proctored: true, submission_deadline: '2025-01-08T00:00:00Z', submission_publishing_date: '2025-01-09T00:00:00Z', max_dpoints: 100 });
  await c.saveItem({ id: 'i3', course_id: 'old', section_id: 'w2-alt', title: 'Alt video', position: 1, content_type: 'video', content_id: 'video-3' });
});
afterAll(() => world.stop());
beforeEach(() => {
  world.sent.length = 0;
  reported.length = 0;
});

function clone(oldId: string, code: string) {
  const job = new CloneCourseJob();
  job.arguments = [oldId, code];
  return job;
}

describe('CourseService#startClone', () => {
  it('enqueues CourseService::CloneCourseJob with the old course and the new code, and returns', async () => {
    await new JobCourseService().startClone({ old_course_id: 'old', new_course_code: 'bigdata2026' });
    expect(world.sent.map(bodyOf).map((b) => [b.job_class, b.arguments])).toEqual([['CourseService::CloneCourseJob', ['old', 'bigdata2026']]]);
    expect(await world.repos.courses.findCourseIdByCode('bigdata2026')).toBeUndefined();
  });

  it('rejects a malformed course id or code with a clear error, enqueuing nothing', async () => {
    await expect(new JobCourseService().startClone({ old_course_id: 'old#1', new_course_code: 'x' })).rejects.toThrow(MalformedIdentifierError);
    await expect(new JobCourseService().startClone({ old_course_id: 'old', new_course_code: 'big data' })).rejects.toThrow(/course code "big data" is not valid/);
    expect(world.sent).toEqual([]);
  });
});

describe('CourseService::CloneCourseJob', () => {
  it('creates the course in preparation with dates cleared and proctored false, then sections parents first and items pointing back', async () => {
    const job = clone('old', 'bigdata2026');
    expect((await executeJob(job)).kind).toBe('completed');
    expect(job.summary).toMatchObject({ courseCreated: true, sectionsCreated: 3, itemsCreated: 3 });
    const id = (await world.repos.courses.findCourseIdByCode('bigdata2026'))!;
    const copy = (await world.repos.courses.structure(id))!;
    expect(copy.course).toMatchObject({ id, course_code: 'bigdata2026', title: 'Big Data', lang: 'en', status: 'preparation', proctored: false });
    for (const date of ['start_date', 'end_date', 'display_start_date', 'middle_of_course']) expect(copy.course[date]).toBeUndefined();

    expect(copy.sections.map((s) => [s.title, s.position])).toEqual([['Week 1', 1], ['Week 2', 2], ['Week 2, alternative', 1]]);
    const [w1, w2, alt] = copy.sections;
    expect(alt!.parent_id).toBe(w2!.id);
    expect(w1!.parent_id).toBeNull();
    expect(new Set(copy.sections.map((s) => s.id)).has('w1')).toBe(false);

    const byOriginal = new Map(copy.items.map((i) => [i.original_item_id, i]));
    expect([...byOriginal.keys()]).toEqual(['i1', 'i2', 'i3']);
    expect(byOriginal.get('i1')).toMatchObject({ section_id: w1!.id, course_id: id, title: 'Intro', proctored: false, content_type: 'video' });
    expect(byOriginal.get('i2')).toMatchObject({ section_id: w1!.id, proctored: false, max_dpoints: 100 });
    expect(byOriginal.get('i3')!.section_id).toBe(alt!.id);
    for (const item of copy.items) {
      for (const date of ['start_date', 'end_date', 'submission_deadline', 'submission_publishing_date']) expect(item[date]).toBeUndefined();
    }
    // The original is untouched.
    const original = (await world.repos.courses.structure('old'))!;
    expect(original.course).toMatchObject({ status: 'archive', proctored: true, start_date: '2025-01-01T00:00:00Z' });
    expect(original.items).toHaveLength(3);
  });

  it('repeating the clone creates no second course, section or item', async () => {
    const job = clone('old', 'bigdata2026');
    await executeJob(job);
    expect(job.summary).toMatchObject({ courseCreated: false, sectionsCreated: 0, itemsCreated: 0 });
    const id = (await world.repos.courses.findCourseIdByCode('bigdata2026'))!;
    const copy = (await world.repos.courses.structure(id))!;
    expect([copy.sections.length, copy.items.length]).toEqual([3, 3]);
  });

  it('completes a copy that an earlier run left half done', async () => {
    const id = derivedId('course-code/resume2026');
    await world.repos.courses.createCourse({ id, course_code: 'resume2026', status: 'preparation' });
    const job = clone('old', 'resume2026');
    await executeJob(job);
    expect(job.summary).toMatchObject({ courseId: id, courseCreated: false, sectionsCreated: 3, itemsCreated: 3 });
  });

  it('clones into the course that already has the new code', async () => {
    await world.repos.courses.saveCourse({ id: 'existing', course_code: 'taken2026', status: 'preparation', title: 'Existing' });
    const job = clone('old', 'taken2026');
    await executeJob(job);
    expect(job.summary).toMatchObject({ courseId: 'existing', courseCreated: false, sectionsCreated: 3 });
    expect((await world.repos.courses.findCourse('existing'))!.title).toBe('Existing');
  });

  it('discards and reports the clone of a course that does not exist', async () => {
    expect((await executeJob(clone('missing', 'ghost2026'))).kind).toBe('discarded');
    expect(reported.map((e) => e.message)).toEqual([expect.stringContaining('Course missing does not exist')]);
    expect(await world.repos.courses.findCourseIdByCode('ghost2026')).toBeUndefined();
  });

  it('declares an arguments schema that refuses malformed ids and codes', async () => {
    const schema = CloneCourseJob.definition.argumentsSchema!;
    expect((await schema['~standard'].validate(['old', 'bigdata2026'])).issues).toBeUndefined();
    expect((await schema['~standard'].validate(['old', 'big data'])).issues).toBeDefined();
    expect((await schema['~standard'].validate(['o#ld', 'code'])).issues).toBeDefined();
  });
});

describe('NewsService#updateState', () => {
  const NEWS_ID = '8a1d7b5e-0c43-4c61-9d6e-2f0a1b3c4d5e';
  beforeAll(async () => {
    await world.repos.news.save({ id: NEWS_ID, title: 'New course!', state: 'preparing', created_at: '2026-12-01T00:00:00.000Z' });
  });

  it('sets every attribute of the payload except news_id', async () => {
    const svc = new DynamoNewsService(world.repos.news);
    await svc.updateState({ news_id: NEWS_ID, state: 'sent', receivers: 1200, sending_state: 'done' });
    await svc.updateState({ news_id: NEWS_ID, state: 'sent', receivers: 1200, sending_state: 'done' });
    const news = (await world.repos.news.find(NEWS_ID))!;
    expect(news).toMatchObject({ id: NEWS_ID, title: 'New course!', state: 'sent', receivers: 1200, sending_state: 'done', created_at: '2026-12-01T00:00:00.000Z' });
    expect(news.news_id).toBeUndefined();
    expect(news.updated_at).toBe(new Date(world.clock).toISOString());
  });

  it('acknowledges an update for news that does not exist, logging it and creating nothing', async () => {
    const logs: Record<string, unknown>[] = [];
    const svc = new DynamoNewsService(world.repos.news, (entry) => logs.push(entry));
    const missing = '0b5a4c3d-2e1f-4a5b-8c7d-6e5f4a3b2c1d';
    expect(await svc.apply({ news_id: missing, state: 'sent' })).toBe(false);
    expect(await world.repos.news.find(missing)).toBeUndefined();
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', news_id: missing })]);
  });

  it('rejects a news_id that is not a UUID, and attributes that would overwrite the record\'s identity', async () => {
    const svc = new DynamoNewsService(world.repos.news);
    await expect(svc.updateState({ news_id: '42', state: 'sent' })).rejects.toThrow(NewsIdError);
    await expect(svc.updateState({ news_id: NEWS_ID, id: 'other' })).rejects.toThrow(NewsAttributeError);
    await expect(svc.updateState({ news_id: NEWS_ID, 'state; drop': 'x' })).rejects.toThrow(/cannot be set by a status update/);
    expect((await world.repos.news.find(NEWS_ID))!.id).toBe(NEWS_ID);
  });
});
