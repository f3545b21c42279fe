import { describe, it, expect } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { synthesize, template } from '../support/synth';
import { planQueues, JobTopologyError, LAMBDA_JOB_RUN_TIME_LIMIT } from '../../lib/jobs/topology';
import { loadEnvironment } from '../../lib/config/environment';
import { JobRegistry } from '../../functions/runtime/jobs/registry';
import { Job } from '../../functions/runtime/jobs/job';
import { queues } from '../../functions/app/queues';
import { jobs } from '../../functions/app/jobs';

const ENVIRONMENTS = ['development', 'staging', 'production'] as const;

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
const resources = (t: ReturnType<typeof template>, type: string) =>
  Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

describe.each(ENVIRONMENTS)('jobs stack (%s)', (environment) => {
  const { stacks } = synthesize(environment);
  const t = template(stacks.jobs);
  const plans = planQueues(loadEnvironment(environment));
  const bandCount = plans.reduce((n, p) => n + p.bands.length, 0);

  it('is named for its environment', () => {
    expect(stacks.jobs.stackName).toBe(`xikolo-async-${environment}-jobs`);
  });

  it('has an SQS queue per used priority band of every declared queue, and a dead-letter queue per queue', () => {
    const sqsQueues = resources(t, 'AWS::SQS::Queue');
    // Plus, per Step Functions queue with jobs, the dead-letter queue of its RunEnded rule.
    const runnerQueues = [...stacks.jobs.runners.values()].filter((r) => r.eventsDeadLetterQueue).length;
    expect(sqsQueues).toHaveLength(bandCount + queues.length + runnerQueues);
    const names = sqsQueues.map(([, r]) => r.Properties.QueueName as string).sort();
    for (const q of queues) expect(names).toContain(`xikolo-async-${environment}-jobs-${q.name.replace(/_/g, '-')}-dlq`);
    for (const name of names) expect(name.startsWith(`xikolo-async-${environment}-`)).toBe(true);
  });

  it('encrypts every queue and keeps dead letters 14 days', () => {
    for (const [, r] of resources(t, 'AWS::SQS::Queue')) {
      expect(r.Properties.SqsManagedSseEnabled).toBe(true);
      expect(r.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    }
  });

  it('denies every request to every queue that is not over TLS', () => {
    const queueIds = resources(t, 'AWS::SQS::Queue').map(([id]) => id);
    const policies = resources(t, 'AWS::SQS::QueuePolicy');
    const protectedIds = new Set<string>();
    for (const [, policy] of policies) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      const deny = statements.find((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
      expect(deny).toBeDefined();
      expect(deny!.Action).toBe('sqs:*');
      for (const ref of policy.Properties.Queues as { Ref: string }[]) protectedIds.add(ref.Ref);
    }
    expect([...protectedIds].sort()).toEqual([...queueIds].sort());
  });

  it('dead-letters messages no worker reported on after 5 receives, and keeps the visibility timeout ≥ 6 × the function timeout', () => {
    for (const plan of plans.filter((p) => p.declaration.runner === 'lambda')) {
      for (const { band } of plan.bands) {
        const name = `xikolo-async-${environment}-jobs-${plan.declaration.name}-${band.replace(/_/g, '-')}`;
        t.hasResourceProperties('AWS::SQS::Queue', {
          QueueName: name,
          VisibilityTimeout: plan.functionTimeoutSeconds * 6,
          RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
        });
      }
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `xikolo-async-${environment}-jobs-${plan.declaration.name}-worker`,
        Timeout: plan.functionTimeoutSeconds,
      });
      expect(plan.functionTimeoutSeconds).toBeLessThanOrEqual(900);
    }
  });

  it('runs a worker per Lambda-run queue (a starter and a slice function per Step Functions queue): bundled, Node.js 24 on arm64, traced, with the queue map in their environment', () => {
    const functions = resources(t, 'AWS::Lambda::Function');
    const lambdaQueues = queues.filter((q) => q.runner === 'lambda');
    const stepQueues = queues.filter((q) => q.runner === 'step-functions');
    expect(functions).toHaveLength(lambdaQueues.length + 2 * stepQueues.length);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' } });
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const key of ['XIKOLO_DEDUPLICATION_DAYS', 'XIKOLO_ENV', 'XIKOLO_JOB_LEDGER_TABLE', 'XIKOLO_JOB_QUEUE', 'XIKOLO_JOB_QUEUES']) expect(env).toHaveProperty(key);
      expect(env.XIKOLO_ENV).toBe(environment);
    }
  });

  it('gives each priority band its own event source mapping with its share of the concurrency and partial batch responses', () => {
    const mappings = resources(t, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(bandCount);
    for (const plan of plans) {
      for (const band of plan.bands) {
        t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BatchSize: plan.settings.batchSize,
          ScalingConfig: { MaximumConcurrency: band.maxConcurrency },
        });
        expect(band.maxConcurrency).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('grants least privilege: no action wildcards, no resource wildcards but where AWS allows only "*"', () => {
    for (const [, policy] of resources(t, 'AWS::IAM::Policy')) {
      const statements = (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
      for (const s of statements) {
        const actions = ([] as string[]).concat(s.Action);
        for (const action of actions) {
          expect(action).toMatch(/^(sqs|dynamodb|logs|xray|states|lambda|s3|secretsmanager):[A-Za-z]+$/);
        }
        if (s.Resource === '*') expect(actions.every((a) => a.startsWith('xray:') || /^logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/.test(a))).toBe(true);
      }
    }
  });

  it('lets each job worker consume only its own queue\'s bands', () => {
    for (const [name, worker] of stacks.jobs.workers) {
      const logicalId = (c: IConstruct) => stacks.jobs.getLogicalId(c.node.defaultChild as CfnElement);
      const role = logicalId(worker.function.role!);
      const policy = resources(t, 'AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles).includes(role))!;
      const receives = (policy[1].Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement.filter((s) => ([] as string[]).concat(s.Action).includes('sqs:ReceiveMessage'));
      const resourcesText = JSON.stringify(receives.map((s) => s.Resource));
      const own = [...stacks.jobs.queues.get(name)!.bandQueues.values()].map(logicalId);
      for (const id of own) expect(resourcesText).toContain(id);
      for (const [other, queue] of stacks.jobs.queues) {
        if (other === name) continue;
        for (const q of queue.bandQueues.values()) expect(resourcesText).not.toContain(logicalId(q));
      }
    }
  });

  it('keeps a job ledger table: on demand, encrypted, TTL, point-in-time recovery; deletion protection where data is retained', () => {
    const config = loadEnvironment(environment);
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `xikolo-async-${environment}-job-ledger`,
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: config.retainData })],
    });
  });

  it('writes every cdk-nag acknowledgment with a reason into the template', () => {
    const acknowledged = Object.values(t.toJSON().Resources as Record<string, Resource>)
      .flatMap((r) => ((r.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] })?.rules_to_suppress ?? []));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) expect(ack.reason.length).toBeGreaterThan(40);
  });
});

describe('environments are isolated', () => {
  it('share no resource names', () => {
    const names = ENVIRONMENTS.map((env) => {
      const t = template(synthesize(env).stacks.jobs);
      return new Set(resources(t, 'AWS::SQS::Queue').map(([, r]) => r.Properties.QueueName as string));
    });
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
      expect([...names[i]!].filter((n) => names[j]!.has(n))).toEqual([]);
    }
  });
});

describe('queue topology from the job declarations', () => {
  const config = loadEnvironment('production');
  class Report extends Job<[]> { static { this.configure({ name: 'T::Report', priority: 'reporting', maxRunTime: 60 }); } perform() {} }
  class Visible extends Job<[]> { static { this.configure({ name: 'T::Visible', maxRunTime: 60 }); } perform() {} }
  class Urgent extends Job<[]> { static { this.configure({ name: 'T::Urgent', priority: 3, maxRunTime: 60 }); } perform() {} }

  it('gives a queue only the bands its jobs use, more concurrency to urgent bands, and takes outside jobs on the default band', () => {
    const [plan] = planQueues(config, new JobRegistry([Report, Visible, Urgent]), [{ name: 'default', runner: 'lambda', description: '' }]);
    expect(plan!.bands.map((b) => b.band)).toEqual(['interactive', 'user_visible', 'reporting']);
    expect(plan!.primary).toBe('user_visible');
    const [interactive, visible, reporting] = plan!.bands.map((b) => b.maxConcurrency);
    expect(interactive).toBeGreaterThan(visible!);
    expect(visible).toBeGreaterThan(reporting!);
    // 50 shared 4:3:1.
    expect([interactive, visible, reporting]).toEqual([25, 19, 6]);
  });

  it('falls back to the most urgent used band as primary when no job uses the default band', () => {
    const [plan] = planQueues(config, new JobRegistry([Report]), [{ name: 'default', runner: 'lambda', description: '' }]);
    expect(plan!.primary).toBe('reporting');
  });

  it('rejects a job whose max run time Lambda cannot give, naming the job and the fix', () => {
    class TooLong extends Job<[]> { static { this.configure({ name: 'T::TooLong', maxRunTime: 1200 }); } perform() {} }
    expect(() => planQueues(config, new JobRegistry([TooLong]), queues)).toThrow(JobTopologyError);
    expect(() => planQueues(config, new JobRegistry([TooLong]), queues)).toThrow(
      new RegExp(`job T::TooLong \\(TooLong\\) declares maxRunTime 1200 s on queue "default", run by Lambda, which stops after 900 s: lower maxRunTime to at most ${LAMBDA_JOB_RUN_TIME_LIMIT} s, or move the job to a step-functions queue \\(long_running\\)`),
    );
  });

  it('rejects jobs and retry rules naming queues that do not exist', () => {
    class Lost extends Job<[]> { static { this.configure({ name: 'T::Lost', queue: 'reports', maxRunTime: 60 }); } perform() {} }
    class Hopper extends Job<[]> { static { this.configure({ name: 'T::Hopper', maxRunTime: 60 }); this.retryOn(Error, { queue: 'elsewhere' }); } perform() {} }
    expect(() => planQueues(config, new JobRegistry([Lost, Hopper]), queues)).toThrow(/T::Lost \(Lost\) uses queue "reports", which is not declared[\s\S]*T::Hopper: retryOn\(\[Error\]\) retries on queue "elsewhere"/);
  });

  it('accepts every job the application registers', () => {
    expect(() => planQueues(config, jobs, queues)).not.toThrow();
  });
});
