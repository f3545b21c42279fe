/**
 * The single place where the deployed consumer functions get their domain
 * services: DynamoDB-backed gamification rules, course cloning as a job, news
 * updates (functions/app/services).
 */
import type { ConsumerServices } from './services';
import { createDomainServices } from '../services';

export function createConsumerServices(): ConsumerServices {
  return createDomainServices();
}
