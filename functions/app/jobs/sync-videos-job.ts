import * as z from 'zod/mini';
import { LongRunningApplicationJob } from './application-job';
import { jobDependencies } from './dependencies';
import { performAllLater } from '../../runtime/jobs/job';
import { kwargs } from '../../runtime/jobs/serialization';
import { RecordNotFound } from '../domain/errors';
import { AccountInactive, AuthenticationFailed } from '../vendors/video';

export interface SyncVideosOptions {
  /** Provider id; without it the job enqueues one job per provider. */
  readonly provider?: string | null;
  /** Sync every video instead of those changed since the last sync. */
  readonly full?: boolean | null;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

const options = z.optional(
  z.looseObject({
    provider: z.optional(z.nullable(z.string().check(z.regex(ID, 'must be a video provider id (letters, digits, "-", "_")')))),
    full: z.optional(z.nullable(z.boolean())),
  }),
);

/**
 * Video::SyncVideosJob(provider:, full: false) on `long_running` (cron every
 * 2 hours, without a provider). With a provider it syncs that provider's
 * videos (only those changed since its last sync unless `full`); without,
 * it enqueues one job per provider, passing `full` on.
 *
 * A provider that refuses the credentials or whose account is inactive will
 * not recover by retrying: the job is discarded and the error reported, as in
 * Xikolo. A provider deleted since the job was enqueued is discarded too.
 */
export class SyncVideosJob extends LongRunningApplicationJob<[options?: SyncVideosOptions]> {
  static {
    this.configure({ name: 'Video::SyncVideosJob', priority: 'eventual', maxAttempts: 3, arguments: z.union([z.tuple([]), z.tuple([options])]) });
    this.discardOn([AuthenticationFailed, AccountInactive, RecordNotFound], (job, error) =>
      jobDependencies().report(error, { job: 'Video::SyncVideosJob', job_id: job.jobId, arguments: job.arguments }),
    );
  }

  /** Videos written by the last run (for logs and tests). */
  synced = 0;

  async perform(opts: SyncVideosOptions = {}): Promise<void> {
    const full = opts.full === true;
    if (opts.provider) {
      await this.syncProvider(opts.provider, full);
      return;
    }
    const providers = await jobDependencies().repositories.videos.providers();
    if (providers.length === 0) return;
    await performAllLater(providers.map((p) => SyncVideosJob.build(kwargs({ provider: p.id, full }))));
  }

  private async syncProvider(providerId: string, full: boolean): Promise<void> {
    if (!ID.test(providerId)) throw new TypeError(`provider ${JSON.stringify(providerId)} is not a video provider id`);
    const { repositories: repos, videoClients, now } = jobDependencies();
    const provider = await repos.videos.findProvider(providerId);
    if (!provider) throw new RecordNotFound('Video::Provider', providerId);
    const startedAt = new Date(now());
    const since = !full && provider.synchronized_at ? new Date(provider.synchronized_at) : undefined;
    const client = videoClients(provider);
    for await (const page of client.videos({ ...(since ? { since } : {}), signal: this.signal })) {
      await repos.videos.upsertVideos(provider.id, page);
      this.synced += page.length;
    }
    await repos.videos.markSynchronized(provider.id, startedAt);
  }
}
