import { describe, it, expect } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { synthesize, template } from '../support/synth';

describe.each(['development', 'staging', 'production'])('the whole app (%s), as cdk synth builds it with cdk-nag', (environment) => {
  const { stacks, app } = synthesize(environment);

  it('holds the environment\'s isolated stacks', () => {
    const names = app.node.children.filter((c) => 'stackName' in c).map((c) => (c as { stackName: string }).stackName).sort();
    expect(names).toEqual(['cron', 'data', 'jobs', 'messaging'].map((concern) => `xikolo-async-${environment}-${concern}`));
  });

  it('schedules exactly the cron.yml entries of its own section', () => {
    const schedules = Object.values(template(stacks.cron).findResources('AWS::Scheduler::Schedule')) as { Properties: { Name: string; ScheduleExpression: string; GroupName: unknown } }[];
    const found = schedules.map((s) => [s.Properties.Name, s.Properties.ScheduleExpression]).sort();
    if (environment === 'production') {
      expect(found).toEqual([
        ['delete_unconfirmed_accounts', 'cron(0 3 * * ? *)'],
        ['delete_voucher_claimant_ip', 'cron(15 4 * * ? *)'],
        ['sync_videos', 'cron(0 0/2 * * ? *)'],
      ]);
    } else {
      expect(found).toEqual([]);
    }
  });

  it('holds the three job queues with their dead-letter queues', () => {
    expect([...stacks.jobs.queues.keys()].sort()).toEqual(['default', 'long_running', 'mails']);
    for (const queue of stacks.jobs.queues.values()) expect(queue.deadLetterQueue).toBeDefined();
  });

  it('runs every registered long-running job on its own workflow', () => {
    const runner = stacks.jobs.runners.get('long_running')!;
    expect([...runner.stateMachines.keys()]).toContain('Video::SyncVideosJob');
  });
});

describe('consumer functions get the tables their services use, nothing more', () => {
  const { stacks } = synthesize('production');
  const t = template(stacks.messaging);
  const policies = Object.values(t.findResources('AWS::IAM::Policy')) as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
  const tablesOf = (consumer: string) => {
    const fn = stacks.messaging.consumerFunctions().get(consumer)!;
    const roleId = stacks.messaging.getLogicalId(fn.role!.node.defaultChild as CfnElement);
    const statements = policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const dynamo = statements.filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('dynamodb:')));
    return [...new Set(JSON.stringify(dynamo.map((s) => s.Resource)).match(/xikolo-async-production-[a-z]+(?=["/])/g) ?? [])].sort();
  };

  it('news: the news table', () => expect(tablesOf('news')).toEqual(['xikolo-async-production-news']));
  it('gamification: scores and badges, and courses', () => expect(tablesOf('gamification')).toEqual(['xikolo-async-production-courses', 'xikolo-async-production-gamification']));
  it('course: none (it only enqueues the clone job)', () => expect(tablesOf('course')).toEqual([]));
});
