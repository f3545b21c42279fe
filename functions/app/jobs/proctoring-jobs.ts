/**
 * Xikolo's proctoring jobs. Both talk to the proctoring vendor through
 * `ProctoringVendor` (jobDependencies().proctoring) and retry vendor outages
 * as Xikolo declares: `retry_on ServiceError, wait: executions hours,
 * attempts: 10`. A submission or enrollment that no longer exists is
 * discarded and reported: there is nothing to store for it, now or later.
 */
import * as z from 'zod/mini';
import { ApplicationJob } from './application-job';
import { recordId, idOf, type RecordIdArgument } from './arguments';
import { jobDependencies } from './dependencies';
import { ExpectedRetry } from '../../runtime/jobs/errors';
import { RecordNotFound } from '../domain/errors';
import { ProctoringServiceError } from '../vendors/proctoring';

const HOUR = 3600;
const reportDiscard = (job: { jobId: string; definition: { name: string } }, error: Error) =>
  jobDependencies().report(error, { job: job.definition.name, job_id: job.jobId });

/**
 * Proctoring::StoreSubmissionResultsJob(submission_id): fetches the vendor's
 * results for a quiz submission and stores them on the submission, once.
 * Skips when results are already stored; while the vendor is still
 * evaluating, raises ExpectedRetry and asks again every hour (48 times).
 */
export class StoreSubmissionResultsJob extends ApplicationJob<[submission: RecordIdArgument]> {
  static {
    this.configure({ name: 'Proctoring::StoreSubmissionResultsJob', priority: 'eventual', arguments: z.tuple([recordId('Quiz::Submission')]) });
    this.retryOn(ProctoringServiceError, { wait: (executions) => executions * HOUR, attempts: 10 });
    this.retryOn(ExpectedRetry, { wait: HOUR, attempts: 48 });
    this.discardOn(RecordNotFound, reportDiscard);
  }

  /** What the last run did (for logs and tests). */
  outcome: 'stored' | 'already_stored' | undefined;

  async perform(submission: RecordIdArgument): Promise<void> {
    const { repositories: repos, proctoring } = jobDependencies();
    const submissionId = idOf('submission_id', submission);
    const found = await repos.proctoring.findSubmission(submissionId);
    if (!found) throw new RecordNotFound('Quiz::Submission', submissionId);
    if (found.proctoring_results !== undefined) {
      this.outcome = 'already_stored';
      return;
    }
    const answer = await proctoring.submissionResults({ courseId: found.course_id, quizId: found.quiz_id, userId: found.user_id }, this.signal);
    if (answer.status === 'pending') {
      throw new ExpectedRetry(`proctoring results of submission ${submissionId} are not ready at the vendor yet; asking again in an hour`);
    }
    this.outcome = await repos.proctoring.storeResults(submissionId, answer.results);
  }
}

/** Key prefix of certificate images in the certificate bucket (the CDK app grants writes under it only). */
export const CERTIFICATE_IMAGE_PREFIX = 'proctoring/certificate-images/';

/** Where an enrollment's certificate image is stored in the certificate bucket. */
export function certificateImageKey(courseId: string, userId: string, contentType: string): string {
  const extension = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' }[contentType.split(';')[0]!.trim()] ?? 'img';
  return `${CERTIFICATE_IMAGE_PREFIX}${courseId}/${userId}.${extension}`;
}

/**
 * Proctoring::UploadCertificateImageJob(enrollment_id): copies the learner's
 * registration image from the vendor into the private certificate bucket and
 * records its key on the enrollment. Repeatable: the same key is written again.
 */
export class UploadCertificateImageJob extends ApplicationJob<[enrollment: RecordIdArgument]> {
  static {
    this.configure({ name: 'Proctoring::UploadCertificateImageJob', priority: 'eventual', arguments: z.tuple([recordId('Course::Enrollment')]) });
    this.retryOn(ProctoringServiceError, { wait: (executions) => executions * HOUR, attempts: 10 });
    this.discardOn(RecordNotFound, reportDiscard);
  }

  /** The key written by the last run; undefined when the vendor had no image. */
  storedKey: string | undefined;

  async perform(enrollment: RecordIdArgument): Promise<void> {
    const { repositories: repos, proctoring, certificates } = jobDependencies();
    const enrollmentId = idOf('enrollment_id', enrollment);
    const found = await repos.proctoring.findEnrollment(enrollmentId);
    if (!found) throw new RecordNotFound('Course::Enrollment', enrollmentId);
    const image = await proctoring.certificateImage({ courseId: found.course_id, userId: found.user_id }, this.signal);
    if (!image) {
      console.warn(JSON.stringify({ level: 'warn', job: 'Proctoring::UploadCertificateImageJob', enrollment_id: enrollmentId, message: 'the proctoring vendor has no registration image for this learner; nothing stored' }));
      return;
    }
    const key = certificateImageKey(found.course_id, found.user_id, image.contentType);
    await certificates.put(key, image.body, image.contentType);
    await repos.proctoring.recordCertificateImage(enrollmentId, key);
    this.storedKey = key;
  }
}
