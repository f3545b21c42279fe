/**
 * The domain services the consumers delegate to, on DynamoDB.
 * functions/app/consumers/services-factory.ts wires them:
 *
 *   export function createConsumerServices(): ConsumerServices {
 *     return createDomainServices();
 *   }
 */
import type { ConsumerServices } from '../consumers/services';
import { repositories, type Repositories } from '../domain';
import type { TableKey } from '../domain/tables';
import { DynamoGamificationService } from './gamification';
import { rulesFromEnv, type GamificationRules } from './gamification-rules';
import { JobCourseService } from './course';
import { DynamoNewsService } from './news';

/**
 * The tables each consumer's services use (domain/tables.ts keys), so each
 * consumer function is granted exactly those: CourseConsumer only enqueues
 * the clone job, NewsConsumer writes news, GamificationConsumer scores and
 * badges and reads courses.
 */
export const TABLES_BY_CONSUMER: Readonly<Record<string, readonly TableKey[]>> = {
  gamification: ['gamification', 'courses'],
  news: ['news'],
  course: [],
};

export function createDomainServices(options: { repositories?: Repositories; rules?: GamificationRules } = {}): ConsumerServices {
  const repos = options.repositories ?? repositories();
  let gamification: DynamoGamificationService | undefined;
  let news: DynamoNewsService | undefined;
  const course = new JobCourseService();
  return {
    // Built on first use, so a consumer function only needs the tables of its own consumer.
    get gamification() {
      gamification ??= new DynamoGamificationService({ scores: repos.scores, badges: repos.badges, courses: repos.courses, rules: options.rules ?? rulesFromEnv() });
      return gamification;
    },
    get news() {
      news ??= new DynamoNewsService(repos.news);
      return news;
    },
    course,
  };
}

export { DynamoGamificationService, BADGES, type RuleOutcome } from './gamification';
export { JobCourseService } from './course';
export { DynamoNewsService } from './news';
export { resolveRules, rulesFromEnv, DEFAULT_RULES, gamificationRulesSchema, type GamificationRules } from './gamification-rules';
