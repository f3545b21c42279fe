/**
 * Resumable jobs, in the spirit of Sidekiq's iterable jobs and ActiveJob
 * continuations: the job enumerates its items from a cursor, the runner
 * saves the cursor after every item, and a run cut short (end of a Lambda
 * slice, a crash, a retry) resumes after the last finished item.
 *
 *   class SyncVideosJob extends IterableJob<[opts: { provider: string }], Video, string> {
 *     async *buildEnumerator(cursor: string | null, { provider }) {
 *       for await (const page of client.pages(provider, cursor)) for (const v of page.videos) yield [v, v.id];
 *     }
 *     async eachIteration(video: Video) { await store(video); }
 *   }
 *
 * A cursor is any JSON value and means "resume after this".
 */
import { Job } from './job';
import type { JsonValue } from './serialization';

export type Cursor = JsonValue;

/** Thrown by `checkpoint()` when the slice's time is up; the runner ends the slice there. */
export class SliceInterrupt extends Error {
  constructor() {
    super('slice time used up: continuing in the next slice');
    this.name = 'SliceInterrupt';
  }
}

export interface IterationHooks {
  /** Called with the cursor after each finished item and at explicit checkpoints. */
  readonly save: (cursor: Cursor | null, itemsDone: number) => Promise<void>;
  /** Epoch ms after which the slice should stop at the next item boundary. */
  readonly sliceDeadline: number;
  readonly now?: () => number;
}

export type IterationResult = 'completed' | 'interrupted';

export abstract class IterableJob<Args extends unknown[] = unknown[], Item = unknown, C extends Cursor = Cursor> extends Job<Args> {
  /** Where the current run resumes (null: from the start). */
  cursor: C | null = null;
  /** Items finished by this job so far, over all slices. */
  itemsDone = 0;
  private hooks: IterationHooks | undefined;

  /** The items after `cursor` (null: all), each with the cursor that follows it. */
  abstract buildEnumerator(cursor: C | null, ...args: Args): Iterable<readonly [Item, C]> | AsyncIterable<readonly [Item, C]>;

  abstract eachIteration(item: Item, ...args: Args): void | Promise<void>;

  /** Runs once after the last item, in the slice that finishes the enumeration (ActiveJob continuations' last step). */
  afterIteration(..._args: Args): void | Promise<void> {}

  /**
   * Saves `cursor` (if given) as the place to resume from, then ends the
   * slice if its time is up. Use inside long items; between items the runner
   * checkpoints by itself.
   */
  async checkpoint(cursor?: C): Promise<void> {
    if (cursor !== undefined) {
      this.cursor = cursor;
      await this.hooks?.save(cursor, this.itemsDone);
    }
    const now = this.hooks?.now ?? Date.now;
    if (this.hooks && now() >= this.hooks.sliceDeadline) throw new SliceInterrupt();
  }

  /** Milliseconds left in this slice (or run, when not sliced). */
  override remainingTimeMs(now = Date.now()): number {
    return Math.max(0, Math.min(this.deadline, this.hooks?.sliceDeadline ?? Number.POSITIVE_INFINITY) - now);
  }

  /** Runs every remaining item in one go: `performNow`, or a runner that does not slice. */
  async perform(...args: Args): Promise<void> {
    await this.iterate(args, { save: async () => {}, sliceDeadline: Number.POSITIVE_INFINITY });
  }

  /**
   * Runs items from the cursor until they are exhausted or the slice deadline
   * passes (checked between items; at least one item runs per slice so every
   * slice makes progress).
   */
  async iterate(args: Args, hooks: IterationHooks): Promise<IterationResult> {
    this.hooks = hooks;
    const now = hooks.now ?? Date.now;
    let ranOne = false;
    try {
      for await (const [item, next] of this.buildEnumerator(this.cursor, ...args)) {
        if (ranOne && now() >= hooks.sliceDeadline) return 'interrupted';
        await this.eachIteration(item, ...args);
        ranOne = true;
        this.cursor = next;
        this.itemsDone += 1;
        await hooks.save(next, this.itemsDone);
      }
      await this.afterIteration(...args);
      return 'completed';
    } catch (err) {
      if (err instanceof SliceInterrupt) return 'interrupted';
      throw err;
    } finally {
      this.hooks = undefined;
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyIterableJob = IterableJob<any[], unknown, Cursor>;

export function isIterableJob(job: unknown): job is AnyIterableJob {
  return job instanceof IterableJob;
}
