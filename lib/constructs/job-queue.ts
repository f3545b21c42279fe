/**
 * One ActiveJob queue: an SQS queue per priority band it uses, and one
 * dead-letter queue. Encrypted (SSE-SQS), TLS-only, 14 days in the DLQ.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { PriorityBand } from '../../functions/runtime/jobs/priority';
import type { QueueEndpoint } from '../../functions/runtime/jobs/endpoints';
import { jobBandQueueName, jobDeadLetterQueueName } from '../naming';

export interface JobQueueProps {
  readonly environment: string;
  /** ActiveJob queue name (`default`, `mails`, …). */
  readonly queueName: string;
  readonly bands: readonly PriorityBand[];
  readonly primary: PriorityBand;
  readonly visibilityTimeout: Duration;
  /** Receives without a report before SQS dead-letters a message (crash guard). */
  readonly maxReceiveCount: number;
  /** Keep queues when the stack is deleted. */
  readonly retain?: boolean;
}

export class JobQueue extends Construct {
  readonly queueName: string;
  readonly deadLetterQueue: sqs.Queue;
  readonly bandQueues: ReadonlyMap<PriorityBand, sqs.Queue>;
  readonly primary: PriorityBand;

  constructor(scope: Construct, id: string, props: JobQueueProps) {
    super(scope, id);
    this.queueName = props.queueName;
    this.primary = props.primary;
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: jobDeadLetterQueueName(props.environment, props.queueName),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const bandQueues = new Map<PriorityBand, sqs.Queue>();
    for (const band of props.bands) {
      bandQueues.set(
        band,
        new sqs.Queue(this, `Band-${band}`, {
          queueName: jobBandQueueName(props.environment, props.queueName, band),
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          visibilityTimeout: props.visibilityTimeout,
          retentionPeriod: Duration.days(14),
          deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
          removalPolicy,
        }),
      );
    }
    this.bandQueues = bandQueues;
  }

  /** The queue Rails' adapter (and anything outside) sends this ActiveJob queue's jobs to. */
  get primaryQueue(): sqs.Queue {
    return this.bandQueues.get(this.primary)!;
  }

  /** URLs for the runtime's endpoint map (tokens until deploy). */
  endpoint(): QueueEndpoint {
    return {
      primary: this.primary,
      bands: Object.fromEntries([...this.bandQueues].map(([band, queue]) => [band, queue.queueUrl])),
      deadLetter: this.deadLetterQueue.queueUrl,
    };
  }

  /** Lets a principal enqueue jobs on this queue (every band). */
  grantEnqueue(grantee: iam.IGrantable): void {
    for (const queue of this.bandQueues.values()) queue.grantSendMessages(grantee);
  }

  /** Lets a worker receive and delete, and dead-letter with a reason. */
  grantConsume(grantee: iam.IGrantable): void {
    for (const queue of this.bandQueues.values()) queue.grantConsumeMessages(grantee);
    this.deadLetterQueue.grantSendMessages(grantee);
  }

  /** Messages waiting, summed over the bands. */
  metricVisibleMessages(props?: cloudwatch.MetricOptions): cloudwatch.IMetric[] {
    return [...this.bandQueues.values()].map((q) => q.metricApproximateNumberOfMessagesVisible(props));
  }

  metricOldestMessageAge(band: PriorityBand, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const queue = this.bandQueues.get(band);
    if (!queue) throw new Error(`queue ${this.queueName} has no ${band} band`);
    return queue.metricApproximateAgeOfOldestMessage(props);
  }

  metricDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }
}
