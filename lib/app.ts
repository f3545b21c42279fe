/**
 * The CDK app: one isolated set of stacks per environment, selected with
 * `-c env=<name>`. cdk-nag runs on every synth.
 */
import { App, Tags } from 'aws-cdk-lib';
import { loadEnvironment, type EnvironmentConfig } from './config/environment';
import { enableNag } from './nag';
import { stackName } from './naming';
import { JobsStack } from './stacks/jobs-stack';
import { MessagingStack } from './stacks/messaging-stack';

export interface XikoloAsyncStacks {
  readonly config: EnvironmentConfig;
  readonly jobs: JobsStack;
  readonly messaging: MessagingStack;
}

/** Adds one environment's stacks to an app. */
export function addEnvironment(app: App, config: EnvironmentConfig): XikoloAsyncStacks {
  const env = {
    account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region ?? process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION,
  };
  const jobs = new JobsStack(app, stackName(config.name, 'jobs'), {
    env,
    config,
    description: `xikolo-async ${config.name}: job queues, workers and dead-letter queues`,
  });
  const messaging = new MessagingStack(app, stackName(config.name, 'messaging'), {
    env,
    config,
    description: `xikolo-async ${config.name}: Msgr routes and consumers (${config.messaging})`,
  });
  for (const stack of [jobs, messaging]) {
    Tags.of(stack).add('project', 'xikolo-async');
    Tags.of(stack).add('environment', config.name);
  }
  return { config, jobs, messaging };
}

export interface BuildAppOptions {
  readonly environment: string;
  readonly outdir?: string;
}

export function buildApp(options: BuildAppOptions): { app: App; stacks: XikoloAsyncStacks } {
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  enableNag(app);
  const stacks = addEnvironment(app, loadEnvironment(options.environment));
  return { app, stacks };
}
