/**
 * What a cron schedule sends: the job's ActiveJob envelope, as the SQS
 * message body of a Scheduler universal target (SQS SendMessage), with the
 * message attributes AWS's ActiveJob adapter sets.
 *
 * Scheduler fills in its context attributes at each run:
 * - job_id = `cron-<environment>-<entry>-<aws.scheduler.scheduled-time>`: a
 *   new id for every run, the same id when Scheduler retries a run (the
 *   execution id would change), and the same id from every schedule of one
 *   entry firing at the same minute (Unix's day-of-month OR day-of-week rule
 *   can need two schedules that coincide on some days): the job ledger then
 *   runs it once.
 * - enqueued_at = the scheduled time.
 */
import { encodeEnvelope, type JobEnvelope } from '../../functions/runtime/jobs/serialization';
import { ATTRIBUTES, WIRE_VERSION } from '../../functions/runtime/jobs/enqueue';
import type { CronEntry } from './config';

export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/** Scheduler's universal target for SQS SendMessage (`arn:<partition>:scheduler:::aws-sdk:sqs:sendMessage`). */
export function sendMessageTargetArn(partition: string): string {
  return `arn:${partition}:scheduler:::aws-sdk:sqs:sendMessage`;
}

/** The job id template of an entry's runs. */
export function cronJobId(environment: string, entryName: string): string {
  return `cron-${environment}-${entryName}-${SCHEDULED_TIME}`;
}

/** The envelope a run enqueues, with Scheduler's placeholders in job_id and enqueued_at. */
export function cronEnvelope(environment: string, entry: Pick<CronEntry, 'name' | 'definition' | 'queue' | 'arguments'>): JobEnvelope {
  return {
    job_class: entry.definition.name,
    job_id: cronJobId(environment, entry.name),
    provider_job_id: null,
    queue_name: entry.queue,
    priority: entry.definition.priority,
    arguments: entry.arguments,
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: SCHEDULED_TIME,
  };
}

/** The SendMessage parameters (minus QueueUrl) of the universal target's input. */
export function cronSendMessage(environment: string, entry: Pick<CronEntry, 'name' | 'definition' | 'queue' | 'arguments'>): {
  MessageBody: string;
  MessageAttributes: Record<string, { DataType: 'String'; StringValue: string }>;
} {
  return {
    MessageBody: encodeEnvelope(cronEnvelope(environment, entry)),
    MessageAttributes: {
      [ATTRIBUTES.jobClass]: { DataType: 'String', StringValue: entry.definition.name },
      [ATTRIBUTES.version]: { DataType: 'String', StringValue: WIRE_VERSION },
    },
  };
}
