/** `npx xikolo-async cron translate`, run as the installed command is. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'xikolo-async.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('xikolo-async cron translate', () => {
  it('prints exactly {"schedules":[…]} for a translatable line, in UTC by default', () => {
    const r = run('cron', 'translate', '15 4 * * *');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"schedules":[{"expression":"cron(15 4 * * ? *)","timezone":"UTC"}]}\n');
    expect(r.stderr).toBe('');
  });

  it('uses --tz, or the zone written after the expression', () => {
    expect(JSON.parse(run('cron', 'translate', '0 3 * * *', '--tz', 'Europe/Berlin').stdout)).toEqual({ schedules: [{ expression: 'cron(0 3 * * ? *)', timezone: 'Europe/Berlin' }] });
    expect(JSON.parse(run('cron', 'translate', '0 22 * * 1-5 America/Chicago').stdout)).toEqual({ schedules: [{ expression: 'cron(0 22 ? * 2-6 *)', timezone: 'America/Chicago' }] });
  });

  it('prints several schedules for both day fields, and the likely-mistake warning on stderr', () => {
    const r = run('cron', 'translate', '0 10 1-7 * 1');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      schedules: [
        { expression: 'cron(0 10 1-7 * ? *)', timezone: 'UTC' },
        { expression: 'cron(0 10 ? * 2 *)', timezone: 'UTC' },
      ],
    });
    expect(r.stderr).toMatch(/warning: .*EITHER.*"mon#1"/);
  });

  it('exits non-zero with the expression and the reason on stderr when it cannot translate exactly', () => {
    const r = run('cron', 'translate', '*/30 * * * * *');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('"*/30 * * * * *"');
    expect(r.stderr).toMatch(/at most once a minute/);
  });

  it('has --help at every level and exits 2 on a usage mistake', () => {
    expect(run('--help').stdout).toMatch(/Commands:\n {2}cron/);
    expect(run('cron', '--help').stdout).toMatch(/translate/);
    expect(run('cron', 'translate', '--help').stdout).toMatch(/--tz <IANA zone>/);
    const missing = run('cron', 'translate');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/give the cron expression/);
    expect(run('nope').status).toBe(2);
    expect(run('cron', 'translate', '0 3 * * *', '--tz', 'Mars/Base').status).toBe(1);
  });
});
