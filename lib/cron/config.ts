/**
 * config/cron.yml, in sidekiq-cron's format, unchanged: one section per
 * environment, one entry per job. Only the deploying environment's section
 * becomes schedules; an absent or empty section (`staging:` with nothing
 * under it, or no `staging:` at all) means no schedules for that environment.
 *
 * Every problem is a ConfigError naming the file, the entry (as
 * `<environment>.<entry>.<key>`), what is wrong and the fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { CONFIG_DIR, environmentNames } from '../config/environment';
import { ConfigError, ConfigErrors } from '../config/errors';
import { jobs as appJobs } from '../../functions/app/jobs';
import { queues as appQueues } from '../../functions/app/queues';
import type { JobRegistry } from '../../functions/runtime/jobs/registry';
import type { JobClass } from '../../functions/runtime/jobs/job';
import type { JobDefinition } from '../../functions/runtime/jobs/definition';
import { serializeArguments, type JsonValue } from '../../functions/runtime/jobs/serialization';
import { CronError } from './errors';
import { translateCron, type CronTranslation } from './translate';

export const CRON_FILE = join(CONFIG_DIR, 'cron.yml');

/** One validated entry of the environment's section. */
export interface CronEntry {
  readonly name: string;
  readonly cron: string;
  readonly className: string;
  readonly job: JobClass;
  readonly definition: JobDefinition;
  /** `queue:` if given, else the job's own queue. */
  readonly queue: string;
  /** `args`, as ActiveJob serializes them. */
  readonly arguments: JsonValue[];
  readonly description?: string;
  /** sidekiq-cron's `status: disabled`: the schedule exists but is disabled. */
  readonly enabled: boolean;
  readonly translation: CronTranslation;
}

export interface LoadCronOptions {
  /** Defaults to config/cron.yml. */
  readonly file?: string;
  /** Defaults to the application's registry (functions/app/jobs). */
  readonly jobs?: JobRegistry;
  /** Defaults to the application's queue declarations. */
  readonly queues?: readonly string[];
  /** Environments a section may name; defaults to the files in config/environments. */
  readonly environments?: readonly string[];
  /** Called with each warning (likely mistakes that keep their meaning). */
  readonly onWarning?: (message: string) => void;
}

const KNOWN_KEYS = ['cron', 'class', 'queue', 'active_job', 'args', 'description', 'status'];
const UNSUPPORTED_KEYS: Record<string, string> = {
  date_as_argument: 'the enqueue time as last argument is not supported: read the job\'s enqueued_at (the scheduled time) instead, or remove the key',
  queue_name_prefix: 'queue name prefixes are not used: each environment has its own queues; remove the key',
  queue_name_delimiter: 'queue name prefixes are not used: each environment has its own queues; remove the key',
  symbolize_args: 'symbol keys are not supported in cron arguments: declare the job\'s arguments with string keys, or remove the key',
};
/** Scheduler schedule names: letters, digits, - _ . up to 64 characters (we add -N for a second schedule). */
const ENTRY_NAME = /^[0-9A-Za-z_.-]{1,60}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Loads and validates the section of `environment`. Throws ConfigErrors listing every problem. */
export function loadCronEntries(environment: string, options: LoadCronOptions = {}): CronEntry[] {
  const file = options.file ?? CRON_FILE;
  const shown = relative(process.cwd(), file) || file;
  const registry = options.jobs ?? appJobs;
  const queueNames = options.queues ?? appQueues.map((q) => q.name);
  const environments = options.environments ?? environmentNames();
  if (!existsSync(file)) return [];
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigErrors(
      doc.errors.map((e) =>
        e.code === 'DUPLICATE_KEY'
          ? new ConfigError(shown, '', `${e.message.replace(/\s+at line.*$/s, '')} (line ${e.linePos?.[0]?.line ?? '?'}): entry names must be unique within an environment; rename or remove one`)
          : new ConfigError(shown, '', `is not valid YAML: ${e.message}`),
      ),
    );
  }
  const root: unknown = doc.toJS() ?? {};
  if (!isRecord(root)) throw new ConfigError(shown, '', 'must map environment names (development, staging, production, …) to their entries');
  const errors: ConfigError[] = [];
  for (const section of Object.keys(root)) {
    if (!environments.includes(section)) {
      errors.push(new ConfigError(shown, section, `is not an environment: use one of ${environments.join(', ')} (files in config/environments), or fix the spelling`));
    }
  }
  const sectionValue = root[environment];
  if (sectionValue === null || sectionValue === undefined) {
    if (errors.length > 0) throw new ConfigErrors(errors);
    return [];
  }
  if (!isRecord(sectionValue)) {
    throw new ConfigErrors([...errors, new ConfigError(shown, environment, 'must map entry names to entries ({cron, class, queue, …}), or be empty for no schedules')]);
  }
  const entries: CronEntry[] = [];
  for (const [name, raw] of Object.entries(sectionValue)) {
    const at = `${environment}.${name}`;
    const problem = (key: string, text: string) => errors.push(new ConfigError(shown, key ? `${at}.${key}` : at, text));
    if (!ENTRY_NAME.test(name)) {
      problem('', 'entry names may hold only letters, digits, "-", "_" and "." (at most 60): they become EventBridge schedule names; rename the entry');
      continue;
    }
    if (!isRecord(raw)) {
      problem('', 'must be a mapping with at least cron and class, e.g. {cron: "0 3 * * *", class: MyJob, queue: default}');
      continue;
    }
    for (const key of Object.keys(raw)) {
      if (UNSUPPORTED_KEYS[key]) problem(key, UNSUPPORTED_KEYS[key]);
      else if (!KNOWN_KEYS.includes(key)) problem(key, `unknown key: use ${KNOWN_KEYS.join(', ')} (see docs/cron.md), or fix the spelling`);
    }
    const cron = raw.cron;
    const className = raw.class;
    if (typeof cron !== 'string' || cron.trim() === '') problem('cron', 'is required: a cron expression such as "0 3 * * *", optionally followed by a time zone');
    if (typeof className !== 'string' || className === '') problem('class', 'is required: the job\'s Ruby class name, e.g. Voucher::DeleteClaimantIPJob');
    if (raw.active_job !== undefined && typeof raw.active_job !== 'boolean') problem('active_job', 'must be true or false');
    if (raw.description !== undefined && typeof raw.description !== 'string') problem('description', 'must be a string');
    if (raw.status !== undefined && raw.status !== 'enabled' && raw.status !== 'disabled') problem('status', 'must be "enabled" or "disabled"');
    if (raw.queue !== undefined && typeof raw.queue !== 'string') problem('queue', `must be a queue name: one of ${queueNames.join(', ')}`);
    if (typeof cron !== 'string' || typeof className !== 'string' || className === '') continue;

    const job = registry.find(className);
    if (!job) {
      problem('class', `"${className}" is not a known job: register the class in functions/app/jobs (known: ${registry.names().join(', ') || 'none'}), or fix the name`);
      continue;
    }
    const definition = job.definition;
    const queue = typeof raw.queue === 'string' ? raw.queue : definition.queue;
    if (!queueNames.includes(queue)) {
      problem('queue', `"${queue}" is not a queue: use one of ${queueNames.join(', ')} (functions/app/queues.ts), or remove the key to use the job's own queue (${definition.queue})`);
      continue;
    }
    let args: JsonValue[] = [];
    if (raw.args !== undefined && raw.args !== null) {
      // sidekiq-cron: an array is the argument list; any other value is the one argument.
      const list = Array.isArray(raw.args) ? raw.args : [raw.args];
      try {
        args = serializeArguments(list);
      } catch (err) {
        problem('args', `cannot be passed to the job: ${(err as Error).message}`);
        continue;
      }
    }
    let translation: CronTranslation;
    try {
      translation = translateCron(cron);
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      problem('cron', err.message);
      continue;
    }
    if (translation.overlapping && !definition.deduplicate) {
      problem(
        'cron',
        `"${cron}" needs ${translation.schedules.length} EventBridge schedules that both fire on some days (${translation.schedules.map((s) => s.expression).join(', ')}); the messages share one job id, but ${className} does not deduplicate: declare deduplicate: true in its configure(), or change the expression so the days cannot coincide`,
      );
      continue;
    }
    for (const warning of translation.warnings) options.onWarning?.(`${shown}: ${at}.cron: ${warning}`);
    entries.push({
      name,
      cron,
      className,
      job,
      definition,
      queue,
      arguments: args,
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
      enabled: raw.status !== 'disabled',
      translation,
    });
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
  return entries;
}
