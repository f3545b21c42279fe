import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyBindingMatches,
  bindingKeyProblem,
  bindingMatches,
  publishKeyProblem,
  toDetailTypeMatcher,
  toDetailTypePattern,
} from '../../functions/runtime/consumers/amqp-topic';
import { matchesEventPattern } from './eventbridge-pattern';

/**
 * An independent oracle for AMQP topic matching: the textbook recursive
 * definition (the matcher under test is an iterative word-by-word automaton;
 * test/integration/rabbitmq-matching.test.ts compares with RabbitMQ itself).
 */
function recursiveMatch(pattern: readonly string[], words: readonly string[]): boolean {
  if (pattern.length === 0) return words.length === 0;
  const [head, ...tail] = pattern;
  if (head === '#') return recursiveMatch(tail, words) || (words.length > 0 && recursiveMatch(pattern, words.slice(1)));
  if (words.length === 0) return false;
  return (head === '*' || head === words[0]) && recursiveMatch(tail, words.slice(1));
}
const oracle = (binding: string, key: string) => recursiveMatch(binding.split('.'), key.split('.'));

const word = fc.constantFrom('a', 'b', 'c', 'xikolo', 'course');
const bindingWord = fc.oneof({ weight: 3, arbitrary: word }, { weight: 1, arbitrary: fc.constant('*') }, { weight: 1, arbitrary: fc.constant('#') });
const binding = fc.array(bindingWord, { minLength: 1, maxLength: 5 }).map((w) => w.join('.'));
const key = fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join('.'));

/** The event EventBridge would see for a published routing key. */
const eventFor = (routingKey: string) => ({ source: 'xikolo.msgr', 'detail-type': routingKey, detail: {} });

describe('AMQP topic matching', () => {
  it.each([
    ['xikolo.course.clone', 'xikolo.course.clone', true],
    ['xikolo.course.clone', 'xikolo.course.clones', false],
    ['xikolo.*.create', 'xikolo.vote.create', true],
    ['xikolo.*.create', 'xikolo.pinboard.vote.create', false],
    ['xikolo.#.create', 'xikolo.pinboard.vote.create', true],
    ['xikolo.#.create', 'xikolo.create', true],
    ['xikolo.#', 'xikolo', true],
    ['xikolo.#', 'xikolox', false],
    ['#', 'anything.at.all', true],
    ['*', 'one', true],
    ['*', 'one.two', false],
    ['#.clone', 'clone', true],
    ['*.#.*', 'a', false],
    ['*.#.*', 'a.b', true],
    ['a.#.#.b', 'a.b', true],
  ])('binding %s vs key %s → %s', (b, k, expected) => {
    expect(bindingMatches(b, k)).toBe(expected);
  });

  it('agrees with an independent regular-expression oracle', () => {
    fc.assert(
      fc.property(binding, key, (b, k) => {
        expect(bindingMatches(b, k)).toBe(oracle(b, k));
      }),
      { numRuns: 3000 },
    );
  });

  it('translates literal bindings to exact values and wildcards to a wider pattern', () => {
    expect(toDetailTypeMatcher('xikolo.course.clone')).toBe('xikolo.course.clone');
    expect(toDetailTypeMatcher('xikolo.*.create')).toEqual({ wildcard: 'xikolo.*.create' });
    expect(toDetailTypeMatcher('xikolo.#')).toEqual({ wildcard: 'xikolo*' });
    expect(toDetailTypeMatcher('#.create')).toEqual({ wildcard: '*create' });
    expect(toDetailTypeMatcher('a.#.#.b')).toEqual({ wildcard: 'a*b' });
    expect(toDetailTypeMatcher('#')).toEqual({ prefix: '' });
    expect(toDetailTypePattern(['a.b', 'a.b', 'a.*'])).toEqual(['a.b', { wildcard: 'a.*' }]);
  });

  it('property: the binding matches ⇔ the EventBridge pattern matches and the consumer filter accepts', () => {
    fc.assert(
      fc.property(fc.array(binding, { minLength: 1, maxLength: 3 }), key, (bindings, k) => {
        const pattern = { 'detail-type': toDetailTypePattern(bindings) };
        const viaEventBridge = matchesEventPattern(pattern, eventFor(k)) && anyBindingMatches(bindings, k);
        expect(viaEventBridge).toBe(bindings.some((b) => bindingMatches(b, k)));
      }),
      { numRuns: 5000 },
    );
  });

  it('property: the EventBridge pattern never misses a key the binding matches (the filter only narrows)', () => {
    fc.assert(
      fc.property(binding, key, (b, k) => {
        if (bindingMatches(b, k)) expect(matchesEventPattern({ 'detail-type': [toDetailTypeMatcher(b)] }, eventFor(k))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('the generated wildcard never holds consecutive "*" (EventBridge rejects them)', () => {
    fc.assert(
      fc.property(binding, (b) => {
        const m = toDetailTypeMatcher(b);
        if (typeof m === 'object' && 'wildcard' in m) expect(m.wildcard).not.toMatch(/\*\*/);
      }),
    );
  });

  it('the pattern is exact (not wider) for literal bindings', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join('.')), key, (b, k) => {
        expect(matchesEventPattern({ 'detail-type': [toDetailTypeMatcher(b)] }, eventFor(k))).toBe(b === k);
      }),
    );
  });
});

describe('routing key checks', () => {
  it.each([
    ['', /empty/],
    ['a..b', /word 2 is empty/],
    ['a.b*.c', /mixes a wildcard/],
    ['a.b c', /characters outside/],
    ['x'.repeat(256), /at most 255/],
  ])('rejects binding %j', (b, problem) => {
    expect(bindingKeyProblem(b)).toMatch(problem);
  });

  it('accepts the seed keys and wildcard bindings', () => {
    for (const b of ['xikolo.pinboard.vote.create', 'xikolo.*.create', 'xikolo.#', '#']) expect(bindingKeyProblem(b)).toBeUndefined();
  });

  it('refuses wildcards and empty words in published keys', () => {
    expect(publishKeyProblem('xikolo.*.create')).toMatch(/literal/);
    expect(publishKeyProblem('xikolo..create')).toMatch(/empty word/);
    expect(publishKeyProblem('xikolo.course.clone')).toBeUndefined();
  });
});
