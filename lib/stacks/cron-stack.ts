/**
 * An environment's recurring jobs: config/cron.yml's section for the
 * environment, as EventBridge Scheduler schedules in the group
 * `xikolo-async-<env>` that send each job to its SQS queue.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import type { JobRegistry } from '../../functions/runtime/jobs/registry';
import { loadCronEntries, type CronEntry } from '../cron/config';
import { CronSchedules, type CronQueueTargets } from '../constructs/cron-schedules';

export interface CronStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The jobs stack (or anything that says which queue a job goes to). */
  readonly jobs: CronQueueTargets;
  /** Defaults to the application's job registry. */
  readonly registry?: JobRegistry;
  /** Defaults to config/cron.yml. */
  readonly cronFile?: string;
  /** Where warnings about likely mistakes go; default: stderr at synth. */
  readonly onWarning?: (message: string) => void;
}

export class CronStack extends Stack {
  readonly entries: readonly CronEntry[];
  readonly schedules: CronSchedules;

  constructor(scope: Construct, id: string, props: CronStackProps) {
    super(scope, id, props);
    this.entries = loadCronEntries(props.config.name, {
      ...(props.registry ? { jobs: props.registry } : {}),
      ...(props.cronFile ? { file: props.cronFile } : {}),
      onWarning: props.onWarning ?? ((message) => process.stderr.write(`warning: ${message}\n`)),
    });
    this.schedules = new CronSchedules(this, 'CronSchedules', {
      environment: props.config.name,
      entries: this.entries,
      queues: props.jobs,
      retain: props.config.retainData,
    });
  }
}
