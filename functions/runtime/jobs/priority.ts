/**
 * Delayed's named priorities. Lower numbers run first. A job's numeric
 * priority falls into one band; each band a queue uses gets its own SQS queue
 * and its own share of the worker's concurrency, so a backlog of reporting
 * jobs never holds up interactive ones.
 */
export const PRIORITY_BANDS = ['interactive', 'user_visible', 'eventual', 'reporting'] as const;
export type PriorityBand = (typeof PRIORITY_BANDS)[number];
export type PriorityName = PriorityBand;

/** Lowest number of each band (interactive 0–9, user_visible 10–19, eventual 20–29, reporting 30+). */
export const PRIORITY_FLOOR: Readonly<Record<PriorityBand, number>> = {
  interactive: 0,
  user_visible: 10,
  eventual: 20,
  reporting: 30,
};

/** Alert thresholds per band, from Delayed: age since run_at, run time, attempts. */
export const PRIORITY_ALERTS: Readonly<Record<PriorityBand, { ageSeconds: number; runTimeSeconds: number; attempts: number }>> = {
  interactive: { ageSeconds: 60, runTimeSeconds: 30, attempts: 3 },
  user_visible: { ageSeconds: 180, runTimeSeconds: 90, attempts: 5 },
  eventual: { ageSeconds: 5_400, runTimeSeconds: 300, attempts: 8 },
  reporting: { ageSeconds: 14_400, runTimeSeconds: 600, attempts: 8 },
};

export const DEFAULT_PRIORITY = 10;

export type Priority = PriorityBand | number;

export function isPriorityBand(value: unknown): value is PriorityBand {
  return typeof value === 'string' && (PRIORITY_BANDS as readonly string[]).includes(value);
}

/** Numeric priority of a named band or a number (must be a non-negative integer). */
export function priorityNumber(priority: Priority): number {
  if (typeof priority === 'number') {
    if (!Number.isInteger(priority) || priority < 0) {
      throw new RangeError(`priority ${priority} is not allowed: use a whole number ≥ 0 or one of ${PRIORITY_BANDS.join(', ')}`);
    }
    return priority;
  }
  if (!isPriorityBand(priority)) {
    throw new RangeError(`priority "${String(priority)}" is not allowed: use a whole number ≥ 0 or one of ${PRIORITY_BANDS.join(', ')}`);
  }
  return PRIORITY_FLOOR[priority];
}

export function priorityBand(priority: number): PriorityBand {
  if (priority < 10) return 'interactive';
  if (priority < 20) return 'user_visible';
  if (priority < 30) return 'eventual';
  return 'reporting';
}

/**
 * The band a job of `priority` goes to when only `available` bands have a
 * queue: its own, else the nearest, the more urgent side first so a fallback
 * never delays a job. Undefined when no band is available.
 */
export function nearestBand(priority: number, available: (band: PriorityBand) => boolean): PriorityBand | undefined {
  const wanted = PRIORITY_BANDS.indexOf(priorityBand(priority));
  for (let distance = 0; distance < PRIORITY_BANDS.length; distance++) {
    for (const index of [wanted - distance, wanted + distance]) {
      const band = PRIORITY_BANDS[index];
      if (band && available(band)) return band;
    }
  }
  return undefined;
}
