/** The seed's cron jobs as small test classes, for a registry of the tests' own. */
import { Job } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';

export class DeleteClaimantIpJob extends Job<[]> {
  static {
    this.configure({ name: 'Voucher::DeleteClaimantIPJob', queue: 'default', priority: 'reporting' });
  }
  perform(): void {}
}

export class SyncVideosJob extends Job<[options?: Record<string, unknown>]> {
  static {
    this.configure({ name: 'Video::SyncVideosJob', queue: 'long_running', priority: 'eventual', maxAttempts: 3 });
  }
  perform(): void {}
}

export class UnconfirmedAccountsDeletionWorker extends Job<[]> {
  static {
    this.configure({ name: 'UnconfirmedAccountsDeletionWorker', queue: 'default' });
  }
  perform(): void {}
}

export class DeduplicatedReportJob extends Job<[]> {
  static {
    this.configure({ name: 'Reports::MonthlyJob', queue: 'default', priority: 'reporting', deduplicate: true });
  }
  perform(): void {}
}

export function seedRegistry(): JobRegistry {
  return new JobRegistry([DeleteClaimantIpJob, SyncVideosJob, UnconfirmedAccountsDeletionWorker, DeduplicatedReportJob]);
}
