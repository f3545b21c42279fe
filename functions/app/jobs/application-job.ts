/**
 * Xikolo's base jobs. ApplicationJob runs on the `default` queue with
 * Lambda's bound on run time; LongRunningApplicationJob on `long_running`,
 * for up to 10 hours with 5 attempts.
 */
import { Job } from '../../runtime/jobs/job';
import { IterableJob, type Cursor } from '../../runtime/jobs/iterable';

/**
 * In Rails, ApplicationJob allows 20 minutes. A Lambda run ends at 15, so
 * jobs on Lambda-run queues get 14 minutes; work that needs longer belongs on
 * `long_running` (see docs/jobs.md).
 */
export const LAMBDA_JOB_MAX_RUN_TIME = 14 * 60;

export abstract class ApplicationJob<Args extends unknown[] = unknown[]> extends Job<Args> {
  static {
    this.configure({ name: 'ApplicationJob', queue: 'default', maxRunTime: LAMBDA_JOB_MAX_RUN_TIME });
  }
}

/**
 * Long-running jobs resume from checkpoints, so they are iterable: declare
 * `buildEnumerator` and `eachIteration` (docs/long-running.md). Rails'
 * LongRunningApplicationJob inherits ApplicationJob; ApplicationJob declares
 * no rules here, so nothing is lost by starting from IterableJob.
 */
export abstract class LongRunningApplicationJob<Args extends unknown[] = unknown[], Item = unknown, C extends Cursor = Cursor> extends IterableJob<Args, Item, C> {
  static {
    this.configure({ name: 'LongRunningApplicationJob', queue: 'long_running', maxRunTime: 10 * 60 * 60, maxAttempts: 5 });
  }
}
