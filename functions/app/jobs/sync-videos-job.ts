import * as z from 'zod/mini';
import { LongRunningApplicationJob } from './application-job';
import { jobDependencies } from './dependencies';
import { performAllLater } from '../../runtime/jobs/job';
import { kwargs } from '../../runtime/jobs/serialization';
import { RecordNotFound } from '../domain/errors';
import { AccountInactive, AuthenticationFailed, type RemoteVideo } from '../vendors/video';

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

/** Providers are enqueued ten at a time: one SQS request per item. */
const FAN_OUT_CHUNK = 10;

/**
 * Where a run resumes. Syncing a provider: pages stored so far and when the
 * sync started (the provider's next "changed since"). Fanning out: providers
 * enqueued so far.
 */
export type SyncVideosCursor = { readonly pages: number; readonly startedAt: number } | { readonly providers: number };

type Item = { readonly kind: 'page'; readonly videos: readonly RemoteVideo[] } | { readonly kind: 'providers'; readonly ids: readonly string[] };

/**
 * Video::SyncVideosJob(provider:, full: false) on `long_running` (cron every
 * 2 hours, without a provider). With a provider it syncs that provider's
 * videos page by page (only those changed since its last sync unless
 * `full`), checkpointing after each stored page; without, it enqueues one job
 * per provider, passing `full` on.
 *
 * A provider that refuses the credentials or whose account is inactive will
 * not recover by retrying: the job is discarded and the error reported, as in
 * Xikolo. A provider deleted since the job was enqueued is discarded too.
 */
export class SyncVideosJob extends LongRunningApplicationJob<[options?: SyncVideosOptions], Item, SyncVideosCursor> {
  static {
    this.configure({ name: 'Video::SyncVideosJob', priority: 'eventual', maxAttempts: 3, arguments: z.union([z.tuple([]), z.tuple([options])]) });
    this.discardOn([AuthenticationFailed, AccountInactive, RecordNotFound], (job, error) =>
      jobDependencies().report(error, { job: 'Video::SyncVideosJob', job_id: job.jobId, arguments: job.arguments }),
    );
  }

  /** Videos written by this run (for logs and tests). */
  synced = 0;

  async *buildEnumerator(cursor: SyncVideosCursor | null, opts: SyncVideosOptions = {}): AsyncIterable<readonly [Item, SyncVideosCursor]> {
    const full = opts.full === true;
    const { repositories: repos, videoClients, now } = jobDependencies();
    if (!opts.provider) {
      const ids = (await repos.videos.providers()).map((p) => p.id).sort();
      const done = cursor && 'providers' in cursor ? cursor.providers : 0;
      for (let i = done; i < ids.length; i += FAN_OUT_CHUNK) {
        const chunk = ids.slice(i, i + FAN_OUT_CHUNK);
        yield [{ kind: 'providers', ids: chunk }, { providers: i + chunk.length }] as const;
      }
      return;
    }
    const providerId = opts.provider;
    if (!ID.test(providerId)) throw new TypeError(`provider ${JSON.stringify(providerId)} is not a video provider id`);
    const provider = await repos.videos.findProvider(providerId);
    if (!provider) throw new RecordNotFound('Video::Provider', providerId);
    const resumed = cursor && 'pages' in cursor ? cursor : undefined;
    const startedAt = resumed?.startedAt ?? now();
    const since = !full && provider.synchronized_at ? new Date(provider.synchronized_at) : undefined;
    // The provider's API has no resumable page token: a resumed run pages again and skips the pages already stored.
    let page = 0;
    for await (const videos of videoClients(provider).videos({ ...(since ? { since } : {}), signal: this.signal })) {
      page += 1;
      if (resumed && page <= resumed.pages) continue;
      yield [{ kind: 'page', videos }, { pages: page, startedAt }] as const;
    }
  }

  async eachIteration(item: Item, opts: SyncVideosOptions = {}): Promise<void> {
    if (item.kind === 'providers') {
      await performAllLater(item.ids.map((id) => SyncVideosJob.build(kwargs({ provider: id, full: opts.full === true }))));
      return;
    }
    await jobDependencies().repositories.videos.upsertVideos(opts.provider!, item.videos);
    this.synced += item.videos.length;
  }

  /** The provider's next incremental sync starts from when this one started. */
  override async afterIteration(opts: SyncVideosOptions = {}): Promise<void> {
    if (!opts.provider) return;
    const startedAt = this.cursor && 'startedAt' in this.cursor ? this.cursor.startedAt : jobDependencies().now();
    await jobDependencies().repositories.videos.markSynchronized(opts.provider, new Date(startedAt));
  }
}
