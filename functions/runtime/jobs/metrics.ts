/**
 * Delayed's job events (`run`, `error`, `failure`, plus `discard`) as EMF,
 * with the tags and values Xikolo's metrics carry. Tags that are
 * low-cardinality become dimensions; ids stay properties.
 *
 * A worker collects the events of a batch and writes one line per kind of
 * event (same job, queue, priority, event and flags), with one value per job:
 * the same metrics as a line per job, at a fraction of the formatting and
 * log volume.
 */
import { MAX_VALUES_PER_LINE, type MetricsEmitter } from '../metrics/emf';
import { priorityBand } from './priority';

export type JobEventName = 'run' | 'error' | 'failure' | 'discard';

export interface JobEvent {
  readonly event: JobEventName;
  readonly jobName: string;
  readonly queue: string;
  readonly priority: number;
  readonly jobId: string;
  /** This attempt's number: 1 for the first run, backend retries add one each. */
  readonly attempts: number;
  /** Seconds from when the job was due (run_at) until this run started. */
  readonly ageSeconds: number;
  /** Seconds `perform` ran. */
  readonly runTimeSeconds: number;
  /** Seconds from enqueue until this event. */
  readonly durationSeconds: number;
  readonly errored: boolean;
  readonly failed: boolean;
  readonly errorClass?: string;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Writes events that share their tags as one EMF line, a value per event. */
function emitGroup(emitter: MetricsEmitter, events: readonly JobEvent[]): void {
  const first = events[0]!;
  const priorityName = priorityBand(first.priority);
  const one = events.length === 1;
  const pick = (f: (e: JobEvent) => number) => (one ? f(first) : events.map(f));
  const attempts = pick((e) => e.attempts);
  const age = pick((e) => round(e.ageSeconds));
  const runTime = pick((e) => round(e.runTimeSeconds));
  const duration = pick((e) => round(e.durationSeconds));
  const errorClasses = events.map((e) => e.errorClass).filter((c): c is string => c !== undefined);
  emitter.emit({
    dimensions: { Queue: first.queue, PriorityName: priorityName, JobName: first.jobName, Event: first.event },
    dimensionSets: [
      ['Queue', 'PriorityName', 'Event'],
      ['JobName', 'Event'],
    ],
    metrics: {
      Jobs: one ? 1 : events.map(() => 1),
      Attempts: { value: attempts, unit: 'Count' },
      Age: { value: age, unit: 'Seconds' },
      RunTime: { value: runTime, unit: 'Seconds' },
      Duration: { value: duration, unit: 'Seconds' },
    },
    properties: {
      // Delayed's tags and values, under the names Xikolo's metrics use (arrays when a line carries several jobs).
      job_name: first.jobName,
      queue: first.queue,
      priority: first.priority,
      priority_name: priorityName,
      errored: first.errored,
      failed: first.failed,
      retried: first.attempts > 1,
      event: first.event,
      id: one ? first.jobId : events.map((e) => e.jobId),
      attempts,
      age,
      run_time: runTime,
      duration,
      ...(errorClasses.length > 0 ? { error_class: one ? errorClasses[0] : errorClasses } : {}),
    },
  });
}

export function emitJobEvent(emitter: MetricsEmitter, e: JobEvent): void {
  emitGroup(emitter, [e]);
}

/** Collects a batch's job events; `flush` writes one line per group of alike events. */
export class JobEventBuffer {
  private readonly groups = new Map<string, JobEvent[]>();

  add(e: JobEvent): void {
    const key = `${e.event}|${e.jobName}|${e.queue}|${e.priority}|${e.errored}|${e.failed}|${e.attempts > 1}`;
    const group = this.groups.get(key);
    if (group) group.push(e);
    else this.groups.set(key, [e]);
  }

  flush(emitter: MetricsEmitter): void {
    for (const events of this.groups.values()) {
      for (let i = 0; i < events.length; i += MAX_VALUES_PER_LINE) emitGroup(emitter, events.slice(i, i + MAX_VALUES_PER_LINE));
    }
    this.groups.clear();
  }
}
