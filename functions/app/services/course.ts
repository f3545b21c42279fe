/**
 * CourseService: cloning runs as CourseService::CloneCourseJob; the consumer
 * only checks the request and enqueues the job, which is idempotent on the
 * new course code (a repeated request completes or re-checks the same copy).
 */
import type { MessageInfo } from '../../runtime/consumers/consumer';
import type { ClonePayload } from '../consumers/schemas';
import type { CourseService } from '../consumers/services';
import { identifier } from '../domain/errors';
import { courseCode } from '../domain/courses';
import { CloneCourseJob } from '../jobs/clone-course-job';

export class JobCourseService implements CourseService {
  async startClone(payload: ClonePayload, _message?: MessageInfo): Promise<void> {
    const oldCourseId = identifier('old_course_id', payload.old_course_id);
    const code = courseCode(payload.new_course_code);
    await CloneCourseJob.performLater(oldCourseId, code);
  }
}
