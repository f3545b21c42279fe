/**
 * Exact translation of a sidekiq-cron line (fugit's reading) into EventBridge
 * Scheduler cron expressions whose union fires at exactly the same local
 * times, in the same time zone.
 *
 * - Day of week 0–7 (0 and 7 Sunday) becomes 1–7; steps in day of week are
 *   expanded into lists (EventBridge forbids `/` there).
 * - Unix's rule that restricting both day of month and day of week fires when
 *   EITHER matches becomes several schedules (EventBridge needs one of the two
 *   to be `?`): one for the days of month, one for the plain days of week, one
 *   per `#n` / last-weekday entry. On days that match more than one of them,
 *   each would fire: such a translation is flagged `overlapping` and the
 *   enqueues carry the same job id (see lib/cron/target.ts), which the job
 *   ledger deduplicates for jobs that declare `deduplicate: true`.
 * - `L`/`last`, `mon#1`…`mon#5`, `fri#-1`/`fri#L` map to `L`, `2#1`, `6L`.
 * - Anything without an exact equivalent (seconds other than 0, `%`, `&`,
 *   n-th last days, n-th last weekdays other than the last, fixed offsets,
 *   random values) is rejected with the reason and a fix.
 */
import { CronError } from './errors';
import { parseCron, type CronSpec } from './parse';
import { parseAwsCron, AwsCronError, type AwsCron } from './aws-cron';
import { isValidTimeZone } from './zone';

export interface AwsSchedule {
  /** `cron(minutes hours day-of-month month day-of-week year)`. */
  readonly expression: string;
  /** IANA zone for ScheduleExpressionTimezone. */
  readonly timezone: string;
}

export interface CronTranslation {
  readonly source: string;
  readonly spec: CronSpec;
  readonly schedules: readonly AwsSchedule[];
  /** True when two of the schedules can fire at the same minute (both day fields restricted and a day matches both). */
  readonly overlapping: boolean;
  /** Things the author probably wants to know (the meaning is kept as written). */
  readonly warnings: readonly string[];
}

export interface TranslateOptions {
  /** Zone to use when the line names none (default UTC). A line's own zone must agree with it. */
  readonly timezone?: string;
}

const DAY = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** EventBridge's ScheduleExpression is at most 256 characters. */
const MAX_EXPRESSION_LENGTH = 256;

function untranslatable(line: string, reason: string): never {
  throw new CronError(line, reason, 'untranslatable');
}

/** A value set as an EventBridge field: `*`, `a/s`, or a list of values and ranges. */
export function awsField(values: readonly number[] | null, min: number, max: number, allowStep = true): string {
  if (values === null) return '*';
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length === max - min + 1) return '*';
  if (allowStep && sorted.length >= 3) {
    const step = sorted[1]! - sorted[0]!;
    const start = sorted[0]!;
    const progression = sorted.every((v, i) => v === start + i * step);
    if (progression && step > 1 && sorted[sorted.length - 1]! + step > max) return `${start}/${step}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(',');
}

interface DayPart {
  readonly dom: string;
  readonly dow: string;
}

function describeDays(spec: CronSpec): string | undefined {
  const dom = spec.monthdays;
  const dow = spec.weekdays;
  if (!dom || !dow || dow.some((w) => w.nth !== undefined || w.modulo !== undefined)) return undefined;
  const names = dow.map((w) => DAY[w.day]!.toLowerCase());
  const block = dom.length === 7 && dom.every((d, i) => d === dom[0]! + i) ? dom[0]! : undefined;
  if (block !== undefined && block > 0 && (block - 1) % 7 === 0 && block <= 22) {
    const n = (block - 1) / 7 + 1;
    const ordinal = ['first', 'second', 'third', 'fourth'][n - 1];
    return `if you meant the ${ordinal} ${names.join('/')} of the month, write "${names.map((d) => `${d}#${n}`).join(',')}" in day of week and "*" in day of month`;
  }
  if (block === -7) {
    return `if you meant the last ${names.join('/')} of the month, write "${names.map((d) => `${d}#L`).join(',')}" in day of week and "*" in day of month`;
  }
  return undefined;
}

/** Every calendar day over one 400-year Gregorian cycle: does any match more than one of the schedules? */
function schedulesOverlap(crons: readonly AwsCron[]): boolean {
  if (crons.length < 2) return false;
  let weekday = 6; // 2000-01-01 was a Saturday
  for (let year = 2000; year < 2400; year++) {
    for (let month = 1; month <= 12; month++) {
      const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
      for (let day = 1; day <= last; day++) {
        let hits = 0;
        for (const c of crons) {
          if (!c.months.has(month)) continue;
          let match: boolean;
          if (c.monthdays) match = c.monthdays.last ? day === last : c.monthdays.days.has(day);
          else {
            const w = c.weekdays!;
            const aws = weekday + 1;
            match = w.plain.has(aws) || w.special.some((s) => s.day === aws && (s.nth > 0 ? Math.ceil(day / 7) === s.nth : day + 7 > last));
          }
          if (match && ++hits > 1) return true;
        }
        weekday = (weekday + 1) % 7;
      }
    }
  }
  return false;
}

/**
 * Translates a sidekiq-cron line. Throws CronError (with the reason and a
 * fix) when fugit would reject it or EventBridge cannot fire at exactly its times.
 */
export function translateCron(line: string, options: TranslateOptions = {}): CronTranslation {
  if (/^\s*(every|at|on|each|from|in)\b/i.test(line)) {
    untranslatable(
      line,
      'natural-language schedules (fugit\'s Nat, e.g. "every day at five") are not translated, because their meaning has changed between fugit releases; write the five cron fields instead (e.g. "0 5 * * *"), optionally followed by a time zone',
    );
  }
  const spec = parseCron(line);
  if (options.timezone !== undefined && !isValidTimeZone(options.timezone)) {
    untranslatable(line, `time zone "${options.timezone}" is not a known IANA zone (e.g. Europe/Berlin, America/Chicago, UTC)`);
  }
  if (spec.timezone && options.timezone && spec.timezone !== options.timezone) {
    untranslatable(line, `the expression names the time zone ${spec.timezone} but ${options.timezone} was also given: give one of them`);
  }
  const timezone = spec.timezone ?? options.timezone ?? 'UTC';

  if (spec.seconds === null || spec.seconds.length !== 1 || spec.seconds[0] !== 0) {
    const secs = spec.seconds === null ? 'every second' : `second(s) ${spec.seconds.join(',')}`;
    untranslatable(line, `fires at ${secs}; EventBridge Scheduler fires at most once a minute, at second 0: use 5 fields, or 0 in the seconds field`);
  }
  if (spec.dayAnd) {
    const hint = describeDays(spec);
    untranslatable(
      line,
      `fugit's "&" (day of month AND day of week) has no EventBridge equivalent in general${hint ? `; ${hint.replace(/^if you meant/, 'for')}` : ': use "#n" or "#L" in day of week (e.g. mon#1) for n-th weekdays'}`,
    );
  }
  for (const w of spec.weekdays ?? []) {
    if (w.modulo) {
      untranslatable(line, `"${DAY[w.day]!.toLowerCase()}%${w.modulo.every}${w.modulo.offset ? `+${w.modulo.offset}` : ''}" (every ${w.modulo.every} weeks, counted from a fixed week) has no EventBridge equivalent: EventBridge cannot count weeks; run weekly and skip weeks in the job, or use a rate() schedule outside cron.yml`);
    }
    if (w.nth !== undefined && w.nth < -1) {
      untranslatable(line, `"${DAY[w.day]!.toLowerCase()}#${w.nth}" (the ${-w.nth}${['', 'st', 'nd', 'rd', 'th', 'th'][-w.nth]} ${DAY[w.day]} from the end of the month) has no EventBridge equivalent: EventBridge knows only the last one (#L, -1) and the 1st–5th from the start`);
    }
  }
  const negative = (spec.monthdays ?? []).filter((d) => d < -1);
  if (negative.length > 0) {
    untranslatable(line, `day of month ${negative.map((d) => `${d} (the ${-d === 2 ? '2nd' : -d === 3 ? '3rd' : `${-d}th`} to last day)`).join(', ')} has no EventBridge equivalent: EventBridge knows only L, the last day`);
  }

  const minutes = awsField(spec.minutes, 0, 59);
  const hours = awsField(spec.hours, 0, 23);
  const months = awsField(spec.months, 1, 12);

  const domParts: DayPart[] = [];
  const dowParts: DayPart[] = [];
  if (spec.monthdays) {
    const positive = spec.monthdays.filter((d) => d > 0);
    if (positive.length > 0) domParts.push({ dom: awsField(positive, 1, 31), dow: '?' });
    if (spec.monthdays.includes(-1)) domParts.push({ dom: 'L', dow: '?' });
  }
  if (spec.weekdays) {
    const plain = [...new Set(spec.weekdays.filter((w) => w.nth === undefined).map((w) => w.day + 1))];
    if (plain.length > 0) dowParts.push({ dom: '?', dow: awsField(plain, 1, 7, false) });
    for (const w of spec.weekdays) {
      if (w.nth === undefined || plain.includes(w.day + 1)) continue;
      dowParts.push({ dom: '?', dow: w.nth === -1 ? `${w.day + 1}L` : `${w.day + 1}#${w.nth}` });
    }
  }
  let parts = [...domParts, ...dowParts];
  // A part that matches every day makes the union every day.
  if (parts.length === 0 || parts.some((p) => p.dom === '*' || p.dow === '*')) parts = [{ dom: '*', dow: '?' }];

  const schedules: AwsSchedule[] = [];
  const crons: AwsCron[] = [];
  for (const part of parts) {
    const expression = `cron(${minutes} ${hours} ${part.dom} ${months} ${part.dow} *)`;
    if (expression.length > MAX_EXPRESSION_LENGTH) {
      untranslatable(line, `needs the expression ${expression}, longer than EventBridge's ${MAX_EXPRESSION_LENGTH} characters: use fewer distinct minutes or hours`);
    }
    try {
      crons.push(parseAwsCron(expression));
    } catch (err) {
      if (err instanceof AwsCronError) untranslatable(line, `produced an expression EventBridge would refuse (${err.message}); please report this`);
      throw err;
    }
    if (!schedules.some((s) => s.expression === expression)) schedules.push({ expression, timezone });
  }

  const warnings: string[] = [...spec.notes];
  if (spec.monthdays && spec.weekdays) {
    const hint = describeDays(spec);
    warnings.push(
      `"${line}" restricts both day of month and day of week, so it fires when EITHER matches (Unix cron's rule, kept exactly: ${schedules.length} EventBridge schedules)${hint ? `; ${hint}` : ''}`,
    );
  }
  const overlapping = schedulesOverlap(crons);
  if (overlapping) {
    warnings.push(
      `on days that match more than one of its ${schedules.length} schedules, each fires: the enqueued messages carry the same job id, so the job must declare deduplicate: true for it to run once`,
    );
  }
  return { source: line, spec, schedules, overlapping, warnings };
}
