import * as z from 'zod/mini';
import { ApplicationJob } from './application-job';
import { jobDependencies } from './dependencies';

/**
 * Voucher::DeleteClaimantIPJob: clears the claimant's IP of every voucher
 * claimed more than one year ago (cron daily 04:15). Reads only the sparse
 * index of vouchers that still hold an IP; repeatable at any time.
 */
export class DeleteClaimantIPJob extends ApplicationJob<[]> {
  static {
    this.configure({ name: 'Voucher::DeleteClaimantIPJob', priority: 'reporting', arguments: z.tuple([]) });
  }

  /** How many vouchers the last run cleared (for logs and tests). */
  cleared = 0;

  async perform(): Promise<void> {
    const { repositories: repos, now } = jobDependencies();
    const cutoff = new Date(now());
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 1);
    this.cleared = await repos.vouchers.clearClaimantIps(cutoff, { signal: this.signal });
    console.log(JSON.stringify({ level: 'info', job: 'Voucher::DeleteClaimantIPJob', cleared: this.cleared, claimed_before: cutoff.toISOString() }));
  }
}
