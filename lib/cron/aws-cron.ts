/**
 * EventBridge Scheduler's `cron(minutes hours day-of-month month day-of-week year)`:
 * a strict parser and an exact evaluator of its wall-clock fire times.
 *
 * The translator checks every expression it produces with this parser, and
 * the tests use the evaluator (cross-checked against npm aws-cron-parser) to
 * compare fire times with fugit's.
 *
 * Covered: `* , - /` in minutes, hours, day-of-month, month and year;
 * `?`; `L` in day-of-month; `L`, `nL` and `n#k` in day-of-week (1–7 = SUN–SAT,
 * no `/`); names JAN–DEC and SUN–SAT. `W` is not used by this project and is
 * rejected.
 */

export interface AwsCron {
  readonly expression: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** null when day-of-month is `?`. */
  readonly monthdays: { readonly days: ReadonlySet<number>; readonly last: boolean } | null;
  readonly months: ReadonlySet<number>;
  /** null when day-of-week is `?`; `nth` 1–5 = `#n`, -1 = `L`. */
  readonly weekdays: { readonly plain: ReadonlySet<number>; readonly special: readonly { day: number; nth: number }[] } | null;
  readonly years: ReadonlySet<number> | null;
}

export class AwsCronError extends Error {
  override readonly name = 'AwsCronError';
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`${expression}: ${reason}`);
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function numbers(expr: string, label: string, text: string, min: number, max: number, names?: readonly string[], allowStep = true): Set<number> {
  const out = new Set<number>();
  const value = (t: string): number => {
    const upper = t.toUpperCase();
    const named = names ? names.indexOf(upper) : -1;
    const n = named >= 0 ? named + min : /^\d+$/.test(t) ? Number(t) : Number.NaN;
    if (!(n >= min && n <= max)) throw new AwsCronError(expr, `${label}: "${t}" is not a value between ${min} and ${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [rangeText, stepText, extra] = part.split('/');
    if (extra !== undefined) throw new AwsCronError(expr, `${label}: "${part}" has two steps`);
    if (stepText !== undefined && !allowStep) throw new AwsCronError(expr, `${label}: "/" is not allowed here`);
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : Number.NaN;
    if (Number.isNaN(step)) throw new AwsCronError(expr, `${label}: step "${stepText}" must be a positive number`);
    let a: number;
    let z: number;
    if (rangeText === '*') [a, z] = [min, max];
    else if (rangeText!.includes('-')) {
      const [x, y] = rangeText!.split('-');
      [a, z] = [value(x!), value(y!)];
      if (a > z) throw new AwsCronError(expr, `${label}: range "${rangeText}" runs backwards`);
    } else {
      a = value(rangeText!);
      z = stepText === undefined ? a : max;
    }
    for (let v = a; v <= z; v += step) out.add(v);
  }
  return out;
}

/** Parses `cron(...)`; throws AwsCronError naming what EventBridge would refuse. */
export function parseAwsCron(expression: string): AwsCron {
  const m = /^cron\((.*)\)$/.exec(expression);
  if (!m) throw new AwsCronError(expression, 'must be cron(minutes hours day-of-month month day-of-week year)');
  const fields = m[1]!.split(' ');
  if (fields.length !== 6) throw new AwsCronError(expression, `has ${fields.length} fields, EventBridge needs 6`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) throw new AwsCronError(expression, 'exactly one of day-of-month and day-of-week must be "?"');
  let monthdays: AwsCron['monthdays'] = null;
  if (dom !== '?') {
    if (/W/i.test(dom)) throw new AwsCronError(expression, 'W (nearest weekday) is not supported here');
    if (dom === 'L') monthdays = { days: new Set(), last: true };
    else monthdays = { days: numbers(expression, 'day-of-month', dom, 1, 31), last: false };
  }
  let weekdays: AwsCron['weekdays'] = null;
  if (dow !== '?') {
    const hash = /^([1-7]|[A-Za-z]{3})#([1-5])$/.exec(dow);
    const last = /^([1-7]|[A-Za-z]{3})?L$/.exec(dow);
    const dayOf = (t: string) => [...numbers(expression, 'day-of-week', t, 1, 7, DAYS, false)][0]!;
    if (hash) weekdays = { plain: new Set(), special: [{ day: dayOf(hash[1]!), nth: Number(hash[2]) }] };
    else if (last) weekdays = { plain: new Set(), special: [{ day: last[1] ? dayOf(last[1]) : 7, nth: -1 }] };
    else if (/[#L]/.test(dow)) throw new AwsCronError(expression, `day-of-week "${dow}": # and L take a single day`);
    else weekdays = { plain: numbers(expression, 'day-of-week', dow, 1, 7, DAYS, false), special: [] };
  }
  const parsed: AwsCron = {
    expression,
    minutes: [...numbers(expression, 'minutes', min, 0, 59)].sort((a, b) => a - b),
    hours: [...numbers(expression, 'hours', hour, 0, 23)].sort((a, b) => a - b),
    monthdays,
    months: numbers(expression, 'month', month, 1, 12, MONTHS),
    weekdays,
    years: year === '*' ? null : numbers(expression, 'year', year, 1970, 2199),
  };
  return parsed;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether the expression's day part (year, month, day-of-month, day-of-week) matches a date. */
export function awsMatchesDay(cron: AwsCron, year: number, month: number, day: number): boolean {
  if (cron.years && !cron.years.has(year)) return false;
  if (!cron.months.has(month)) return false;
  const last = daysInMonth(year, month);
  if (day > last) return false;
  if (cron.monthdays) return cron.monthdays.last ? day === last : cron.monthdays.days.has(day);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
  const w = cron.weekdays!;
  if (w.plain.has(weekday)) return true;
  return w.special.some((s) => s.day === weekday && (s.nth > 0 ? Math.ceil(day / 7) === s.nth : day + 7 > last));
}

/**
 * Wall-clock fire times (ms read as UTC) in [start, end), in order. Scheduler
 * skips those a daylight-saving gap removes and fires once in an overlap:
 * filter with wallClockExists() for a zone.
 */
export function awsFireTimes(cron: AwsCron, start: number, end: number, cap = Number.POSITIVE_INFINITY): number[] {
  const out: number[] = [];
  const first = new Date(start);
  for (let d = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()); d < end; d += 86_400_000) {
    const date = new Date(d);
    if (!awsMatchesDay(cron, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    for (const h of cron.hours) {
      for (const mi of cron.minutes) {
        const t = d + (h * 60 + mi) * 60_000;
        if (t >= start && t < end) out.push(t);
        if (out.length >= cap) return out;
      }
    }
  }
  return out;
}
