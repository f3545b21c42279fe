/**
 * The runner of a Step Functions job queue (`long_running`): a starter
 * function on the queue's band queues, one standard workflow per job class
 * (its timeout is the job's max run time, its crash retries the job's max
 * attempts), a slice function that runs the job in checkpointed slices, and a
 * rule that dead-letters runs that time out or are aborted.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { JobQueue } from './job-queue';
import type { JobLedger } from './job-ledger';
import type { BandPlan } from '../jobs/topology';
import type { JobDefinition } from '../../functions/runtime/jobs/definition';
import { ProjectFunction } from './lambda-function';
import { acknowledgeNag } from '../nag';
import { jobFunctionName, resourceName } from '../naming';
import { LONG_RUNNING_ENV } from '../../functions/runtime/jobs/environment';

/** Lambda invoke errors worth a quick retry (throttling, service hiccups), before the job's own crash retries. */
const TRANSIENT_LAMBDA_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

export interface LongRunningRunnerProps {
  readonly environment: string;
  readonly queue: JobQueue;
  readonly bands: readonly BandPlan[];
  readonly jobs: readonly JobDefinition[];
  readonly ledger: JobLedger;
  readonly starterTimeout: Duration;
  readonly batchSize: number;
  readonly sliceTimeout: Duration;
  readonly sliceBudget: Duration;
  readonly sliceMemoryMb: number;
  readonly logRetentionDays: number;
  /** Environment shared by the job functions (queue map, ledger table …). */
  readonly functionEnvironment: Record<string, string>;
  readonly retain: boolean;
}

export function jobSlug(jobName: string): string {
  return jobName.replace(/::/g, '-').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export class LongRunningRunner extends Construct {
  readonly starter: lambda.Function;
  readonly slice: lambda.Function;
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;
  /** Where events about runs that could not be dead-lettered by the slice function go. */
  readonly eventsDeadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: LongRunningRunnerProps) {
    super(scope, id);
    const slug = props.queue.queueName.replace(/_/g, '-');

    const slice = new ProjectFunction(this, 'Slice', {
      handler: 'long-running-slice',
      functionName: jobFunctionName(props.environment, props.queue.queueName, 'slice'),
      description: `Runs slices of ${props.queue.queueName} jobs (${props.environment})`,
      timeout: props.sliceTimeout,
      memorySize: props.sliceMemoryMb,
      logRetentionDays: props.logRetentionDays,
      environment: { ...props.functionEnvironment, [LONG_RUNNING_ENV.sliceBudgetMs]: String(props.sliceBudget.toMilliseconds()) },
    });
    this.slice = slice.function;
    props.queue.deadLetterQueue.grantSendMessages(this.slice);
    props.ledger.table.grant(this.slice, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');

    const machines = new Map<string, sfn.StateMachine>();
    for (const job of props.jobs) {
      machines.set(job.name, this.stateMachineFor(job, props));
    }
    this.stateMachines = machines;

    const starter = new ProjectFunction(this, 'Starter', {
      handler: 'long-running-starter',
      functionName: jobFunctionName(props.environment, props.queue.queueName, 'starter'),
      description: `Starts a workflow per ${props.queue.queueName} job (${props.environment})`,
      timeout: props.starterTimeout,
      memorySize: 256,
      logRetentionDays: props.logRetentionDays,
      environment: {
        ...props.functionEnvironment,
        [LONG_RUNNING_ENV.stateMachines]: Stack.of(this).toJsonString(Object.fromEntries([...machines].map(([name, machine]) => [name, machine.stateMachineArn]))),
      },
    });
    this.starter = starter.function;
    props.queue.grantConsume(this.starter);
    for (const machine of machines.values()) machine.grantStartExecution(this.starter);
    for (const { band, maxConcurrency } of props.bands) {
      this.starter.addEventSource(
        new SqsEventSource(props.queue.bandQueues.get(band)!, { batchSize: props.batchSize, reportBatchItemFailures: true, maxConcurrency }),
      );
    }

    if (machines.size > 0) {
      this.eventsDeadLetterQueue = new sqs.Queue(this, 'EventsDeadLetterQueue', {
        queueName: resourceName(props.environment, `jobs-${slug}-runner-events-dlq`),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      acknowledgeNag(this.eventsDeadLetterQueue, 'SQS3', 'This queue is itself the dead-letter queue of the RunEnded rule\'s Lambda target: events that could not be delivered land here.');
      new events.Rule(this, 'RunEnded', {
        description: `Dead-letters ${props.queue.queueName} runs that timed out, were aborted or failed outside the job (${props.environment})`,
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          // FAILED too: a run can fail where no Catch reaches (States.DataLimitExceeded, a failing DeadLetter task);
          // runs that dead-lettered themselves are recognised and not sent twice.
          detail: { status: ['TIMED_OUT', 'ABORTED', 'FAILED'], stateMachineArn: [...machines.values()].map((m) => m.stateMachineArn) },
        },
        targets: [new targets.LambdaFunction(this.slice, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.eventsDeadLetterQueue })],
      });
    }
  }

  private stateMachineFor(job: JobDefinition, props: LongRunningRunnerProps): sfn.StateMachine {
    const id = jobSlug(job.name);
    const done = new sfn.Succeed(this, `${id}-Done`, { comment: 'The job finished, was discarded or handled.' });
    const rescheduled = new sfn.Succeed(this, `${id}-Rescheduled`, { comment: 'The job was sent back to its queue for a retry; the next run resumes from its checkpoint.' });
    const failed = new sfn.Fail(this, `${id}-Failed`, { error: 'JobFailed', cause: 'The job was given up and sent to the dead-letter queue.' });

    const deadLetter = new tasks.LambdaInvoke(this, `${id}-DeadLetter`, {
      lambdaFunction: this.slice,
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      comment: 'Slices kept crashing: dead-letter the job with its last checkpoint.',
      payload: sfn.TaskInput.fromObject({
        mode: 'dead-letter',
        body: sfn.JsonPath.stringAt('$.body'),
        messageId: sfn.JsonPath.stringAt('$.messageId'),
        attempts: sfn.JsonPath.numberAt('$.attempts'),
        executionName: sfn.JsonPath.stringAt('$.executionName'),
        startedAt: sfn.JsonPath.numberAt('$.startedAt'),
        cursor: sfn.JsonPath.objectAt('$.cursor'),
        itemsDone: sfn.JsonPath.numberAt('$.itemsDone'),
        slices: sfn.JsonPath.numberAt('$.slices'),
        status: sfn.JsonPath.stringAt('$.status'),
        crash: sfn.JsonPath.objectAt('$.crash'),
      }),
    });
    deadLetter.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(5), maxAttempts: 5, backoffRate: 2 });
    deadLetter.next(failed);

    const runSlice = new tasks.LambdaInvoke(this, `${id}-Slice`, {
      lambdaFunction: this.slice,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      comment: 'Runs the job from its checkpoint for one slice.',
    });
    runSlice.addRetry({ errors: TRANSIENT_LAMBDA_ERRORS, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 });
    // A crashed slice (killed, out of memory, timed out) counts as a failed attempt of the job.
    runSlice.addRetry({
      errors: [sfn.Errors.ALL],
      interval: Duration.seconds(6),
      maxAttempts: job.maxAttempts - 1,
      backoffRate: 3.5,
      maxDelay: Duration.hours(1),
      jitterStrategy: sfn.JitterType.FULL,
    });
    runSlice.addCatch(deadLetter, { errors: [sfn.Errors.ALL], resultPath: '$.crash' });

    const route = new sfn.Choice(this, `${id}-Route`)
      .when(sfn.Condition.stringEquals('$.status', 'continue'), runSlice)
      .when(sfn.Condition.stringEquals('$.status', 'done'), done)
      .when(sfn.Condition.stringEquals('$.status', 'rescheduled'), rescheduled)
      .otherwise(failed);
    runSlice.next(route);

    const logGroup = new logs.LogGroup(this, `${id}-Logs`, {
      logGroupName: `/aws/vendedlogs/states/${resourceName(props.environment, `job-${id}`)}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, `${id}-StateMachine`, {
      stateMachineName: resourceName(props.environment, `job-${id}`),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `${job.name}: runs in slices from checkpoints, for at most ${job.maxRunTimeSeconds} s and ${job.maxAttempts} attempts`,
      definitionBody: sfn.DefinitionBody.fromChainable(runSlice),
      timeout: Duration.seconds(job.maxRunTimeSeconds),
      tracingEnabled: true,
      // Execution data holds job arguments: keep them out of the logs.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeNag(machine.role, 'IAM5[Resource::*]', 'Step Functions log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups …) and X-Ray tracing actions support only "*" as resource, as AWS documents for state machine logging and tracing.');
    acknowledgeNag(machine.role, `IAM5[Resource::<${Stack.of(this).getLogicalId(this.slice.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`, 'Invoking the slice function by its qualified ARN (versions and aliases, ":*") is what the Lambda task integration grants; the function itself is fixed.');
    return machine;
  }

  metricExecutionsFailed(jobName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.machine(jobName).metricFailed(props);
  }

  metricExecutionsTimedOut(jobName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.machine(jobName).metricTimedOut(props);
  }

  private machine(jobName: string): sfn.StateMachine {
    const machine = this.stateMachines.get(jobName);
    if (!machine) throw new Error(`no state machine for job ${jobName}: known ${[...this.stateMachines.keys()].join(', ')}`);
    return machine;
  }
}
