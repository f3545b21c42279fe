/**
 * Every job of the application, registered once. The worker resolves
 * messages through this registry and the CDK app derives queues, priority
 * bands and limits from it: add a job here and it is deployed.
 */
import { JobRegistry } from '../../runtime/jobs/registry';
import { RefreshSitemapJob } from './refresh-sitemap-job';

export const jobs = new JobRegistry([RefreshSitemapJob]);
