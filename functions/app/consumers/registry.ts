/**
 * The one list of Xikolo's consumers. config/routes.yml may only route to
 * consumers and actions listed here; the CDK (one function per consumer) and
 * the Lambda runtime both read this list.
 */
import type { ConsumerRegistry } from '../../runtime/consumers/consumer';
import { courseConsumer } from './course';
import { gamificationConsumer } from './gamification';
import { newsConsumer } from './news';
import type { ConsumerServices } from './services';

export const consumers: ConsumerRegistry<ConsumerServices> = [gamificationConsumer, courseConsumer, newsConsumer];
