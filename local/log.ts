/**
 * What the local runtime prints: one readable line per job event (from the
 * worker's EMF metric lines) and per worker log entry, or the raw JSON lines
 * Lambda would write to CloudWatch Logs.
 */
export type Output = (line: string) => void;
export type LogFormat = 'pretty' | 'json';

function time(ms = Date.now()): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function shortId(id: unknown): string {
  return typeof id === 'string' ? id.slice(0, 8) : String(id);
}

const EVENT_LABEL: Record<string, string> = {
  run: 'run    ',
  error: 'error  ',
  failure: 'FAILURE',
  discard: 'discard',
};

/** `12:00:01.234 default/interactive run     Lti::PublishGradeJob 1f3a9c2e attempt 1 · waited 0.012 s · ran 0.004 s` */
export function formatJobEvent(line: string): string {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const aws = data._aws as { Timestamp?: number } | undefined;
  const event = String(data.event ?? data.Event ?? '?');
  const outcome = event === 'run' ? (data.errored ? ' (not completed)' : ' ok') : '';
  const parts = [
    `attempt ${String(data.attempts)}`,
    `waited ${String(data.age)} s`,
    `ran ${String(data.run_time)} s`,
    ...(data.error_class ? [`error ${String(data.error_class)}`] : []),
  ];
  return `${time(aws?.Timestamp)} ${String(data.queue)}/${String(data.priority_name)} ${EVENT_LABEL[event] ?? event} ${String(data.job_name)} ${shortId(data.id)}${outcome} · ${parts.join(' · ')}`;
}

/** A worker's structured log entry (`{ level, message, ...fields }`) as one line. */
export function formatLogEntry(entry: Record<string, unknown>, prefix = ''): string {
  const { level, message, ...fields } = entry;
  const details = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(' ');
  return `${time()} ${prefix}${String(level ?? 'info').toUpperCase()} ${String(message ?? '')}${details ? ` · ${details}` : ''}`;
}
