import { describe, it, expect, beforeAll } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { JobsStack } from '../../lib/stacks/jobs-stack';
import { loadEnvironment } from '../../lib/config/environment';
import { enableNag } from '../../lib/nag';
import { jobSlug } from '../../lib/constructs/long-running-runner';
import { planQueues, sliceBudgetSeconds, JobTopologyError } from '../../lib/jobs/topology';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { Job } from '../../functions/runtime/jobs/job';
import { queues } from '../../functions/app/queues';
import { deployedDefinition } from '../support/state-machine';
import { CountJob, FailingLongJob, longRegistry } from '../support/long-jobs';

describe.each(['development', 'staging', 'production'])('long-running runner (%s)', (environment) => {
  let t: Template;
  const config = loadEnvironment(environment);
  beforeAll(() => {
    const app = new App();
    enableNag(app);
    t = Template.fromStack(new JobsStack(app, `lr-${environment}`, { config, registry: longRegistry() }));
  });

  it('has a standard workflow per long-running job, bounded by the job\'s max run time, logged and traced', () => {
    const jobs = longRegistry().onQueue('long_running');
    const machines = t.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(jobs.length);
    for (const job of jobs) {
      const name = `xikolo-async-${environment}-job-${jobSlug(job.definition.name)}`;
      t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: name,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [Match.anyValue()] },
      });
      const { definition, timeoutSeconds } = deployedDefinition(t, name);
      expect(timeoutSeconds).toBe(job.definition.maxRunTimeSeconds);
      const slice = (definition.States as Record<string, { Retry: { ErrorEquals: string[]; MaxAttempts: number }[]; Catch: unknown[] }>)[`${jobSlug(job.definition.name)}-Slice`]!;
      const crashRetry = slice.Retry.find((r) => r.ErrorEquals.includes('States.ALL'))!;
      expect(crashRetry.MaxAttempts).toBe(job.definition.maxAttempts - 1);
      expect(slice.Catch).toHaveLength(1);
    }
    expect(CountJob.definition.maxAttempts).not.toBe(FailingLongJob.definition.maxAttempts);
  });

  it('starts executions from the long-running queue and may start only its own workflows', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `xikolo-async-${environment}-jobs-long-running-starter`, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `xikolo-async-${environment}-jobs-long-running-slice`,
      Timeout: config.jobs.longRunning.sliceTimeoutSeconds,
      Environment: { Variables: Match.objectLike({ XIKOLO_SLICE_BUDGET_MS: String(sliceBudgetSeconds(config) * 1000) }) },
    });
    const policies = Object.values(t.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
    const starts = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s) => ([] as string[]).concat(s.Action).includes('states:StartExecution'));
    expect(starts.length).toBeGreaterThan(0);
    for (const s of starts) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
  });

  it('dead-letters runs that time out or are aborted through a rule with retries and its own dead-letter queue', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], detail: Match.objectLike({ status: ['TIMED_OUT', 'ABORTED', 'FAILED'] }) }),
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 }, DeadLetterConfig: Match.anyValue() })],
    });
  });
});

describe('long-running jobs that cannot be sliced', () => {
  it('are a configuration error at synth when they would run longer than a slice', () => {
    class Monolith extends Job<[]> {
      static {
        this.configure({ name: 'T::Monolith', queue: 'long_running', maxRunTime: 3600 });
      }
      perform() {}
    }
    const config = loadEnvironment('production');
    expect(() => planQueues(config, new JobRegistry([Monolith]), queues)).toThrow(JobTopologyError);
    expect(() => planQueues(config, new JobRegistry([Monolith]), queues)).toThrow(
      new RegExp(`job T::Monolith \\(Monolith\\) runs on "long_running" for up to 3600 s but cannot be cut into slices \\(a slice works ${sliceBudgetSeconds(config)} s\\): make it an IterableJob`),
    );
  });
});
