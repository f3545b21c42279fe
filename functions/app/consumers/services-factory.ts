/**
 * The single place where the deployed consumer functions get their domain
 * services. Issue #6 replaces the bodies below with the real implementations
 * (DynamoDB-backed gamification rules, a course-clone job, news updates).
 *
 * Until then every domain call fails with DomainServiceNotImplemented: the
 * message is retried and then dead-lettered, so nothing is acknowledged as if
 * it had been processed. (GamificationConsumer is off by default and never
 * reaches its service while `gamification.enabled` is false.)
 */
import type { ConsumerServices } from './services';

export class DomainServiceNotImplemented extends Error {
  constructor(service: string, method: string) {
    super(`${service}.${method} has no implementation yet (issue #6): the message is retried and then dead-lettered; redrive it from the dead-letter queue once the service is deployed`);
    this.name = 'DomainServiceNotImplemented';
  }
}

function notImplemented<T extends object>(service: string, methods: readonly (keyof T & string)[]): T {
  return Object.fromEntries(
    methods.map((method) => [
      method,
      () => Promise.reject(new DomainServiceNotImplemented(service, method)),
    ]),
  ) as T;
}

export function createConsumerServices(): ConsumerServices {
  return {
    gamification: notImplemented('GamificationService', ['resultCreate', 'visitCreate', 'voteCreate', 'commentCreate', 'questionCreate', 'answerAccepted', 'answerCreate']),
    course: notImplemented('CourseService', ['startClone']),
    news: notImplemented('NewsService', ['updateState']),
  };
}
