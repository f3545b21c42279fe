import { describe, it, expect } from 'vitest';
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
