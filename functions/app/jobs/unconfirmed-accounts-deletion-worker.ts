import * as z from 'zod/mini';
import { ApplicationJob } from './application-job';
import { jobDependencies } from './dependencies';

export const UNCONFIRMED_ACCOUNT_DAYS = 3;
export const DELETION_BATCH_SIZE = 200;

/**
 * UnconfirmedAccountsDeletionWorker (a plain Sidekiq job in Xikolo's account
 * service, cron daily 03:00): deletes accounts that were never confirmed and
 * are not archived, created more than 3 days ago, 200 at a time. Archived
 * accounts are never deleted. Reads only the sparse index of unconfirmed,
 * non-archived accounts.
 */
export class UnconfirmedAccountsDeletionWorker extends ApplicationJob<[]> {
  static {
    this.configure({ name: 'UnconfirmedAccountsDeletionWorker', arguments: z.tuple([]) });
  }

  /** Sizes of the batches of the last run (for logs and tests). */
  batches: number[] = [];

  async perform(): Promise<void> {
    const { repositories: repos, now } = jobDependencies();
    const cutoff = new Date(now() - UNCONFIRMED_ACCOUNT_DAYS * 86_400_000);
    const deleted = await repos.accounts.deleteUnconfirmed(cutoff, {
      batchSize: DELETION_BATCH_SIZE,
      signal: this.signal,
      onBatch: ({ size }) => this.batches.push(size),
    });
    console.log(JSON.stringify({ level: 'info', job: 'UnconfirmedAccountsDeletionWorker', deleted, batches: this.batches.length, created_before: cutoff.toISOString() }));
  }
}
