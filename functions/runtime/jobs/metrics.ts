/**
 * Delayed's job events (`run`, `error`, `failure`, plus `discard`) as EMF
 * lines, with the tags and values Xikolo's metrics carry. Tags that are
 * low-cardinality become dimensions; ids stay properties.
 */
import type { MetricsEmitter } from '../metrics/emf';
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

export function emitJobEvent(emitter: MetricsEmitter, e: JobEvent): void {
  const priorityName = priorityBand(e.priority);
  emitter.emit({
    dimensions: { Queue: e.queue, PriorityName: priorityName, JobName: e.jobName, Event: e.event },
    dimensionSets: [
      ['Queue', 'PriorityName', 'Event'],
      ['JobName', 'Event'],
    ],
    metrics: {
      Jobs: 1,
      Attempts: { value: e.attempts, unit: 'Count' },
      Age: { value: round(e.ageSeconds), unit: 'Seconds' },
      RunTime: { value: round(e.runTimeSeconds), unit: 'Seconds' },
      Duration: { value: round(e.durationSeconds), unit: 'Seconds' },
    },
    properties: {
      // Delayed's tags and values, under the names Xikolo's metrics use.
      job_name: e.jobName,
      queue: e.queue,
      priority: e.priority,
      priority_name: priorityName,
      errored: e.errored,
      failed: e.failed,
      retried: e.attempts > 1,
      event: e.event,
      id: e.jobId,
      attempts: e.attempts,
      age: round(e.ageSeconds),
      run_time: round(e.runTimeSeconds),
      duration: round(e.durationSeconds),
      ...(e.errorClass ? { error_class: e.errorClass } : {}),
    },
  });
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
