/** Long-running test jobs: resumable ones over numbered items, and ones that fail or overrun. */
import { IterableJob } from '../../functions/runtime/jobs/iterable';
import { Job, performAllLater } from '../../functions/runtime/jobs/job';
import { JobRegistry } from '../../functions/runtime/jobs/registry';

/** Every item any test job finished, in order. */
export const processed: string[] = [];
export const longJobControl = { itemMs: 5, crashAt: -1 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CountJob extends IterableJob<[count: number], number, number> {
  static {
    this.configure({ name: 'Test::CountJob', queue: 'long_running', maxRunTime: 10 * 3600, maxAttempts: 5 });
  }
  *buildEnumerator(cursor: number | null, count: number): Iterable<readonly [number, number]> {
    for (let i = cursor === null ? 0 : cursor + 1; i < count; i++) yield [i, i] as const;
  }
  async eachIteration(item: number): Promise<void> {
    await sleep(longJobControl.itemMs);
    processed.push(`count:${item}`);
  }
}

export class FailingLongJob extends IterableJob<[], number, number> {
  static {
    this.configure({ name: 'Test::FailingLongJob', queue: 'long_running', maxRunTime: 3600, maxAttempts: 3 });
  }
  *buildEnumerator(cursor: number | null): Iterable<readonly [number, number]> {
    for (let i = cursor === null ? 0 : cursor + 1; i < 10; i++) yield [i, i] as const;
  }
  eachIteration(item: number): void {
    if (item === 2) throw new RangeError(`item ${item} is broken`);
    processed.push(`failing:${item}`);
  }
}

export class SlowLongJob extends IterableJob<[], number, number> {
  static {
    this.configure({ name: 'Test::SlowLongJob', queue: 'long_running', maxRunTime: 1, maxAttempts: 3 });
  }
  *buildEnumerator(cursor: number | null): Iterable<readonly [number, number]> {
    for (let i = cursor === null ? 0 : cursor + 1; i < 1000; i++) yield [i, i] as const;
  }
  async eachIteration(item: number): Promise<void> {
    await sleep(60);
    processed.push(`slow:${item}`);
  }
}

/** Fan-out from inside a long job: one child job per provider. */
export class FanOutJob extends IterableJob<[providers: string[]], string, number> {
  static {
    this.configure({ name: 'Test::FanOutJob', queue: 'long_running', maxRunTime: 3600, maxAttempts: 3 });
  }
  *buildEnumerator(cursor: number | null, providers: string[]): Iterable<readonly [string, number]> {
    for (let i = cursor === null ? 0 : cursor + 1; i < providers.length; i++) yield [providers[i]!, i] as const;
  }
  async eachIteration(provider: string): Promise<void> {
    await performAllLater([ChildJob.build(provider)]);
    processed.push(`fanout:${provider}`);
  }
}

export class ChildJob extends Job<[provider: string]> {
  static {
    this.configure({ name: 'Test::ChildJob', queue: 'default', maxRunTime: 60 });
  }
  perform(provider: string): void {
    processed.push(`child:${provider}`);
  }
}

/** A long-running job that cannot be cut into slices, short enough to run whole in one. */
export class WholeJob extends Job<[]> {
  static {
    this.configure({ name: 'Test::WholeJob', queue: 'long_running', maxRunTime: 60, maxAttempts: 2 });
  }
  perform(): void {
    processed.push('whole');
  }
}

export const longRegistry = () => new JobRegistry([CountJob, FailingLongJob, SlowLongJob, FanOutJob, ChildJob, WholeJob, HangingJob]);

/** Items that outlive their Lambda invocation (the second one hangs for 300 ms); records whether its signal fired. */
export const hanging = { aborted: false };
export class HangingJob extends IterableJob<[], number, number> {
  static {
    this.configure({ name: 'Test::HangingJob', queue: 'long_running', maxRunTime: 3600, maxAttempts: 3 });
  }
  *buildEnumerator(cursor: number | null): Iterable<readonly [number, number]> {
    for (let i = cursor === null ? 0 : cursor + 1; i < 3; i++) yield [i, i] as const;
  }
  async eachIteration(item: number): Promise<void> {
    if (item === 1) {
      await sleep(300);
      hanging.aborted = this.signal.aborted;
    }
    processed.push(`hanging:${item}`);
  }
}
