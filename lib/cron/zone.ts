/**
 * Time-zone helpers on top of Intl (the IANA database Node ships): zone
 * validation, and wall-clock ↔ instant arithmetic for checking which local
 * times exist around daylight-saving changes.
 *
 * A "wall-clock time" here is a local date and time written as epoch
 * milliseconds read as if the zone were UTC (as fugit-times.rb reports them).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone name Node knows (and so Scheduler's ScheduleExpressionTimezone accepts). */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone === '' || /^[+-]/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time (ms read as UTC) of an instant in a zone. */
export function wallClockOf(instant: number, zone: string): number {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The instants whose wall clock in `zone` is `wall`: none in a spring-forward gap, two in a fall-back overlap. */
export function instantsOf(wall: number, zone: string): number[] {
  const offsets = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) offsets.add(wallClockOf(probe, zone) - probe);
  return [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => wallClockOf(instant, zone) === wall)
    .sort((a, b) => a - b);
}

/** Whether a local time exists in a zone (it does not inside a spring-forward gap). */
export function wallClockExists(wall: number, zone: string): boolean {
  return instantsOf(wall, zone).length > 0;
}
