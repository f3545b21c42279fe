import { defineConsumer, type MessageInfo } from '../../runtime/consumers/consumer';
import { clonePayload, type ClonePayload } from './schemas';
import type { ConsumerServices, CourseService } from './services';

/**
 * Xikolo's CourseConsumer. Msgr's version acks first and then clones inline;
 * here the action hands the clone to the course service, which enqueues a
 * durable job, and returns: the message is acknowledged once the job is safe.
 */
export class CourseConsumer {
  constructor(private readonly course: CourseService) {}

  async clone(payload: ClonePayload, message: MessageInfo): Promise<void> {
    await this.course.startClone(payload, message);
  }
}

export const courseConsumer = defineConsumer({
  name: 'course',
  actions: { clone: clonePayload },
  create: (services: ConsumerServices) => new CourseConsumer(services.course),
});
