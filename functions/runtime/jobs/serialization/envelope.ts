/**
 * The serialized job (`ActiveJob::Base#serialize`) as AWS's ActiveJob adapter
 * puts it in an SQS message body, Rails 6.1 through 7.1+.
 */
import type { JsonValue } from './arguments';
import { tryParseTimestamp } from './time';

export { formatTimestamp, parseTimestamp } from './time';

/** SQS message attribute holding the job's class name; a message without it is not an ActiveJob. */
export const ACTIVE_JOB_CLASS_ATTRIBUTE = 'aws_sqs_active_job_class';
/** SQS message attribute holding the adapter's version. */
export const ACTIVE_JOB_VERSION_ATTRIBUTE = 'aws_sqs_active_job_version';

export interface JobEnvelope {
  job_class: string;
  job_id: string;
  provider_job_id: string | null;
  queue_name: string;
  priority: number | null;
  /** Still in wire form: see deserializeArguments(). */
  arguments: JsonValue[];
  executions: number;
  exception_executions: Record<string, number>;
  locale: string;
  timezone: string;
  /**
   * When the job was enqueued. Null only for bodies without it (Rails before
   * 6.0); every Rails version this project meets writes it.
   */
  enqueued_at: string | null;
  /** Rails 7.1+ only; absent on Rails 6.1, where scheduling lives in the SQS delay. */
  scheduled_at?: string | null;
  /** Keys this module does not know are kept and written back after the known ones. */
  [key: string]: JsonValue | undefined;
}

/** Rails' key order in `ActiveJob::Core#serialize`. */
const KNOWN_KEYS = [
  'job_class',
  'job_id',
  'provider_job_id',
  'queue_name',
  'priority',
  'arguments',
  'executions',
  'exception_executions',
  'locale',
  'timezone',
  'enqueued_at',
  'scheduled_at',
] as const;

/** An SQS message body is not a serialized ActiveJob. `reason` says why; `key` names the offending key, if one. */
export class EnvelopeDecodeError extends Error {
  override readonly name = 'EnvelopeDecodeError';
  constructor(readonly reason: string, readonly key?: string) {
    super(`not an ActiveJob message body: ${reason}`);
  }
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function fail(key: string, expected: string, value: unknown): never {
  throw new EnvelopeDecodeError(`"${key}" must be ${expected}, got ${value === undefined ? 'nothing (the key is missing)' : kind(value)}`, key);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Parses and checks an SQS message body written by ActiveJob. Throws EnvelopeDecodeError. */
export function decodeEnvelope(body: string): JobEnvelope {
  if (typeof body !== 'string') throw new EnvelopeDecodeError(`the body must be a string, got ${kind(body)}`);
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new EnvelopeDecodeError(`the body is not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EnvelopeDecodeError(`the body must be a JSON object, got ${kind(data)}`);
  }
  const raw = data as Record<string, unknown>;
  const has = (key: string) => Object.hasOwn(raw, key) && raw[key] !== null && raw[key] !== undefined;

  const jobClass = raw.job_class;
  if (typeof jobClass !== 'string' || jobClass === '') fail('job_class', 'a non-empty string', jobClass);
  const jobId = raw.job_id;
  if (typeof jobId !== 'string' || jobId === '') fail('job_id', 'a non-empty string', jobId);
  const providerJobId = has('provider_job_id') ? raw.provider_job_id : null;
  if (providerJobId !== null && typeof providerJobId !== 'string') fail('provider_job_id', 'a string or null', providerJobId);
  const queueName = raw.queue_name;
  if (typeof queueName !== 'string' || queueName === '') fail('queue_name', 'a non-empty string', queueName);
  const priority = has('priority') ? raw.priority : null;
  if (priority !== null && (typeof priority !== 'number' || !Number.isInteger(priority))) fail('priority', 'an integer or null', priority);
  const args = raw.arguments;
  if (!Array.isArray(args)) fail('arguments', 'an array', args);
  const executions = raw.executions;
  if (typeof executions !== 'number' || !Number.isInteger(executions) || executions < 0) {
    fail('executions', 'a non-negative integer', executions);
  }
  const exceptionExecutions = has('exception_executions') ? raw.exception_executions : {};
  if (typeof exceptionExecutions !== 'object' || exceptionExecutions === null || Array.isArray(exceptionExecutions)) {
    fail('exception_executions', 'an object of counts', exceptionExecutions);
  }
  for (const [name, count] of Object.entries(exceptionExecutions)) {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      fail('exception_executions', `an object of non-negative integer counts (${JSON.stringify(name)})`, count);
    }
  }
  const locale = has('locale') ? raw.locale : 'en';
  if (typeof locale !== 'string') fail('locale', 'a string', locale);
  const timezone = has('timezone') ? raw.timezone : 'UTC';
  if (typeof timezone !== 'string') fail('timezone', 'a string', timezone);
  const timestamp = (key: string): string | null => {
    const value = has(key) ? raw[key] : null;
    if (value !== null && (typeof value !== 'string' || Number.isNaN(tryParseTimestamp(value)))) {
      fail(key, 'an ISO-8601 timestamp (e.g. 2026-12-04T15:33:49Z or 2026-12-04T15:33:49.123456789Z) or null', value);
    }
    return value;
  };

  const envelope: JobEnvelope = {
    job_class: jobClass,
    job_id: jobId,
    provider_job_id: providerJobId,
    queue_name: queueName,
    priority,
    arguments: args as JsonValue[],
    executions,
    exception_executions: exceptionExecutions as Record<string, number>,
    locale,
    timezone,
    enqueued_at: timestamp('enqueued_at'),
  };
  if (Object.hasOwn(raw, 'scheduled_at')) envelope.scheduled_at = timestamp('scheduled_at');
  for (const key of Object.keys(raw)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) setOwn(envelope, key, raw[key]);
  }
  return envelope;
}

/** The message body for a job: JSON in Rails' key order, `scheduled_at` only when set (even to null), unknown keys last. */
export function encodeEnvelope(envelope: JobEnvelope): string {
  const out: Record<string, unknown> = {};
  for (const key of KNOWN_KEYS) {
    if (key === 'scheduled_at' && envelope.scheduled_at === undefined) continue;
    out[key] = envelope[key];
  }
  for (const key of Object.keys(envelope)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key) && envelope[key] !== undefined) setOwn(out, key, envelope[key]);
  }
  return JSON.stringify(out);
}
