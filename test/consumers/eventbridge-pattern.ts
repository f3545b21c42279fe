/**
 * A small EventBridge event-pattern matcher for tests, covering the operators
 * our rules use: exact string values, `prefix` and `wildcard` (where `*`
 * matches any run of characters, dots included, and nothing else is special),
 * and `anything-but` with a list of exact strings.
 * Anything else throws, so a rule that starts using another operator cannot be
 * tested by accident with the wrong semantics.
 */
type Matcher = string | number | boolean | null | { prefix: string } | { wildcard: string } | { 'anything-but': string[] };

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function matchesValue(matcher: Matcher, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return value === matcher;
  if ('anything-but' in matcher) {
    const excluded = matcher['anything-but'];
    if (!Array.isArray(excluded) || !excluded.every((v) => typeof v === 'string')) throw new Error('test matcher implements anything-but only with a list of strings');
    return typeof value === 'string' && !excluded.includes(value);
  }
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('wildcard' in matcher) {
    if (typeof value !== 'string') return false;
    const regex = new RegExp(`^${matcher.wildcard.split('*').map(escapeRegex).join('.*')}$`, 's');
    return regex.test(value);
  }
  throw new Error(`test matcher does not implement operator ${JSON.stringify(matcher)}`);
}

export function matchesEventPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    const value = event[field];
    if (Array.isArray(expected)) {
      if (!expected.some((m) => matchesValue(m as Matcher, value))) return false;
    } else if (typeof expected === 'object' && expected !== null) {
      if (typeof value !== 'object' || value === null) return false;
      if (!matchesEventPattern(expected as Record<string, unknown>, value as Record<string, unknown>)) return false;
    } else {
      throw new Error(`pattern field ${field} must be an array or an object`);
    }
  }
  return true;
}
