/**
 * Equivalence, not string comparison: for each line, the local fire times
 * fugit (sidekiq-cron's parser) computes equal the union of the fire times of
 * the EventBridge expressions it translates to, over a year or more (shorter
 * windows for lines that fire every few minutes), in its time zone.
 */
import { describe, expect, it } from 'vitest';
import { translateCron } from '../../lib/cron/translate';
import { CronError } from '../../lib/cron/errors';
import { awsUnion, distinct, firstDifference, fugitTimes, show, wall, type FugitRequest } from './oracles';

interface Case {
  readonly line: string;
  readonly start?: string;
  readonly end?: string;
  /** Given as --tz instead of in the line (fugit is asked with the zone appended). */
  readonly tz?: string;
  /** Expected number of EventBridge schedules. */
  readonly schedules?: number;
}

const YEAR = { start: '2026-01-01 00:00:00', end: '2027-01-01 00:00:00' };

const CASES: Case[] = [
  // the seed's entries
  { line: '15 4 * * *', schedules: 1 },
  { line: '0 */2 * * *', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00', schedules: 1 },
  { line: '0 3 * * *', schedules: 1 },
  // minutes and hours: every form
  { line: '* * * * *', start: '2026-03-01 00:00:00', end: '2026-03-03 00:00:00' },
  { line: '*/5 * * * *', start: '2026-03-01 00:00:00', end: '2026-03-11 00:00:00' },
  { line: '5/15 * * * *', start: '2026-03-01 00:00:00', end: '2026-03-11 00:00:00' },
  { line: '7,19,59 3-5 * * *', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '50-10 8 * * *', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '0-30/10 9 * * *', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '0 22-2 * * *', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '0 22-2/2 * * *', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '0 24 * * *' },
  { line: '0 9-17 * * 1-5', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '0 0 15/30 * *' },
  { line: '0 0 28-3 * *' },
  // months and names
  { line: '0 0 * JAN-MAR/2 *' },
  { line: '0 0 1 jan,Jul *' },
  { line: '0 6 1 11-2 *' },
  // day of week: numbering, names, ranges, steps
  { line: '0 0 * * 0', schedules: 1 },
  { line: '0 0 * * 7', schedules: 1 },
  { line: '0 0 * * 0-7' },
  { line: '0 0 * * 1-5' },
  { line: '0 0 * * 5-2' },
  { line: '0 0 * * */2' },
  { line: '0 0 * * 1-6/2' },
  { line: '0 0 * * 1/2' },
  { line: '0 0 * * MON-FRI' },
  { line: '0 0 * * mon,wed,FRI' },
  { line: '0 0 * * sun,7,0' },
  { line: '0 0 * * *,2' },
  // both day fields restricted: Unix's OR
  { line: '30 4 1,15 * 5', schedules: 2 },
  { line: '0 10 1-7 * 1', schedules: 2 },
  { line: '0 0 13 * fri', schedules: 2 },
  { line: '0 0 */2 * 1', schedules: 2 },
  { line: '0 0 */1 * 1', schedules: 1 },
  { line: '0 0 1 * */1', schedules: 1 },
  { line: '0 0 L * 5', schedules: 2 },
  { line: '0 0 1,L * 0,6', schedules: 3 },
  { line: '0 0 1-7 * mon#1', schedules: 2 },
  { line: '0 0 15 * mon#1,fri#L', schedules: 3 },
  { line: '0 0 31 2,3 mon', schedules: 2 },
  // month ends and leap years
  { line: '0 0 31 * *' },
  { line: '0 0 29,30,31 * *' },
  { line: '0 0 L * *', schedules: 1 },
  { line: '0 0 last * *', schedules: 1 },
  { line: '0 0 1,L * *', schedules: 2 },
  { line: '0 0 30,L * *', schedules: 2 },
  { line: '0 0 5-L * *' },
  { line: '0 0 29 2 *', start: '2024-01-01 00:00:00', end: '2033-01-01 00:00:00' },
  { line: '0 0 L 2 *', start: '2027-01-01 00:00:00', end: '2030-01-01 00:00:00' },
  { line: '0 0 29 2 1', start: '2027-01-01 00:00:00', end: '2030-01-01 00:00:00', schedules: 2 },
  { line: '0 12 * 2 *', start: '2028-01-01 00:00:00', end: '2029-01-01 00:00:00' },
  // n-th weekdays
  { line: '0 0 * * mon#1', schedules: 1 },
  { line: '0 0 * * thu#5', start: '2026-01-01 00:00:00', end: '2028-01-01 00:00:00' },
  { line: '0 0 * * fri#-1', schedules: 1 },
  { line: '0 0 * * fri#L', schedules: 1 },
  { line: '0 0 * * 5#last', schedules: 1 },
  { line: '0 0 * * mon#1,fri#-1', schedules: 2 },
  { line: '0 0 * * mon,mon#2', schedules: 1 },
  { line: '0 0 * * mon#2,tue', schedules: 2 },
  // specials and seconds
  { line: '@yearly', start: '2026-01-01 00:00:00', end: '2030-01-01 00:00:00' },
  { line: '@annually', start: '2026-01-01 00:00:00', end: '2030-01-01 00:00:00' },
  { line: '@monthly' },
  { line: '@weekly' },
  { line: '@daily' },
  { line: '@midnight' },
  { line: '@noon' },
  { line: '@hourly', start: '2026-03-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '0 15 4 * * *' },
  { line: '0 0 0 * * MON' },
  { line: '0 30 9 * * mon-fri Europe/Berlin' },
  { line: '0 0 */6 * * *', start: '2026-01-01 00:00:00', end: '2026-04-01 00:00:00' },
  { line: '  0 3 * * *  ' },
  // time zones across daylight-saving changes
  { line: '30 2 * * * Europe/Berlin' },
  { line: '0 2 * * * Europe/Berlin' },
  { line: '0 3 * * * Europe/Berlin' },
  { line: '*/30 1-3 * * * Europe/Berlin', start: '2026-03-20 00:00:00', end: '2026-04-05 00:00:00' },
  { line: '*/30 1-3 * * * Europe/Berlin', start: '2026-10-20 00:00:00', end: '2026-11-05 00:00:00' },
  { line: '0 * * * * Europe/Berlin', start: '2026-03-25 00:00:00', end: '2026-04-02 00:00:00' },
  { line: '0 1 * * * America/Chicago' },
  { line: '30 1 * * 0 America/Chicago' },
  { line: '0 2 * * 0 America/Chicago' },
  { line: '0 22 * * 1-5 America/Chicago' },
  { line: '0 * * * * America/Chicago', start: '2026-03-05 00:00:00', end: '2026-03-12 00:00:00' },
  { line: '0 * * * * America/Chicago', start: '2026-10-29 00:00:00', end: '2026-11-05 00:00:00' },
  { line: '30 4 1,15 * 5 America/Chicago', schedules: 2 },
  { line: '0 0 L * * Asia/Tokyo' },
  { line: '@daily Europe/Berlin' },
  { line: '0 2 * * *', tz: 'Europe/Berlin' },
  { line: '15 1 * * 1-5', tz: 'America/Chicago' },
];

// fugit 1.5 (Debian's) does not strip surrounding blanks as fugit ≥ 1.6 does: ask it the stripped line.
const requests: FugitRequest[] = CASES.map((c) => ({
  line: c.tz ? `${c.line.trim()} ${c.tz}` : c.line.trim(),
  start: c.start ?? YEAR.start,
  end: c.end ?? YEAR.end,
  cap: 20_000,
}));
const answers = await fugitTimes(
  // fugit 1.5 (Debian's) does not read a zone after a special; ask it with the fields spelled out.
  requests.map((r) => (r.line === '@daily Europe/Berlin' ? { ...r, line: '0 0 * * * Europe/Berlin' } : r)),
);

describe('fugit fire times = union of the translated EventBridge schedules', () => {
  CASES.forEach((c, i) => {
    const request = requests[i]!;
    it(`${JSON.stringify(c.line)}${c.tz ? ` --tz ${c.tz}` : ''} (${request.start.slice(0, 10)} → ${request.end.slice(0, 10)})`, () => {
      const answer = answers[i]!;
      if (!answer.ok) throw new Error(`fugit rejects ${request.line}: ${answer.error}`);
      const translation = translateCron(c.line, c.tz ? { timezone: c.tz } : {});
      if (c.schedules !== undefined) expect(translation.schedules).toHaveLength(c.schedules);
      expect(translation.schedules.every((s) => s.timezone === answer.zone)).toBe(true);
      const expected = distinct(answer.times);
      expect(expected.length, 'fugit found no fire time in the window: widen it').toBeGreaterThan(0);
      expect(answer.times.length, 'fugit stopped at the cap: shorten the window').toBeLessThan(20_000);
      const actual = awsUnion(translation.schedules, request.start, request.end);
      if (actual.join() !== expected.join()) {
        throw new Error(`${c.line}: ${translation.schedules.map((s) => s.expression).join(' + ')}\n${firstDifference(expected, actual)}`);
      }
      expect(actual).toEqual(expected);
    });
  });
});

describe('daylight saving: what Scheduler and fugit do differently', () => {
  it('both skip local times a spring-forward gap removes (Europe/Berlin, 2026-03-29 02:30)', () => {
    const i = CASES.findIndex((c) => c.line === '30 2 * * * Europe/Berlin');
    const answer = answers[i]!;
    if (!answer.ok) throw new Error(answer.error);
    expect(answer.times).not.toContain(wall('2026-03-29 02:30:00'));
    expect(answer.times).toContain(wall('2026-03-30 02:30:00'));
    expect(awsUnion(translateCron(CASES[i]!.line).schedules, '2026-03-29 00:00:00', '2026-03-30 00:00:00')).toEqual([]);
  });

  it('in a fall-back overlap fugit repeats sub-hourly times, Scheduler fires each local time once (documented in docs/cron.md)', () => {
    const i = CASES.findIndex((c) => c.line === '*/30 1-3 * * * Europe/Berlin' && c.start?.startsWith('2026-10'));
    const answer = answers[i]!;
    if (!answer.ok) throw new Error(answer.error);
    const seen = new Map<number, number>();
    for (const t of answer.times) seen.set(t, (seen.get(t) ?? 0) + 1);
    const repeated = [...seen].filter(([, n]) => n > 1).map(([t]) => t);
    expect(show(repeated)).toBe('2026-10-25 02:00, 2026-10-25 02:30');
    const aws = awsUnion(translateCron(CASES[i]!.line).schedules, '2026-10-25 00:00:00', '2026-10-26 00:00:00');
    expect(aws.filter((t) => t === wall('2026-10-25 02:00:00'))).toHaveLength(1);
  });
});

interface Rejection {
  readonly line: string;
  /** What fugit itself does with it. */
  readonly fugit: 'accepts' | 'rejects';
  /** Words the reason must contain. */
  readonly reason: RegExp;
}

const REJECTIONS: Rejection[] = [
  { line: '*/30 * * * * *', fugit: 'accepts', reason: /at most once a minute/ },
  { line: '30 0 4 * * *', fugit: 'accepts', reason: /second\(s\) 30/ },
  { line: '0 0 * * sun%2', fugit: 'accepts', reason: /cannot count weeks/ },
  { line: '0 0 * * mon%3+1', fugit: 'accepts', reason: /cannot count weeks/ },
  { line: '0 0 -2 * *', fugit: 'accepts', reason: /only L, the last day/ },
  { line: '0 0 -7-L * *', fugit: 'accepts', reason: /only L, the last day/ },
  { line: '0 0 * * mon#-2', fugit: 'accepts', reason: /only the last one/ },
  { line: '0 0 * * * +09:00', fugit: 'accepts', reason: /IANA zone name/ },
  { line: 'every day at five', fugit: 'accepts', reason: /natural-language/ },
  { line: 'every 3 hours', fugit: 'accepts', reason: /natural-language/ },
  { line: '0 0 1-31 * 1', fugit: 'accepts', reason: /fugit 1\.5 reads that as every day/ },
  { line: '0 0 * * mon#1,mon#3', fugit: 'accepts', reason: /several # or % entries/ },
  { line: '0 0 * * 5-2/2', fugit: 'accepts', reason: /wrapping range with a step/ },
  { line: '0 0 30 2 *', fugit: 'rejects', reason: /never fires/ },
  { line: '0 0 31 4,6 *', fugit: 'rejects', reason: /never fires/ },
  { line: '0 0 L-2 * *', fugit: 'rejects', reason: /mixes a day counted from the start/ },
  { line: '61 * * * *', fugit: 'rejects', reason: /out of range/ },
  { line: '0 25 * * *', fugit: 'rejects', reason: /out of range/ },
  { line: '0 0 * * 8', fugit: 'rejects', reason: /not a day of week/ },
  { line: '0 0 * * monday', fugit: 'rejects', reason: /three-letter names/ },
  { line: '0 0 * 13 *', fugit: 'rejects', reason: /out of range/ },
  { line: '0 0 * foo *', fugit: 'rejects', reason: /month name/ },
  { line: '0 0 1 * ?', fugit: 'rejects', reason: /"\?"/ },
  { line: '*/0 * * * *', fugit: 'rejects', reason: /at least 1/ },
  { line: '@reboot', fugit: 'rejects', reason: /boots/ },
  { line: '0 0 * *', fugit: 'rejects', reason: /has 4 fields/ },
  { line: '0 0 * * * Mars/Olympus', fugit: 'rejects', reason: /not a known IANA time zone/ },
  { line: '0 0 * * mon-fri#1', fugit: 'rejects', reason: /"#" takes one day/ },
  { line: '0 0 1,,2 * *', fugit: 'rejects', reason: /empty list element/ },
];

const rejectionAnswers = await fugitTimes(REJECTIONS.map((r) => ({ line: r.line, start: YEAR.start, end: '2026-02-01 00:00:00', cap: 10 })));

describe('rejected with the expression and the reason, never translated inexactly', () => {
  REJECTIONS.forEach((r, i) => {
    it(`${JSON.stringify(r.line)} (fugit ${r.fugit} it)`, () => {
      expect(rejectionAnswers[i]!.ok).toBe(r.fugit === 'accepts');
      let error: unknown;
      try {
        translateCron(r.line);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CronError);
      const e = error as CronError;
      expect(e.expression).toBe(r.line);
      expect(e.message).toContain(JSON.stringify(r.line));
      expect(e.reason).toMatch(r.reason);
      if (r.fugit === 'rejects') expect(e.kind).toBe('syntax');
    });
  });
});
