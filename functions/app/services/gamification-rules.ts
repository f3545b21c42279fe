/**
 * The environment's gamification settings (`gamification_rules` in
 * config/environments/<env>.yml, handed to functions as JSON in
 * XIKOLO_GAMIFICATION_RULES). Every rule has Xikolo's default; an environment
 * overrides a rule's value or params, or switches a rule off with
 * `enabled: false` (Xikolo's "rule not configured").
 */
import * as z from 'zod/mini';
import { RESOURCE_ENV } from '../domain/tables';

export const RULE_NAMES = [
  'selftest_master',
  'take_selftest',
  'take_exam',
  'visited_item',
  'attended_section',
  'continuous_attendance',
  'upvote_answer',
  'upvote_question',
  'create_comment',
  'create_question',
  'accepted_answer',
  'answered_question',
] as const;

export type RuleName = (typeof RULE_NAMES)[number];

export interface RuleSettings {
  /** XP a score of this rule is worth. */
  readonly value: number;
  readonly params: Readonly<Record<string, number>>;
}

export interface GamificationRules {
  /** Configured rules; a rule missing here is "not configured" and creates no score. */
  readonly xp: Readonly<Partial<Record<RuleName, RuleSettings>>>;
}

/** Xikolo's defaults (gamification_rules.xp in its app config). */
export const DEFAULT_RULES: GamificationRules = {
  xp: {
    selftest_master: { value: 2, params: {} },
    take_selftest: { value: 0, params: { min_result: 1 } },
    take_exam: { value: 0, params: {} },
    visited_item: { value: 0, params: {} },
    attended_section: { value: 0, params: {} },
    continuous_attendance: { value: 10, params: { min: 1 } },
    upvote_answer: { value: 10, params: {} },
    upvote_question: { value: 5, params: {} },
    create_comment: { value: 0, params: {} },
    create_question: { value: 0, params: {} },
    accepted_answer: { value: 30, params: {} },
    answered_question: { value: 1, params: {} },
  },
};

const ruleOverride = z.strictObject({
  value: z.optional(z.number().check(z.int(), z.minimum(0))),
  params: z.optional(z.record(z.string(), z.number())),
  enabled: z.optional(z.boolean()),
});

/** The schema of `gamification_rules` (also what the config loader should validate). */
export const gamificationRulesSchema = z.strictObject({
  xp: z.optional(z.partialRecord(z.enum(RULE_NAMES), ruleOverride)),
});

export type GamificationRulesInput = z.infer<typeof gamificationRulesSchema>;

export class GamificationRulesError extends Error {
  constructor(source: string, problem: string) {
    super(`gamification rules from ${source}: ${problem}; see docs/workload.md ("Gamification settings")`);
    this.name = 'GamificationRulesError';
  }
}

/** Xikolo's defaults with an environment's overrides applied. */
export function resolveRules(input: GamificationRulesInput | undefined, source = 'configuration'): GamificationRules {
  const parsed = gamificationRulesSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new GamificationRulesError(source, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const xp: Partial<Record<RuleName, RuleSettings>> = { ...DEFAULT_RULES.xp };
  for (const [name, override] of Object.entries(parsed.data.xp ?? {}) as [RuleName, z.infer<typeof ruleOverride>][]) {
    if (override.enabled === false) {
      delete xp[name];
      continue;
    }
    const base = DEFAULT_RULES.xp[name]!;
    xp[name] = { value: override.value ?? base.value, params: { ...base.params, ...override.params } };
  }
  return { xp };
}

/** Reads XIKOLO_GAMIFICATION_RULES (JSON); unset means Xikolo's defaults. */
export function rulesFromEnv(env: NodeJS.ProcessEnv = process.env): GamificationRules {
  const raw = env[RESOURCE_ENV.gamificationRules];
  if (!raw) return DEFAULT_RULES;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new GamificationRulesError(RESOURCE_ENV.gamificationRules, 'is not JSON');
  }
  return resolveRules(value as GamificationRulesInput, RESOURCE_ENV.gamificationRules);
}
