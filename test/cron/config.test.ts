/** config/cron.yml: loading, validation errors that name file, entry, problem and fix, and the schedules' envelope. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCronEntries } from '../../lib/cron/config';
import { cronEnvelope, cronSendMessage } from '../../lib/cron/target';
import { ConfigErrors } from '../../lib/config/errors';
import { decodeEnvelope, ACTIVE_JOB_CLASS_ATTRIBUTE } from '../../functions/runtime/jobs/serialization';
import { ATTRIBUTES, WIRE_VERSION } from '../../functions/runtime/jobs/enqueue';
import { seedRegistry } from './seed-jobs';

const dir = mkdtempSync(join(tmpdir(), 'xa-cron-config-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `cron-${++n}.yml`);
  writeFileSync(path, text);
  return path;
}
const ENVIRONMENTS = ['development', 'staging', 'production'];
const load = (environment: string, path: string, onWarning?: (w: string) => void) =>
  loadCronEntries(environment, { file: path, jobs: seedRegistry(), environments: ENVIRONMENTS, ...(onWarning ? { onWarning } : {}) });

function problems(environment: string, path: string): string[] {
  try {
    load(environment, path);
  } catch (err) {
    if (err instanceof ConfigErrors) return err.errors.map((e) => e.message);
    throw err;
  }
  throw new Error('expected configuration errors');
}

describe('the project config/cron.yml', () => {
  it('holds the seed three production entries, translated exactly, and nothing for development and staging', () => {
    const production = loadCronEntries('production', { jobs: seedRegistry() });
    expect(production.map((e) => [e.name, e.cron, e.className, e.queue, e.translation.schedules.map((s) => `${s.expression} ${s.timezone}`)])).toEqual([
      ['delete_voucher_claimant_ip', '15 4 * * *', 'Voucher::DeleteClaimantIPJob', 'default', ['cron(15 4 * * ? *) UTC']],
      ['sync_videos', '0 */2 * * *', 'Video::SyncVideosJob', 'long_running', ['cron(0 0/2 * * ? *) UTC']],
      ['delete_unconfirmed_accounts', '0 3 * * *', 'UnconfirmedAccountsDeletionWorker', 'default', ['cron(0 3 * * ? *) UTC']],
    ]);
    expect(loadCronEntries('development', { jobs: seedRegistry() })).toEqual([]);
    expect(loadCronEntries('staging', { jobs: seedRegistry() })).toEqual([]);
  });
});

describe('loading', () => {
  it('reads an absent file, an absent section and an empty section as no schedules', () => {
    expect(load('production', join(dir, 'missing.yml'))).toEqual([]);
    expect(load('staging', file('production:\n  a: {cron: "0 3 * * *", class: UnconfirmedAccountsDeletionWorker}\n'))).toEqual([]);
    expect(load('staging', file('staging:\n'))).toEqual([]);
    expect(load('staging', file('staging: {}\n'))).toEqual([]);
  });

  it('takes the time zone from the expression, args, description, status and the job queue when queue is absent', () => {
    const [entry] = load(
      'staging',
      file(`staging:
  sync:
    cron: "0 22 * * 1-5 America/Chicago"
    class: Video::SyncVideosJob
    args: [{provider: vimeo, full: true}]
    description: Nightly sync
    status: disabled
`),
    );
    expect(entry!.queue).toBe('long_running');
    expect(entry!.enabled).toBe(false);
    expect(entry!.description).toBe('Nightly sync');
    // As ActiveJob serializes a Hash whose keys are strings (YAML's): with an empty _aj_symbol_keys.
    expect(entry!.arguments).toEqual([{ provider: 'vimeo', full: true, _aj_symbol_keys: [] }]);
    expect(entry!.translation.schedules).toEqual([{ expression: 'cron(0 22 ? * 2-6 *)', timezone: 'America/Chicago' }]);
  });

  it('passes warnings about likely mistakes on, naming file and entry, without changing the meaning', () => {
    const warnings: string[] = [];
    const [entry] = load('production', file('production:\n  monthly:\n    cron: "0 10 1-7 * 1"\n    class: Reports::MonthlyJob\n'), (w) => warnings.push(w));
    expect(entry!.translation.schedules.map((s) => s.expression)).toEqual(['cron(0 10 1-7 * ? *)', 'cron(0 10 ? * 2 *)']);
    expect(warnings.join('\n')).toMatch(/cron-\d+\.yml: production\.monthly\.cron: .*EITHER.*mon#1/);
  });
});

describe('configuration errors name the file, the entry, the problem and the fix', () => {
  it.each([
    ['an unknown class', 'production:\n  x: {cron: "0 3 * * *", class: NoSuchJob}\n', /production\.x\.class.*"NoSuchJob" is not a known job: register the class in functions\/app\/jobs/],
    ['a queue that does not exist', 'production:\n  x: {cron: "0 3 * * *", class: UnconfirmedAccountsDeletionWorker, queue: nightly}\n', /production\.x\.queue.*"nightly" is not a queue: use one of default, mails, long_running/],
    ['a bad expression', 'production:\n  x: {cron: "0 3 * * sun%2", class: UnconfirmedAccountsDeletionWorker}\n', /production\.x\.cron.*"0 3 \* \* sun%2".*cannot count weeks/],
    ['seconds other than 0', 'production:\n  x: {cron: "*/30 * * * * *", class: UnconfirmedAccountsDeletionWorker}\n', /production\.x\.cron.*at most once a minute/],
    ['a missing cron', 'production:\n  x: {class: UnconfirmedAccountsDeletionWorker}\n', /production\.x\.cron.*is required/],
    ['a missing class', 'production:\n  x: {cron: "0 3 * * *"}\n', /production\.x\.class.*is required/],
    ['an unknown key', 'production:\n  x: {cron: "0 3 * * *", class: UnconfirmedAccountsDeletionWorker, qeue: default}\n', /production\.x\.qeue.*unknown key.*fix the spelling/],
    ['an unsupported sidekiq-cron key', 'production:\n  x: {cron: "0 3 * * *", class: UnconfirmedAccountsDeletionWorker, date_as_argument: true}\n', /production\.x\.date_as_argument.*enqueued_at/],
    ['an unknown environment section', 'prodution:\n  x: {cron: "0 3 * * *", class: UnconfirmedAccountsDeletionWorker}\n', /key "prodution".*is not an environment: use one of development, staging, production/],
    ['an entry name Scheduler cannot take', 'production:\n  "nightly job": {cron: "0 3 * * *", class: UnconfirmedAccountsDeletionWorker}\n', /production\.nightly job.*rename the entry/],
    ['schedules that coincide for a job without deduplication', 'production:\n  x: {cron: "30 4 1,15 * 5", class: UnconfirmedAccountsDeletionWorker}\n', /production\.x\.cron.*both fire on some days.*declare deduplicate: true/],
  ])('%s', (_, text, pattern) => {
    const path = file(text);
    const messages = problems('production', path);
    expect(messages.some((m) => m.startsWith(path.replace(/^\//, '/')) || m.includes(path.split('/').pop()!))).toBe(true);
    expect(messages.join('\n')).toMatch(pattern);
  });

  it('a duplicate entry name', () => {
    const path = file('production:\n  x: {cron: "0 3 * * *", class: UnconfirmedAccountsDeletionWorker}\n  x: {cron: "0 4 * * *", class: UnconfirmedAccountsDeletionWorker}\n');
    expect(problems('production', path).join('\n')).toMatch(/unique.*rename or remove one/);
  });

  it('reports every problem of the section at once', () => {
    const path = file('production:\n  a: {cron: "61 * * * *", class: UnconfirmedAccountsDeletionWorker}\n  b: {cron: "0 3 * * *", class: Nope}\n');
    expect(problems('production', path)).toHaveLength(2);
  });

  it('accepts coinciding schedules for a job that deduplicates', () => {
    const [entry] = load('production', file('production:\n  x: {cron: "30 4 1,15 * 5", class: Reports::MonthlyJob}\n'));
    expect(entry!.translation.overlapping).toBe(true);
  });
});

describe('the envelope a run sends', () => {
  const [entry] = load('production', file('production:\n  x:\n    cron: "30 4 1,15 * 5"\n    class: Reports::MonthlyJob\n    args: [2026, {kind: full}]\n'));

  it('is an ActiveJob envelope the worker decodes, with the scheduled time as enqueued_at', () => {
    const body = cronSendMessage('production', entry!).MessageBody.replaceAll('<aws.scheduler.scheduled-time>', '2026-05-01T04:30:00Z');
    expect(decodeEnvelope(body)).toMatchObject({
      job_class: 'Reports::MonthlyJob',
      job_id: 'cron-production-x-2026-05-01T04:30:00Z',
      queue_name: 'default',
      priority: 30,
      arguments: [2026, { kind: 'full', _aj_symbol_keys: [] }],
      enqueued_at: '2026-05-01T04:30:00Z',
    });
  });

  it('gives each run its own job id, the same id to a retried run and to every schedule of the entry at one time', () => {
    const id = (time: string) => cronEnvelope('production', entry!).job_id.replace('<aws.scheduler.scheduled-time>', time);
    expect(id('2026-05-01T04:30:00Z')).not.toBe(id('2026-05-08T04:30:00Z'));
    expect(cronEnvelope('production', entry!).job_id).not.toContain('execution-id');
    expect(entry!.translation.schedules).toHaveLength(2);
    expect(cronEnvelope('staging', entry!).job_id).not.toBe(cronEnvelope('production', entry!).job_id);
  });

  it('sets the message attributes AWS ActiveJob adapter sets', () => {
    expect(cronSendMessage('production', entry!).MessageAttributes).toEqual({
      [ACTIVE_JOB_CLASS_ATTRIBUTE]: { DataType: 'String', StringValue: 'Reports::MonthlyJob' },
      [ATTRIBUTES.version]: { DataType: 'String', StringValue: WIRE_VERSION },
    });
  });
});
