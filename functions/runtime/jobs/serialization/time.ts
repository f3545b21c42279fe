/**
 * Timestamps as ActiveJob writes them: `Time#iso8601`, with no fractional
 * digits (Rails 6.1 `enqueued_at`) or nine (Rails 7.1 `enqueued_at` and
 * `scheduled_at`, and every Time serializer), `Z` or a `±hh:mm` offset.
 */

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function utcMilliseconds(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  // Date.UTC maps years 0–99 to 1900–1999; only those need the slow path.
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** Epoch milliseconds of a calendar date (UTC midnight), or NaN when `s` is not a real `yyyy-mm-dd` date. */
export function parseIsoDate(s: string): number {
  const m = ISO_DATE.exec(s);
  if (!m) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  return utcMilliseconds(year, month, day);
}

/** Epoch milliseconds of an ISO-8601 timestamp (fraction beyond milliseconds truncated), or NaN when invalid. */
export function tryParseTimestamp(s: string): number {
  if (typeof s !== 'string') return Number.NaN;
  // Every job message's enqueued_at is read twice (checked, then used): keep the last answer.
  if (s === lastParsed) return lastParsedValue;
  const m = ISO_TIMESTAMP.exec(s);
  if (!m) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  let offsetMinutes = 0;
  if (!m[8]) {
    const [offHours, offMinutes] = [Number(m[10]), Number(m[11])];
    if (offHours > 23 || offMinutes > 59) return Number.NaN;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const value = utcMilliseconds(year, month, day) + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms;
  lastParsed = s;
  lastParsedValue = value;
  return value;
}

let lastParsed = '';
let lastParsedValue = Number.NaN;

/**
 * Epoch milliseconds of an ActiveJob timestamp: `2026-12-04T15:33:49Z` (Rails 6.1),
 * `2026-12-04T15:33:49.123456789Z` (Rails 7.1) or with an offset (`+01:00`).
 * Throws a RangeError for anything else.
 */
export function parseTimestamp(s: string): number {
  const ms = tryParseTimestamp(s);
  if (Number.isNaN(ms)) {
    throw new RangeError(`${JSON.stringify(s)} is not an ISO-8601 timestamp; expected e.g. 2026-12-04T15:33:49Z or 2026-12-04T15:33:49.123456789+01:00`);
  }
  return ms;
}

/** Rails 7.1's form, `Time#utc.iso8601(9)`: `2026-12-04T15:33:49.123000000Z`. */
export function formatTimestamp(date: Date): string {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw new RangeError('cannot format an invalid Date as a timestamp');
  const iso = date.toISOString();
  if (!iso.endsWith('Z') || iso.length !== 24) {
    throw new RangeError(`cannot format ${iso} as a timestamp: the year must be between 0000 and 9999`);
  }
  return `${iso.slice(0, 23)}000000Z`;
}
