/**
 * An environment's cron schedules: one EventBridge Scheduler schedule group,
 * a schedule per translated expression of each cron.yml entry (flexible time
 * window off, the entry's time zone, a retry policy and a dead-letter queue),
 * each sending the job's ActiveJob envelope to its SQS queue through the
 * universal SendMessage target, and one role allowed only sqs:SendMessage on
 * exactly those queues (and the dead-letter queue).
 *
 * Schedules are CloudFormation resources: an entry removed from cron.yml is
 * deleted on the next deploy.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CronEntry } from '../cron/config';
import { cronSendMessage, sendMessageTargetArn } from '../cron/target';
import { acknowledgeNag } from '../nag';
import { resourceName } from '../naming';

/** Where a job of a queue and priority is sent: JobsStack satisfies it. */
export interface CronQueueTargets {
  queueFor(queueName: string, priority: number): sqs.IQueue;
}

export interface CronSchedulesProps {
  readonly environment: string;
  readonly entries: readonly CronEntry[];
  readonly queues: CronQueueTargets;
  /** Keep the dead-letter queue when the stack is deleted. */
  readonly retain?: boolean;
}

/** Scheduler retries a failed delivery for up to an hour, then dead-letters it. */
export const CRON_RETRY_POLICY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 3600 } as const;

/** Schedule names of an entry: the entry's name, with -2, -3… for further expressions. */
export function scheduleNames(entry: Pick<CronEntry, 'name' | 'translation'>): string[] {
  return entry.translation.schedules.map((_, i) => (i === 0 ? entry.name : `${entry.name}-${i + 1}`));
}

export class CronSchedules extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;
  readonly schedules: ReadonlyMap<string, scheduler.CfnSchedule>;

  constructor(scope: Construct, id: string, props: CronSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const groupName = `xikolo-async-${props.environment}`;
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: groupName });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: resourceName(props.environment, 'cron-dlq'),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledgeNag(this.deadLetterQueue, 'SQS3', 'This queue is itself the dead-letter queue of the cron schedules; it needs none of its own');

    this.role = new iam.Role(this, 'Role', {
      roleName: resourceName(props.environment, 'cron-scheduler'),
      description: `EventBridge Scheduler (${groupName}): send cron jobs to their queues`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });

    const targetQueues = new Map<string, sqs.IQueue>();
    const schedules = new Map<string, scheduler.CfnSchedule>();
    for (const entry of props.entries) {
      const queue = props.queues.queueFor(entry.queue, entry.definition.priority);
      targetQueues.set(queue.node.path, queue);
      const message = cronSendMessage(props.environment, entry);
      const input = stack.toJsonString({ QueueUrl: queue.queueUrl, ...message });
      scheduleNames(entry).forEach((name, i) => {
        const translated = entry.translation.schedules[i]!;
        const schedule = new scheduler.CfnSchedule(this, `Schedule-${name}`, {
          name,
          groupName,
          description: [entry.description, `cron.yml ${props.environment}.${entry.name}: "${entry.cron}" → ${entry.className}`].filter(Boolean).join(' | ').slice(0, 512),
          scheduleExpression: translated.expression,
          scheduleExpressionTimezone: translated.timezone,
          flexibleTimeWindow: { mode: 'OFF' },
          state: entry.enabled ? 'ENABLED' : 'DISABLED',
          target: {
            arn: sendMessageTargetArn(stack.partition),
            roleArn: this.role.roleArn,
            input,
            retryPolicy: CRON_RETRY_POLICY,
            deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
          },
        });
        schedule.addResourceDependency(this.group);
        schedules.set(name, schedule);
      });
    }
    this.schedules = schedules;

    const resources = [...targetQueues.values()].map((q) => q.queueArn);
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [...resources, this.deadLetterQueue.queueArn] }));
  }
}
