/**
 * The CDK app: one isolated set of stacks per environment, selected with
 * `-c env=<name>`. cdk-nag runs on every synth.
 */
import { Tags, type App } from 'aws-cdk-lib';
import type { EnvironmentConfig } from './config/environment';
import { stackName } from './naming';
import { JobsStack } from './stacks/jobs-stack';
import { MessagingStack } from './stacks/messaging-stack';
import { DataStack } from './stacks/data-stack';
import { CronStack } from './stacks/cron-stack';
import { CloneCourseJob } from '../functions/app/jobs/clone-course-job';
import { TABLES_BY_CONSUMER } from '../functions/app/services';

export interface XikoloAsyncStacks {
  readonly config: EnvironmentConfig;
  readonly data: DataStack;
  readonly jobs: JobsStack;
  readonly cron: CronStack;
  readonly messaging: MessagingStack;
}

/** Adds one environment's stacks to an app. */
export function addEnvironment(app: App, config: EnvironmentConfig): XikoloAsyncStacks {
  const env = {
    account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region ?? process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION,
  };
  const data = new DataStack(app, stackName(config.name, 'data'), {
    env,
    config,
    description: `xikolo-async ${config.name}: records (DynamoDB), certificate images (S3), proctoring vendor secret`,
  });
  const jobs = new JobsStack(app, stackName(config.name, 'jobs'), {
    env,
    config,
    data,
    description: `xikolo-async ${config.name}: job queues, workers and dead-letter queues`,
  });
  const cron = new CronStack(app, stackName(config.name, 'cron'), {
    env,
    config,
    jobs,
    description: `xikolo-async ${config.name}: cron.yml schedules (EventBridge Scheduler)`,
  });
  const messaging = new MessagingStack(app, stackName(config.name, 'messaging'), {
    env,
    config,
    description: `xikolo-async ${config.name}: Msgr routes and consumers (${config.messaging})`,
  });
  jobs.addStackDependency(data);
  messaging.addStackDependency(data);
  for (const [consumer, fn] of messaging.consumerFunctions()) {
    // Each consumer gets the tables its services use, nothing more.
    const tables = TABLES_BY_CONSUMER[consumer];
    if (!tables) throw new Error(`consumer "${consumer}" has no entry in TABLES_BY_CONSUMER (functions/app/services/index.ts): declare the tables its services use ([] for none)`);
    for (const [key, value] of Object.entries({ ...data.environmentFor('consumers', tables), XIKOLO_ENV: config.name })) fn.addEnvironment(key, value);
    data.grantConsumers(fn, tables);
    // CourseConsumer#clone hands the cloning to a job instead of holding the message.
    if (consumer === 'course') jobs.grantEnqueueFrom(fn, CloneCourseJob.definition.queue);
  }
  for (const stack of [data, jobs, cron, messaging]) {
    Tags.of(stack).add('project', 'xikolo-async');
    Tags.of(stack).add('environment', config.name);
  }
  return { config, data, jobs, cron, messaging };
}
