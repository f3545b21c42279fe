/**
 * Reads a sidekiq-cron `cron:` line the way fugit (sidekiq-cron's parser)
 * reads it: 5 fields, or 6 with seconds first, an optional time zone, the
 * `@daily`-style specials, names, ranges (wrapping ones too), steps, `L`,
 * negative days of month, `#` and `%` on days of week, and `&`.
 *
 * The result says what the line means, field by field (sets of values, `null`
 * for an unrestricted field), so the translator can decide what EventBridge
 * can express exactly. Forms whose meaning differs between fugit releases
 * are reported as errors rather than guessed.
 */
import { CronError } from './errors';
import { isValidTimeZone } from './zone';

/** A weekday entry: 0–6 (Sunday = 0), optionally the n-th in the month (`#n`, negative from the end) or every m-th week (`%m+o`). */
export interface WeekdayEntry {
  readonly day: number;
  readonly nth?: number;
  readonly modulo?: { readonly every: number; readonly offset: number };
}

export interface CronSpec {
  /** The line as written. */
  readonly source: string;
  /** The five or six fields as cron fields (after expanding a special such as `@daily`). */
  readonly fields: string;
  /** null = every value. */
  readonly seconds: readonly number[] | null;
  readonly minutes: readonly number[] | null;
  readonly hours: readonly number[] | null;
  /** Days of month; negative counts from the end (-1 = last day). null = unrestricted. */
  readonly monthdays: readonly number[] | null;
  readonly months: readonly number[] | null;
  readonly weekdays: readonly WeekdayEntry[] | null;
  /** fugit's `&`: day-of-month AND day-of-week. */
  readonly dayAnd: boolean;
  /** `~` random values (fugit 1.13). */
  readonly random: boolean;
  /** IANA zone written after the fields, if any. */
  readonly timezone: string | null;
  /** Notes on forms that are exact but easy to misread. */
  readonly notes: readonly string[];
}

export const SPECIALS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@noon': '0 12 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** fugit's longest month lengths (February 29). */
const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

type FieldKind = 'second' | 'minute' | 'hour' | 'monthday' | 'month' | 'weekday';

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly label: string;
  readonly allowed: string;
}

const BOUNDS: Record<FieldKind, Bounds> = {
  second: { min: 0, max: 59, label: 'seconds', allowed: '0–59' },
  minute: { min: 0, max: 59, label: 'minutes', allowed: '0–59' },
  hour: { min: 0, max: 23, label: 'hours', allowed: '0–23 (24 means 0)' },
  monthday: { min: 1, max: 31, label: 'day of month', allowed: '1–31, L or last, or -1 to -31 counted from the end' },
  month: { min: 1, max: 12, label: 'month', allowed: '1–12 or JAN–DEC' },
  weekday: { min: 0, max: 6, label: 'day of week', allowed: '0–7 (0 and 7 are Sunday) or SUN–SAT' },
};

/** One comma-separated element, as fugit reads it: start, end, step. */
interface Element {
  readonly start: number | null;
  readonly end: number | null;
  readonly step: number | null;
  readonly text: string;
}

/** The line is not one fugit accepts, or one whose meaning depends on the fugit release. */
function fail(line: string, reason: string, kind: CronError['kind'] = 'syntax'): never {
  throw new CronError(line, reason, kind);
}

/** A bound of a field: a number within the field's pattern, or a name. */
function bound(line: string, kind: FieldKind, text: string, fieldText: string): number {
  const b = BOUNDS[kind];
  const lower = text.toLowerCase();
  if (kind === 'month') {
    const i = MONTH_NAMES.indexOf(lower);
    if (i >= 0) return i + 1;
  }
  if (kind === 'weekday') {
    const i = DAY_NAMES.indexOf(lower);
    if (i >= 0) return i;
    if (/^[0-7]$/.test(text)) return Number(text);
    fail(line, `"${text}" in ${b.label} field "${fieldText}" is not a day of week: use ${b.allowed} (three-letter names only)`);
  }
  if (kind === 'monthday') {
    if (lower === 'l' || lower === 'last') return -1;
    const m = /^(-?)(\d{1,2})$/.exec(text);
    if (m && Number(m[2]) >= 1 && Number(m[2]) <= 31) return (m[1] ? -1 : 1) * Number(m[2]);
    fail(line, `"${text}" in ${b.label} field "${fieldText}" is out of range: use ${b.allowed}`);
  }
  if (!/^\d{1,2}$/.test(text)) {
    fail(line, `"${text}" in ${b.label} field "${fieldText}" is not a number${kind === 'month' ? ' or a month name' : ''}: use ${b.allowed}`);
  }
  const n = Number(text);
  const max = kind === 'hour' ? 24 : b.max;
  if (n < b.min || n > max) fail(line, `${n} in ${b.label} field "${fieldText}" is out of range: use ${b.allowed}`);
  return n;
}

const BOUND_TEXT = '(-?[0-9]+|[a-zA-Z]+)';
const ELEMENT = new RegExp(`^(?:\\*|${BOUND_TEXT}(?:-${BOUND_TEXT})?)?(?:/(\\d+))?$`);

function parseElement(line: string, kind: FieldKind, text: string, fieldText: string): Element {
  const b = BOUNDS[kind];
  if (text === '') {
    fail(line, `${b.label} field "${fieldText}" has an empty list element: remove the extra comma`);
  }
  if (text === '?') fail(line, `"?" in ${b.label} field: fugit does not accept "?"; write "*"`);
  const m = ELEMENT.exec(text);
  if (!m || text === '') fail(line, `"${text}" in ${b.label} field "${fieldText}" is not a value, range (a-b), step (*/n, a/n, a-b/n) or list: use ${b.allowed}`);
  const star = text.startsWith('*');
  const start = m[1] !== undefined ? bound(line, kind, m[1], fieldText) : null;
  const end = m[2] !== undefined ? bound(line, kind, m[2], fieldText) : null;
  let step: number | null = null;
  if (m[3] !== undefined) {
    if (m[3].length > 2) fail(line, `step "/${m[3]}" in ${b.label} field "${fieldText}" has more than two digits`);
    step = Number(m[3]);
    if (step < 1) fail(line, `step "/${m[3]}" in ${b.label} field "${fieldText}" must be at least 1`);
  }
  if (!star && start === null && step === null) fail(line, `"${text}" in ${b.label} field "${fieldText}" is empty`);
  return { start, end, step, text };
}

/** fugit's range walk: from start to end (wrapping past max), every step-th value. */
function walk(line: string, kind: FieldKind, startIn: number, endIn: number, step: number, fieldText: string): number[] {
  let { min, max } = BOUNDS[kind];
  const start = startIn;
  let end = endIn;
  if ((start < 0 && end > 0) || (end < 0 && start > 0)) {
    fail(line, `range in ${BOUNDS[kind].label} field "${fieldText}" mixes a day counted from the start with one counted from the end`);
  }
  if (start < 0) [min, max] = [-BOUNDS[kind].max, -1];
  const out: number[] = [];
  let cur = start;
  for (;;) {
    out.push(cur);
    if (cur === end) break;
    cur += 1;
    if (cur > max) {
      cur = min;
      if (end > max) end = end - max - 1;
    }
    if (out.length > 2 * BOUNDS[kind].max + 2) fail(line, `range in ${BOUNDS[kind].label} field "${fieldText}" never reaches its end`);
  }
  return out.filter((_, i) => i % step === 0);
}

interface NumericField {
  /** null = every value. */
  readonly values: number[] | null;
  /** An element spelled out the whole range (1-31), which fugit releases read differently. */
  readonly explicitFullRange: boolean;
}

/** One of the fields seconds…months, as fugit's `expand`. */
function numericField(line: string, kind: FieldKind, fieldText: string): NumericField {
  const { min, max } = BOUNDS[kind];
  const values = new Set<number>();
  let unrestricted = false;
  let explicitFullRange = false;
  for (const text of fieldText.split(',')) {
    const e = parseElement(line, kind, text, fieldText);
    let start = e.start;
    let end = e.end;
    const step = e.step;
    if (start === null && end === null && step === null) {
      unrestricted = true;
      continue;
    }
    if (step !== null && end === null) end = max;
    if (start !== null && end === null) {
      values.add(kind === 'hour' && start === 24 ? 0 : start);
      continue;
    }
    start ??= min;
    if (end === null || (end < 0 && start > 0)) end = max;
    if (start === min && end === max && (step ?? 1) === 1) {
      if (!(e.text === '*' || e.text.startsWith('*/') || e.text.startsWith('/'))) {
        // Recent fugit reads an explicit full range (1-31) as "*", fugit 1.5 as
        // a restriction to every value; only day of month can tell them apart.
        explicitFullRange = true;
        for (let v = min; v <= max; v++) values.add(v);
        continue;
      }
      unrestricted = true;
      continue;
    }
    for (const v of walk(line, kind, start, end, step ?? 1, fieldText)) values.add(kind === 'hour' && v === 24 ? 0 : v);
  }
  return { values: unrestricted ? null : [...values].sort((a, b) => a - b), explicitFullRange };
}

function weekdayField(line: string, fieldText: string, notes: string[]): WeekdayEntry[] | null {
  const entries: WeekdayEntry[] = [];
  for (const text of fieldText.split(',')) {
    const hash = /^([0-7]|[a-zA-Z]{3})#(-?[1-5]|last|l)$/i.exec(text);
    if (hash) {
      const day = bound(line, 'weekday', hash[1]!, fieldText) % 7;
      const nth = /^l/i.test(hash[2]!) ? -1 : Number(hash[2]);
      entries.push({ day, nth });
      continue;
    }
    if (text.includes('#')) fail(line, `"${text}" in day of week field: "#" takes one day and 1 to 5, -1 to -5, L or last (e.g. mon#1, fri#-1, fri#L)`);
    const mod = /^([0-7]|[a-zA-Z]{3})%(\d+)(?:\+(\d+))?$/.exec(text);
    if (mod) {
      const day = bound(line, 'weekday', mod[1]!, fieldText) % 7;
      entries.push({ day, modulo: { every: Number(mod[2]), offset: Number(mod[3] ?? 0) } });
      continue;
    }
    if (text.includes('%')) fail(line, `"${text}" in day of week field: "%" takes one day, a week count and an optional +offset (e.g. sun%2, mon%3+1)`);
    const e = parseElement(line, 'weekday', text, fieldText);
    if (e.step !== null) {
      let a = e.start;
      const z = e.end ?? (a !== null ? a : 6);
      a ??= 0;
      if (a > z) {
        fail(line, `"${text}" in day of week field: a wrapping range with a step is read differently by fugit releases (nothing before 1.12.3): list the days instead`);
      }
      if (e.start !== null && e.end === null && e.step > 1) {
        notes.push(`"${text}" in day of week means only ${DAY_NAMES[a % 7]!.toUpperCase()} to fugit (unlike minutes, where 15/30 means 15-59/30); write ${a}-6/${e.step} or list the days if you meant every ${e.step} days from ${DAY_NAMES[a % 7]!.toUpperCase()}`);
      }
      for (let i = a; i <= z; i += e.step) entries.push({ day: i % 7 });
      continue;
    }
    if (e.start === null) continue; // fugit: a "*" element adds no day
    if (e.end !== null) {
      const a = e.start;
      const z = e.end < a ? e.end + 7 : e.end;
      for (let i = a; i <= z; i++) entries.push({ day: i % 7 });
      continue;
    }
    entries.push({ day: e.start % 7 });
  }
  if (entries.length === 0) return null;
  const seen = new Map<string, WeekdayEntry>();
  for (const entry of entries) seen.set(JSON.stringify([entry.day, entry.nth ?? null, entry.modulo ?? null]), entry);
  const unique = [...seen.values()].sort((x, y) => x.day - y.day || (x.nth ?? 0) - (y.nth ?? 0));
  for (let day = 0; day < 7; day++) {
    const special = unique.filter((e) => e.day === day && (e.nth !== undefined || e.modulo !== undefined));
    const plain = unique.some((e) => e.day === day && e.nth === undefined && e.modulo === undefined);
    if (special.length > 1 && !plain) {
      fail(line, `day of week field "${fieldText}" has several # or % entries for ${DAY_NAMES[day]!.toUpperCase()}: fugit before 1.6 honours only the first of them, later releases all; write one entry per day`);
    }
  }
  return unique;
}

const TZ_NAME = /^[A-Z][a-zA-Z0-9+\-_]+(\/[A-Z][a-zA-Z0-9+\-_]+){0,2}$/;
const TZ_OFFSET = /^[-+]([01][0-9]|2[0-4]):?(00|15|30|45)$/;

function zoneOf(line: string, text: string): string {
  if (TZ_OFFSET.test(text)) {
    fail(line, `time zone "${text}" is a fixed UTC offset; EventBridge Scheduler takes an IANA zone name: write one such as Europe/Berlin or UTC`, 'untranslatable');
  }
  if (!TZ_NAME.test(text) || !isValidTimeZone(text)) {
    fail(line, `"${text}" is not a known IANA time zone (e.g. Europe/Berlin, America/Chicago, UTC)`);
  }
  return text;
}

/**
 * Whether a sixth token is the day-of-week field of a seconds line (as fugit
 * tries first) rather than a time zone: day-of-week characters only, and
 * every word a day name or L/last.
 */
function looksLikeWeekdayField(text: string): boolean {
  if (!/^[0-9a-zA-Z*/,#%+\-?~&]+$/.test(text)) return false;
  return (text.match(/[a-zA-Z]+/g) ?? []).every((word) => DAY_NAMES.includes(word.toLowerCase()) || /^(l|last)$/i.test(word));
}

/** Parses one cron line as fugit does; throws CronError (kind `syntax`) with the reason. */
export function parseCron(input: string): CronSpec {
  const line = input;
  if (typeof input !== 'string') fail(String(input), 'the cron expression must be a string');
  let text = input.trim();
  if (text === '') fail(line, 'the cron expression is empty');
  if (text.startsWith('@')) {
    const [special, ...rest] = text.split(/\s+/);
    if (special!.toLowerCase() === '@reboot') fail(line, '@reboot runs when a process boots; it is no schedule and has no EventBridge equivalent');
    const expanded = SPECIALS[special!];
    if (!expanded) fail(line, `unknown special "${special}": use one of ${Object.keys(SPECIALS).join(', ')}`);
    text = [expanded, ...rest].join(' ');
  }
  const tokens = text.split(/[ \t]+/);
  let timezone: string | null = null;
  let fieldTokens: string[];
  if (tokens.length === 5) fieldTokens = tokens;
  else if (tokens.length === 6) {
    if (looksLikeWeekdayField(tokens[5]!)) fieldTokens = tokens;
    else {
      timezone = zoneOf(line, tokens[5]!);
      fieldTokens = tokens.slice(0, 5);
    }
  } else if (tokens.length === 7) {
    timezone = zoneOf(line, tokens[6]!);
    fieldTokens = tokens.slice(0, 6);
  } else {
    fail(line, `has ${tokens.length} field${tokens.length === 1 ? '' : 's'}; a cron line has 5 (minute hour day-of-month month day-of-week) or 6 (seconds first), optionally followed by a time zone`);
  }
  const withSeconds = fieldTokens.length === 6;
  const [secText, minText, hourText, domRaw, monText, dowRaw] = withSeconds ? fieldTokens : ['0', ...fieldTokens];
  let domText = domRaw!;
  let dowText = dowRaw!;
  let dayAnd = false;
  if (domText.endsWith('&')) {
    dayAnd = true;
    domText = domText.slice(0, -1);
  }
  if (dowText.endsWith('&')) {
    dayAnd = true;
    dowText = dowText.slice(0, -1);
  }
  const random = fieldTokens.some((t) => t.includes('~'));
  if (random) fail(line, "fugit's random values (~) are picked anew at every boot: there is no fixed schedule to translate; pick the value yourself", 'untranslatable');
  const notes: string[] = [];
  const seconds = numericField(line, 'second', secText!).values;
  const minutes = numericField(line, 'minute', minText!).values;
  const hours = numericField(line, 'hour', hourText!).values;
  const dom = numericField(line, 'monthday', domText);
  let monthdays = dom.values;
  let months = numericField(line, 'month', monText!).values;
  const weekdays = weekdayField(line, dowText, notes);
  if (dom.explicitFullRange && monthdays !== null && weekdays !== null) {
    fail(line, `day of month "${domText}" spells out 1-31 while day of week is restricted: fugit 1.5 reads that as every day, later releases as only the days of week; write "*" in day of month for the days of week only, or "*" in day of week for every day`);
  }
  // fugit's compact_month_days: drop days no listed month has, and months left without a day.
  if (months !== null && monthdays !== null) {
    const keptMonths: number[] = [];
    const keptDays = new Set<number>();
    for (const m of months) {
      for (const d of monthdays) {
        if (d > MAX_DAYS[m]!) continue;
        if (!keptMonths.includes(m)) keptMonths.push(m);
        keptDays.add(d);
      }
    }
    if (keptMonths.length === 0) {
      fail(line, `day of month "${domText}" never occurs in month "${monText}": the line never fires (fugit rejects it)`);
    }
    months = keptMonths;
    monthdays = [...keptDays].sort((a, b) => a - b);
  }
  return {
    source: line,
    fields: fieldTokens.join(' '),
    seconds,
    minutes,
    hours,
    monthdays,
    months,
    weekdays,
    dayAnd,
    random,
    timezone,
    notes,
  };
}
