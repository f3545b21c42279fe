/**
 * The worker of one Lambda-run job queue: one function, one SQS event source
 * mapping per priority band, each capped at its share of the queue's
 * concurrency, with partial batch responses.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { JobQueue } from './job-queue';
import type { BandPlan } from '../jobs/topology';
import { ProjectFunction } from './lambda-function';
import { jobFunctionName } from '../naming';

export interface JobWorkerProps {
  readonly environment: string;
  readonly queue: JobQueue;
  readonly bands: readonly BandPlan[];
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly batchSize: number;
  readonly logRetentionDays: number;
  /** Environment of the function (queue map, ledger table …). */
  readonly functionEnvironment: Record<string, string>;
}

export class JobWorker extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: JobWorkerProps) {
    super(scope, id);
    const fn = new ProjectFunction(this, 'Worker', {
      handler: 'job-worker',
      functionName: jobFunctionName(props.environment, props.queue.queueName, 'worker'),
      description: `Runs jobs of the ${props.queue.queueName} queue (${props.environment})`,
      timeout: props.timeout,
      memorySize: props.memorySize,
      logRetentionDays: props.logRetentionDays,
      environment: props.functionEnvironment,
    });
    this.function = fn.function;
    props.queue.grantConsume(this.function);
    for (const { band, maxConcurrency } of props.bands) {
      this.function.addEventSource(
        new SqsEventSource(props.queue.bandQueues.get(band)!, {
          batchSize: props.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency,
        }),
      );
    }
  }

  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }
}
