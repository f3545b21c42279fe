/**
 * Every job of the application, registered once. The worker resolves
 * messages through this registry and the CDK app derives queues, priority
 * bands and limits from it: add a job here and it is deployed.
 */
import { JobRegistry } from '../../runtime/jobs/registry';
import { RefreshSitemapJob } from './refresh-sitemap-job';
import { PublishGradeJob } from './publish-grade-job';
import { StoreSubmissionResultsJob, UploadCertificateImageJob } from './proctoring-jobs';
import { DeleteClaimantIPJob } from './delete-claimant-ip-job';
import { SyncVideosJob } from './sync-videos-job';
import { UnconfirmedAccountsDeletionWorker } from './unconfirmed-accounts-deletion-worker';
import { CloneCourseJob } from './clone-course-job';

export const jobs = new JobRegistry([
  RefreshSitemapJob,
  PublishGradeJob,
  StoreSubmissionResultsJob,
  UploadCertificateImageJob,
  DeleteClaimantIPJob,
  SyncVideosJob,
  UnconfirmedAccountsDeletionWorker,
  CloneCourseJob,
]);
