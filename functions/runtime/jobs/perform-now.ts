/** `Job.performNow`: run in this process, with the job's rules; a retry is enqueued, an unhandled error thrown. */
import type { AnyJob } from './job';
import { executeJob } from './execution';
import { enqueueAll } from './enqueue';

export async function performNow(job: AnyJob): Promise<void> {
  const outcome = await executeJob(job);
  switch (outcome.kind) {
    case 'retry':
      await enqueueAll([{ job, runAt: new Date(Date.now() + outcome.waitSeconds * 1000) }]);
      return;
    case 'failed':
      throw outcome.error;
    default:
      return;
  }
}
