/**
 * Property-based equivalence over generated cron lines (fast-check): every
 * line fugit accepts is either translated to schedules whose union fires at
 * exactly fugit's times, or rejected with a reason; every line fugit rejects
 * is rejected. A second Unix oracle (croner) and a second EventBridge
 * evaluator (aws-cron-parser) check the first ones in UTC.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Cron } from 'croner';
import awsCronParser from 'aws-cron-parser';
import { translateCron, awsField } from '../../lib/cron/translate';
import { awsFireTimes, parseAwsCron } from '../../lib/cron/aws-cron';
import { CronError } from '../../lib/cron/errors';
import { awsUnion, distinct, firstDifference, fugitTimes, wall } from './oracles';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function element(min: number, max: number, names?: readonly string[]): fc.Arbitrary<string> {
  const value = fc.integer({ min, max }).map((v) => (names && v % 3 === 0 ? names[v - min]! : String(v)));
  return fc.oneof(
    { weight: 4, arbitrary: value },
    { weight: 2, arbitrary: fc.tuple(value, value).map(([a, b]) => `${a}-${b}`) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: Math.max(2, Math.min(12, max)) }).map((s) => `*/${s}`) },
    { weight: 1, arbitrary: fc.tuple(value, fc.integer({ min: 2, max: 9 })).map(([a, s]) => `${a}/${s}`) },
    { weight: 1, arbitrary: fc.tuple(value, value, fc.integer({ min: 2, max: 5 })).map(([a, b, s]) => `${a}-${b}/${s}`) },
  );
}

function field(min: number, max: number, names?: readonly string[], star = 3): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: star, arbitrary: fc.constant('*') },
    { weight: 4, arbitrary: fc.array(element(min, max, names), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')) },
  );
}

const domField = fc.oneof(
  { weight: 5, arbitrary: field(1, 31, undefined, 4) },
  { weight: 1, arbitrary: fc.constantFrom('L', 'last', '1,L', '15,L', '-1', '28-L', '-2', '1-7', '8-14', '-7-L') },
);
const dowField = fc.oneof(
  { weight: 5, arbitrary: field(0, 7, [...DAYS, 'sun'], 4) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...DAYS, '0', '5', '7'), fc.constantFrom('#1', '#2', '#5', '#-1', '#L', '#last', '#-2', '%2'))
      .map(([d, h]) => `${d}${h}`),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...DAYS), fc.constantFrom(...DAYS)).map(([a, b]) => `${a},${b}#1`) },
);
const zone = fc.constantFrom('', '', '', ' Europe/Berlin', ' America/Chicago', ' UTC', ' Asia/Kolkata');

/** Lines that fire at most a few times a day, so a year of them stays cheap for fugit. */
const line = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 59 }).map(String), fc.constantFrom('0,30', '15', '59')),
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 23 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('2,14', '22-1', '*/8', '1-3', '24') }),
    domField,
    field(1, 12, MONTHS, 5),
    dowField,
    zone,
  )
  .map(([m, h, dom, mon, dow, z]) => `${m} ${h} ${dom} ${mon} ${dow}${z}`);

const SAMPLE = fc.sample(line, { seed: 20_260_101, numRuns: 100 });
const WINDOW = { start: '2026-01-01 00:00:00', end: '2027-01-01 00:00:00' };
/** fugit walks slowly: each line is compared up to its 300th fire time or the window's end. */
const CAP = 300;
const answers = await fugitTimes(SAMPLE.map((l) => ({ line: l, ...WINDOW, cap: CAP })));

describe('generated lines: translated exactly or rejected with a reason (fugit as oracle)', () => {
  let translated = 0;
  let bothDays = 0;
  SAMPLE.forEach((l, i) => {
    it(JSON.stringify(l), () => {
      const answer = answers[i]!;
      let result: ReturnType<typeof translateCron> | undefined;
      let error: CronError | undefined;
      try {
        result = translateCron(l);
      } catch (err) {
        if (!(err instanceof CronError)) throw err;
        error = err;
      }
      if (!answer.ok) {
        // fugit refuses it: so must we.
        expect(error, `fugit rejects ${l} (${answer.error}) but it was translated`).toBeDefined();
        return;
      }
      if (error) {
        // fugit accepts it: a rejection must say why EventBridge (or fugit's releases) cannot be matched exactly.
        expect(error.message).toContain(JSON.stringify(l));
        expect(error.reason).toMatch(/EventBridge|fugit|releases/);
        return;
      }
      translated++;
      if (result!.spec.monthdays && result!.spec.weekdays) bothDays++;
      const expected = distinct(answer.times).filter((t) => t < wall(WINDOW.end));
      const bound = answer.times.length >= CAP ? Math.max(...answer.times) + 1 : wall(WINDOW.end);
      const actual = awsUnion(result!.schedules, WINDOW.start, WINDOW.end).filter((t) => t < bound);
      if (actual.join() !== expected.join()) {
        throw new Error(`${l}: ${result!.schedules.map((s) => s.expression).join(' + ')}\n${firstDifference(expected, actual)}`);
      }
      expect(actual).toEqual(expected);
    });
  });
  it('covers enough ground: most generated lines translate, many restrict both day fields', () => {
    expect(translated).toBeGreaterThan(SAMPLE.length * 0.5);
    expect(bothDays).toBeGreaterThan(10);
  });
});

describe('second oracles, in UTC', () => {
  it('croner (Unix OR rule) agrees with the translation for plain five-field lines', () => {
    const plain = fc
      .tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }), field(1, 28, undefined, 3), field(1, 12, undefined, 5), field(0, 6, undefined, 3))
      .map(([m, h, dom, mon, dow]) => `${m} ${h} ${dom} ${mon} ${dow}`);
    fc.assert(
      fc.property(plain, (l) => {
        let result;
        try {
          result = translateCron(l);
        } catch (err) {
          if (err instanceof CronError) return true; // wrapping ranges croner reads differently; fugit covers these
          throw err;
        }
        if (/(\d+)-(\d+)/.test(l) && [...l.matchAll(/(\d+)-(\d+)/g)].some((m) => Number(m[1]) > Number(m[2]))) return true;
        if (/(^|[ ,])\d+\/\d+/.test(l)) return true; // croner reads "a/s" in day fields like Vixie cron, fugit differently
        const cron = new Cron(l, { timezone: 'UTC', legacyMode: true });
        const start = new Date(Date.UTC(2026, 0, 1));
        const end = Date.UTC(2027, 0, 1);
        const expected: number[] = [];
        for (let t = cron.nextRun(new Date(start.getTime() - 1000)); t && t.getTime() < end; t = cron.nextRun(t)) expected.push(t.getTime());
        const actual = awsUnion(result.schedules, '2026-01-01 00:00:00', '2027-01-01 00:00:00');
        expect(actual).toEqual(expected);
        return true;
      }),
      { seed: 7, numRuns: 120 },
    );
  });

  it('aws-cron-parser agrees with our EventBridge evaluator on every produced expression', () => {
    const produced = new Set<string>();
    for (const l of SAMPLE) {
      try {
        for (const s of translateCron(l).schedules) produced.add(s.expression);
      } catch {
        // rejected lines produce nothing
      }
    }
    expect(produced.size).toBeGreaterThan(40);
    let compared = 0;
    for (const expression of produced) {
      // aws-cron-parser rolls days a month lacks (30 February) into the next month and then
      // misses that month's own early days; EventBridge fires on neither. Days 29–31 are
      // checked against fugit above instead.
      if ([...(parseAwsCron(expression).monthdays?.days ?? [])].some((d) => d > 28)) continue;
      compared++;
      const ours = awsFireTimes(parseAwsCron(expression), Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1), 400);
      const parsed = awsCronParser.parse(expression.slice(5, -1));
      const theirs: number[] = [];
      for (let t = awsCronParser.next(parsed, new Date(Date.UTC(2026, 0, 1) - 1000)); t && t.getTime() < Date.UTC(2027, 0, 1) && theirs.length < 400; t = awsCronParser.next(parsed, new Date(t.getTime() + 1000))) {
        theirs.push(t.getTime());
      }
      expect(ours, expression).toEqual(theirs);
    }
    expect(compared).toBeGreaterThan(30);
  });
});

describe('building blocks', () => {
  it('awsField writes any value set so that EventBridge reads back exactly that set', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 60 }), (values) => {
        const text = awsField(values, 0, 59);
        const back = parseAwsCron(`cron(${text} 0 * * ? *)`).minutes;
        expect(back).toEqual([...values].sort((a, b) => a - b));
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('never uses "/" in day of week and always leaves exactly one day field "?"', () => {
    for (const l of SAMPLE) {
      let schedules;
      try {
        schedules = translateCron(l).schedules;
      } catch {
        continue;
      }
      for (const s of schedules) {
        const fields = s.expression.slice(5, -1).split(' ');
        expect(fields[4]).not.toContain('/');
        expect([fields[2], fields[4]].filter((f) => f === '?')).toHaveLength(1);
      }
    }
  });
});
