/**
 * Xikolo's job queues: the one list the runtime and the CDK app both read.
 *
 * `runner` says what executes the queue's jobs: `lambda` (SQS → worker
 * Lambda, 15 minutes at most per run) or `step-functions` (SQS → a standard
 * workflow running the job in Lambda-sized slices, for jobs up to 10 hours).
 */
import type { QueueDeclaration } from '../runtime/jobs/queue-declaration';

export const queues = [
  { name: 'default', runner: 'lambda', description: 'Everyday deferred work' },
  { name: 'mails', runner: 'lambda', description: 'Mail delivery' },
  { name: 'long_running', runner: 'step-functions', description: 'Jobs of up to 10 hours, run in resumable slices' },
] as const satisfies readonly QueueDeclaration[];

export type QueueName = (typeof queues)[number]['name'];
