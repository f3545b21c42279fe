import { ApplicationJob } from './application-job';

/** Deprecated in Xikolo: does nothing, kept so jobs already queued finish cleanly. */
export class RefreshSitemapJob extends ApplicationJob<[]> {
  static {
    this.configure({ name: 'RefreshSitemapJob', priority: 'reporting' });
  }

  perform(): void {}
}
