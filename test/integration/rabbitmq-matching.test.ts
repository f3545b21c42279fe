/**
 * Our AMQP topic matcher against RabbitMQ itself: random bindings and routing
 * keys (fast-check, fixed seed), each binding on its own queue; the keys each
 * queue receives must be exactly those `bindingMatches` accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindingMatches } from '../../functions/runtime/consumers/amqp-topic';
import { useVhost } from './rabbitmq-support';

const word = fc.constantFrom('a', 'b', 'c');
const bindingWord = fc.oneof({ weight: 3, arbitrary: word }, { weight: 1, arbitrary: fc.constant('*') }, { weight: 1, arbitrary: fc.constant('#') });
const bindings = [...new Set(fc.sample(fc.array(bindingWord, { minLength: 1, maxLength: 4 }).map((w) => w.join('.')), { numRuns: 60, seed: 4242 }))].slice(0, 40);
const keys = [...new Set(fc.sample(fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join('.')), { numRuns: 120, seed: 2424 }))].slice(0, 60);

describe('AMQP topic matching agrees with RabbitMQ', () => {
  const broker = useVhost('xikolo-matching');

  it(`routes ${keys.length} keys through ${bindings.length} bindings exactly as bindingMatches predicts`, async () => {
    const { channel } = broker;
    expect(bindings.length).toBeGreaterThan(20);
    await channel.assertExchange('match', 'topic', { durable: false });
    for (const [i, binding] of bindings.entries()) {
      await channel.assertQueue(`q${i}`, { durable: false });
      await channel.bindQueue(`q${i}`, 'match', binding);
    }
    for (const key of keys) channel.publish('match', key, Buffer.from(key));
    await channel.waitForConfirms();
    for (const [i, binding] of bindings.entries()) {
      const received: string[] = [];
      for (;;) {
        const message = await channel.get(`q${i}`, { noAck: true });
        if (!message) break;
        received.push(message.content.toString());
      }
      expect(received.sort(), `binding ${binding}`).toEqual(keys.filter((k) => bindingMatches(binding, k)).sort());
    }
  });
});
