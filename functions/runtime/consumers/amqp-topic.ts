/**
 * AMQP 0-9-1 topic exchange semantics, as RabbitMQ implements them, and their
 * translation into EventBridge event patterns.
 *
 * A routing key is a list of words separated by dots. In a binding key, the
 * word `*` matches exactly one word and `#` matches zero or more words; every
 * other word must equal the key's word at that position.
 *
 * EventBridge patterns speak another language (`wildcard`: `*` matches any run
 * of characters, dots included). The translation below is deliberately wider
 * than the binding; the consumer side narrows it again with `bindingMatches`,
 * so "pattern matches and filter accepts" equals "binding matches".
 */

/** Characters allowed in a literal word of a binding key in a routes file. */
const LITERAL_WORD = /^[A-Za-z0-9_:-]+$/;

/** Why a binding key is not usable, or undefined when it is. */
export function bindingKeyProblem(binding: string): string | undefined {
  if (typeof binding !== 'string' || binding.length === 0) return 'the routing key is empty';
  if (binding.length > 255) return `the routing key has ${binding.length} characters; AMQP allows at most 255`;
  const words = binding.split('.');
  for (const [index, word] of words.entries()) {
    if (word === '*' || word === '#') continue;
    if (word.length === 0) return `word ${index + 1} is empty (two dots in a row, or a leading or trailing dot)`;
    if (word.includes('*') || word.includes('#')) {
      return `word "${word}" mixes a wildcard with other characters; "*" and "#" only work as whole words`;
    }
    if (!LITERAL_WORD.test(word)) return `word "${word}" has characters outside letters, digits, "_", ":" and "-"`;
  }
  return undefined;
}

/** Why a key cannot be published, or undefined when it can. Publish keys are literal: no wildcards. */
export function publishKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'the routing key is empty';
  if (Buffer.byteLength(key, 'utf8') > 255) return 'the routing key is longer than 255 bytes (the AMQP limit)';
  const words = key.split('.');
  if (words.some((w) => w === '*' || w === '#')) return 'a published routing key is literal; "*" and "#" only have a meaning in route bindings';
  if (words.some((w) => w.length === 0)) return 'the routing key has an empty word (two dots in a row, or a leading or trailing dot)';
  return undefined;
}

export function hasWildcard(binding: string): boolean {
  return binding.split('.').some((w) => w === '*' || w === '#');
}

/** Exact AMQP topic matching of one routing key against one binding key. */
export function bindingMatches(binding: string, routingKey: string): boolean {
  const pattern = binding.split('.');
  const words = routingKey.split('.');
  // reachable[j]: the first i pattern words can consume exactly the first j key words.
  let reachable: boolean[] = new Array<boolean>(words.length + 1).fill(false);
  reachable[0] = true;
  for (const token of pattern) {
    const next: boolean[] = new Array<boolean>(words.length + 1).fill(false);
    if (token === '#') {
      let any = false;
      for (let j = 0; j <= words.length; j++) {
        any = any || reachable[j] === true;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= words.length; j++) {
        next[j] = reachable[j - 1] === true && (token === '*' || token === words[j - 1]);
      }
    }
    reachable = next;
  }
  return reachable[words.length] === true;
}

/** True when any of the bindings matches the routing key. */
export function anyBindingMatches(bindings: readonly string[], routingKey: string): boolean {
  return bindings.some((b) => bindingMatches(b, routingKey));
}

/** One element of an EventBridge pattern array for `detail-type`: an exact value or a wildcard. */
export type DetailTypeMatcher = string | { readonly wildcard: string } | { readonly prefix: string };

/**
 * The EventBridge pattern values that match every routing key the binding
 * matches (and possibly more). A literal binding becomes an exact value.
 *
 * A wildcard word becomes an EventBridge `*`. For `#`, which may match zero
 * words, the dots next to it are dropped as well (`a.#` → `a*`, so `a` itself
 * still matches). Runs of `*` are collapsed, since EventBridge does not accept
 * consecutive wildcard characters. A binding that matches every key (`#`)
 * becomes `{ prefix: "" }`.
 */
export function toDetailTypeMatcher(binding: string): DetailTypeMatcher {
  if (!hasWildcard(binding)) return binding;
  const tokens = binding.split('.');
  let out = '';
  tokens.forEach((token, index) => {
    const previous = tokens[index - 1];
    const needsDot = index > 0 && token !== '#' && previous !== '#';
    if (needsDot) out += '.';
    out += token === '#' || token === '*' ? '*' : token;
  });
  const wildcard = out.replace(/\*+/g, '*');
  return wildcard === '*' ? { prefix: '' } : { wildcard };
}

/** The `detail-type` pattern array for a route's bindings, without duplicates. */
export function toDetailTypePattern(bindings: readonly string[]): DetailTypeMatcher[] {
  const seen = new Set<string>();
  const out: DetailTypeMatcher[] = [];
  for (const binding of bindings) {
    const matcher = toDetailTypeMatcher(binding);
    const id = JSON.stringify(matcher);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(matcher);
  }
  return out;
}
