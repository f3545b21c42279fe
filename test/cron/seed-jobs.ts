/** The application's jobs (the seed's cron jobs among them), plus one deduplicated job for overlapping-schedule cases. */
import { Job } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { jobs } from '../../functions/app/jobs';

export class DeduplicatedReportJob extends Job<[]> {
  static {
    this.configure({ name: 'Reports::MonthlyJob', queue: 'default', priority: 'reporting', deduplicate: true, maxRunTime: 60 });
  }
  perform(): void {}
}

export function seedRegistry(): JobRegistry {
  return new JobRegistry([...jobs.all(), DeduplicatedReportJob]);
}
