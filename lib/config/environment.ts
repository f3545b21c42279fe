/**
 * Per-environment settings: config/environments/<name>.yml, validated on load.
 * A bad value fails with the file, the key and what is allowed.
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError, ConfigErrors } from './errors';
import { queues } from '../../functions/app/queues';
import { PRIORITY_BANDS } from '../../functions/runtime/jobs/priority';
import { RULE_NAMES } from '../../functions/app/services/gamification-rules';

export const CONFIG_DIR = join(import.meta.dirname, '..', '..', 'config');

const environmentName = z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'a lower-case name of at most 20 letters, digits and dashes, starting with a letter');

const bandWeights = z
  .object(Object.fromEntries(PRIORITY_BANDS.map((band) => [band, z.number().int().min(1).max(100).optional()])))
  .strict();

const queueSettings = z
  .object({
    /** Upper bound of concurrent worker invocations for the whole queue, split across its priority bands. */
    concurrency: z.number().int().min(2).max(1000).default(10),
    /** Messages per Lambda invocation (1–10). */
    batchSize: z.number().int().min(1).max(10).default(10),
    /** Worker memory in MB. */
    memoryMb: z.number().int().min(128).max(10240).default(512),
    /** Share of the queue's concurrency each priority band gets; bands no job uses get none. */
    bandWeights: bandWeights.optional(),
  })
  .strict();

const queueNames = queues.map((q) => q.name) as [string, ...string[]];

/** One gamification rule's settings (Xikolo's `gamification_rules.xp.<rule>`): points, parameters, on/off. */
const ruleOverride = z
  .object({
    value: z.number().int().min(0).optional(),
    params: z.record(z.string(), z.number()).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const environmentSchema = z
  .object({
    /** AWS account id; omit to take CDK_DEFAULT_ACCOUNT from the environment at deploy time. */
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
    /** AWS region; omit to take CDK_DEFAULT_REGION (or AWS_REGION) from the environment. */
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-central-1').optional(),
    /** Feature flags read by jobs and consumers at run time. */
    features: z.record(z.string().regex(/^[a-z][a-z0-9_.]*$/, 'a lower-case flag name'), z.boolean()).default({}),
    /** Points and parameters of the gamification rules; omitted rules keep Xikolo's defaults. */
    gamification_rules: z.object({ xp: z.partialRecord(z.enum(RULE_NAMES), ruleOverride).optional() }).strict().optional(),
    /** How Msgr-style events are delivered: EventBridge (default) or an Amazon MQ RabbitMQ broker. */
    messaging: z.enum(['eventbridge', 'amazonmq']).default('eventbridge'),
    jobs: z
      .object({
        queues: z.partialRecord(z.enum(queueNames), queueSettings).default({}),
        /** Days a job's "done" record (and a resumable job's checkpoint) is kept. */
        deduplicationDays: z.number().int().min(1).max(365).default(14),
        /** Slices of long-running jobs (queues run by Step Functions). */
        longRunning: z
          .object({
            /** Timeout of the slice function, in seconds (60–900). */
            sliceTimeoutSeconds: z.number().int().min(60).max(900).default(900),
            /** Share of the slice timeout a slice works before it checkpoints and hands over (0.1–0.95). */
            sliceShare: z.number().min(0.1).max(0.95).default(0.8),
            /** Slice function memory in MB. */
            memoryMb: z.number().int().min(128).max(10240).default(1024),
          })
          .strict()
          .default({ sliceTimeoutSeconds: 900, sliceShare: 0.8, memoryMb: 1024 }),
      })
      .strict()
      .default({ queues: {}, deduplicationDays: 14, longRunning: { sliceTimeoutSeconds: 900, sliceShare: 0.8, memoryMb: 1024 } }),
    /** CloudWatch Logs retention for every function, in days. */
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].includes(d), 'one of CloudWatch Logs retention values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …, 3653)')
      .default(30),
    /** Keep stateful resources (queues with messages, tables) when the stack is deleted. */
    retainData: z.boolean().default(false),
  })
  .strict();

export type EnvironmentSettings = z.infer<typeof environmentSchema>;
export type QueueSettings = z.infer<typeof queueSettings>;

export interface EnvironmentConfig extends EnvironmentSettings {
  readonly name: string;
  readonly file: string;
}

export function defaultQueueSettings(): QueueSettings {
  return queueSettings.parse({});
}

/** The names of the environments that have a file in config/environments. */
export function environmentNames(configDir = CONFIG_DIR): string[] {
  const dir = join(configDir, 'environments');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** Turns zod issues into ConfigErrors naming file and dotted key. */
export function toConfigErrors(file: string, error: z.ZodError): ConfigErrors {
  return new ConfigErrors(
    error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      let problem = issue.message;
      if (issue.code === 'unrecognized_keys') {
        problem = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them or check the spelling (see docs/configuration.md)`;
      } else if (issue.code === 'invalid_value' && 'values' in issue) {
        problem = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      } else if (/^(a |an |one of )/.test(problem)) {
        problem = `must be ${problem}`;
      }
      return new ConfigError(file, key, problem);
    }),
  );
}

export function loadEnvironment(name: string, configDir = CONFIG_DIR): EnvironmentConfig {
  const nameCheck = environmentName.safeParse(name);
  const file = join(configDir, 'environments', `${name}.yml`);
  const shown = relative(process.cwd(), file) || file;
  if (!nameCheck.success) {
    throw new ConfigError(shown, '', `environment name "${name}" is not allowed: use ${nameCheck.error.issues[0]?.message}`);
  }
  if (!existsSync(file)) {
    const known = environmentNames(configDir);
    throw new ConfigError(shown, '', `no such environment "${name}": create the file, or pass one of ${known.join(', ') || '(none found)'} with -c env=<name>`);
  }
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new ConfigError(shown, '', `is not valid YAML: ${(err as Error).message}`);
  }
  const result = environmentSchema.safeParse(raw);
  if (!result.success) throw toConfigErrors(shown, result.error);
  return { ...result.data, name, file: shown };
}
