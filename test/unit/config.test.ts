import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment, environmentNames } from '../../lib/config/environment';
import { ConfigError, ConfigErrors } from '../../lib/config/errors';

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'xa-config-'));
  mkdirSync(join(dir, 'environments'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'environments', `${name}.yml`), text);
  return dir;
}

function problems(dir: string, name: string): string {
  try {
    loadEnvironment(name, dir);
  } catch (err) {
    expect(err instanceof ConfigError || err instanceof ConfigErrors).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('environment configuration', () => {
  it('loads the three shipped environments', () => {
    expect(environmentNames()).toEqual(['development', 'production', 'staging']);
    const production = loadEnvironment('production');
    expect(production).toMatchObject({ name: 'production', region: 'eu-central-1', messaging: 'eventbridge', retainData: true, features: { 'gamification.enabled': false } });
    expect(production.jobs.queues.default).toEqual({ concurrency: 50, batchSize: 10, memoryMb: 1024 });
    expect(loadEnvironment('development').retainData).toBe(false);
  });

  it('fills defaults for an empty file', () => {
    const dir = configDir({ sandbox: '' });
    expect(loadEnvironment('sandbox', dir)).toMatchObject({ messaging: 'eventbridge', features: {}, logRetentionDays: 30, retainData: false, jobs: { queues: {}, deduplicationDays: 14 } });
  });

  it('names file, key and what is allowed for a bad value', () => {
    const dir = configDir({ bad: 'messaging: kafka\njobs:\n  queues:\n    default: { concurrency: 1 }\n' });
    const message = problems(dir, 'bad');
    expect(message).toContain('bad.yml: key "messaging": must be one of "eventbridge", "amazonmq"');
    expect(message).toMatch(/bad\.yml: key "jobs\.queues\.default\.concurrency": .*(>=|≥) ?2/);
  });

  it('rejects unknown keys and unknown queues', () => {
    const dir = configDir({ typo: 'regoin: eu-west-1\njobs:\n  queues:\n    reports: { concurrency: 4 }\n' });
    const message = problems(dir, 'typo');
    expect(message).toContain('typo.yml: unknown key(s) "regoin"');
    expect(message).toContain('key "jobs.queues": unknown key(s) "reports"');
  });

  it('checks account and region formats', () => {
    const dir = configDir({ acct: 'account: "12345"\nregion: Frankfurt\n' });
    const message = problems(dir, 'acct');
    expect(message).toContain('key "account": must be a 12-digit AWS account id');
    expect(message).toContain('key "region": must be an AWS region such as eu-central-1');
  });

  it('says which environments exist when asked for a missing one', () => {
    const dir = configDir({ one: '' });
    expect(problems(dir, 'two')).toMatch(/no such environment "two": create the file, or pass one of one with -c env=<name>/);
  });

  it('reports YAML syntax errors with the file', () => {
    const dir = configDir({ broken: 'jobs: [\n' });
    expect(problems(dir, 'broken')).toMatch(/broken\.yml: is not valid YAML/);
  });

  it('rejects environment names that would make bad resource names', () => {
    expect(problems(configDir({}), 'Prod_1')).toMatch(/environment name "Prod_1" is not allowed/);
  });
});
