/**
 * The cron stack as CloudFormation: exactly the environment's cron.yml
 * entries as schedules in its group, each firing on time in its zone with a
 * retry policy and a dead-letter queue, sending the job's envelope to its
 * queue with a role that may do nothing else. cdk-nag runs as in `cdk synth`.
 */
import { describe, expect, it } from 'vitest';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../lib/config/environment';
import { describeValidationFailure, enableNag } from '../../lib/nag';
import { JobsStack } from '../../lib/stacks/jobs-stack';
import { CronStack } from '../../lib/stacks/cron-stack';
import { CRON_RETRY_POLICY } from '../../lib/constructs/cron-schedules';
import { decodeEnvelope, ACTIVE_JOB_CLASS_ATTRIBUTE } from '../../functions/runtime/jobs/serialization';
import { seedRegistry } from '../cron/seed-jobs';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

function build(environment: string) {
  const outdir = mkdtempSync(join(tmpdir(), `xa-cron-${environment}-`));
  const app = new App({ outdir });
  enableNag(app);
  const config = loadEnvironment(environment);
  const env = { account: '123456789012', region: 'eu-central-1' };
  const jobs = new JobsStack(app, `xikolo-async-${environment}-jobs`, { env, config });
  const warnings: string[] = [];
  const cron = new CronStack(app, `xikolo-async-${environment}-cron`, { env, config, jobs, registry: seedRegistry(), onWarning: (w) => warnings.push(w) });
  try {
    app.synth();
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${describeValidationFailure(outdir)}`);
  }
  return { jobs, cron, template: Template.fromStack(cron), warnings };
}

const resources = (t: Template, type: string) => Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

const SEED = [
  { name: 'delete_voucher_claimant_ip', expression: 'cron(15 4 * * ? *)', job: 'Voucher::DeleteClaimantIPJob', queue: 'default', priority: 30 },
  { name: 'sync_videos', expression: 'cron(0 0/2 * * ? *)', job: 'Video::SyncVideosJob', queue: 'long_running', priority: 20 },
  { name: 'delete_unconfirmed_accounts', expression: 'cron(0 3 * * ? *)', job: 'UnconfirmedAccountsDeletionWorker', queue: 'default', priority: 10 },
];

describe('cron stack (production)', () => {
  const { template: t, jobs, warnings } = build('production');
  const schedules = resources(t, 'AWS::Scheduler::Schedule');

  it('synthesizes with cdk-nag clean and no warnings for the seed entries', () => {
    expect(warnings).toEqual([]);
  });

  it('has one schedule group for the environment', () => {
    t.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'xikolo-async-production' });
  });

  it('has exactly the three seed schedules, with exact EventBridge expressions, in UTC, on time', () => {
    expect(schedules.map(([, r]) => r.Properties.Name).sort()).toEqual(SEED.map((s) => s.name).sort());
    for (const seed of SEED) {
      t.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: seed.name,
        GroupName: 'xikolo-async-production',
        ScheduleExpression: seed.expression,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
      });
    }
    for (const [, r] of schedules) expect(r.DependsOn?.length).toBeGreaterThan(0);
  });

  it('sends through the SQS SendMessage universal target with a retry policy and the dead-letter queue', () => {
    const [dlqId] = resources(t, 'AWS::SQS::Queue')[0]!;
    for (const [, r] of schedules) {
      const target = r.Properties.Target as Record<string, unknown>;
      expect(target.Arn).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:sqs:sendMessage']] });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: CRON_RETRY_POLICY.maximumRetryAttempts, MaximumEventAgeInSeconds: CRON_RETRY_POLICY.maximumEventAgeInSeconds });
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    }
  });

  it("carries each job's ActiveJob envelope with Scheduler's context attributes, to the job's queue", () => {
    for (const seed of SEED) {
      const [, r] = schedules.find(([, s]) => s.Properties.Name === seed.name)!;
      const input = (r.Properties.Target as { Input: unknown }).Input;
      // The input is a JSON string joined with the queue URL, an import from the jobs stack.
      const parts = (input as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const text = parts.map((p) => (typeof p === 'string' ? p : 'https://sqs.example/queue')).join('');
      const parsed = JSON.parse(text) as { QueueUrl: string; MessageBody: string; MessageAttributes: Record<string, { DataType: string; StringValue: string }> };
      expect(parsed.QueueUrl).toBe('https://sqs.example/queue');
      expect(parsed.MessageAttributes[ACTIVE_JOB_CLASS_ATTRIBUTE]).toEqual({ DataType: 'String', StringValue: seed.job });
      const run = parsed.MessageBody.replaceAll('<aws.scheduler.scheduled-time>', '2026-12-04T04:15:00Z');
      const envelope = decodeEnvelope(run);
      expect(envelope).toMatchObject({
        job_class: seed.job,
        job_id: `cron-production-${seed.name}-2026-12-04T04:15:00Z`,
        queue_name: seed.queue,
        priority: seed.priority,
        arguments: [],
        executions: 0,
        enqueued_at: '2026-12-04T04:15:00Z',
      });
      // The queue URL token is the band queue the job's priority goes to.
      const queue = jobs.queueFor(seed.queue, seed.priority);
      const urlToken = parts.find((p) => typeof p !== 'string') as Record<string, unknown>;
      expect(JSON.stringify(urlToken)).toContain(jobs.getLogicalId(queue.node.defaultChild as CfnElement));
    }
  });

  it('has a role that Scheduler alone assumes, allowed only sqs:SendMessage on the target queues and the DLQ', () => {
    t.resourceCountIs('AWS::IAM::Role', 1);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }),
        ],
      },
    });
    const policies = resources(t, 'AWS::IAM::Policy');
    expect(policies).toHaveLength(1);
    const statements = (policies[0]![1].Properties.PolicyDocument as { Statement: { Action: unknown; Effect: string; Resource: unknown[] }[] }).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('sqs:SendMessage');
    expect(statements[0]!.Effect).toBe('Allow');
    const targetQueues = new Set(SEED.map((s) => jobs.queueFor(s.queue, s.priority)));
    expect(statements[0]!.Resource).toHaveLength(targetQueues.size + 1);
    const text = JSON.stringify(statements[0]!.Resource);
    for (const q of targetQueues) expect(text).toContain(jobs.getLogicalId(q.node.defaultChild as CfnElement));
  });

  it('has an encrypted, TLS-only dead-letter queue keeping messages 14 days', () => {
    const queues = resources(t, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(1);
    expect(queues[0]![1].Properties).toMatchObject({ QueueName: 'xikolo-async-production-cron-dlq', SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe.each(['development', 'staging'])('cron stack (%s)', (environment) => {
  const { template: t } = build(environment);
  it('has no schedules (its cron.yml section is empty), but its own group', () => {
    t.resourceCountIs('AWS::Scheduler::Schedule', 0);
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: `xikolo-async-${environment}` });
  });
});
