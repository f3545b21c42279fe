/**
 * The deployed artifacts: each consumer handler bundled exactly as the stack
 * deploys it (lib/bundling.ts), loaded with a CONSUMER_CONFIG like the one the
 * stack writes, and invoked with a Lambda event. No AWS call is needed on
 * these paths (gamification is off; a missing domain service only fails).
 */
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bundleHandler } from '../../lib/bundling';
import { loadRoutes } from '../../lib/messaging/routes';
import { envelope, sqsRecord } from './helpers';
import { msgrMessage, rmqEvent } from './rmq-event';

const routes = loadRoutes();

async function loadBundle(name: string, config: Record<string, unknown>): Promise<{ handler: (event: unknown) => Promise<unknown> }> {
  const bundle = bundleHandler(name);
  vi.stubEnv('CONSUMER_CONFIG', JSON.stringify(config));
  // A query string gives each load its own module instance (the config is read at load).
  return (await import(`${pathToFileURL(bundle.file).href}?t=${Date.now()}-${Math.random()}`)) as { handler: (event: unknown) => Promise<unknown> };
}

const configFor = (consumer: string) => ({
  environment: 'test',
  consumer,
  routes: routes.filter((r) => r.consumer === consumer).map((r) => ({ to: r.to, keys: r.keys })),
  features: { 'gamification.enabled': false },
  maxAttempts: 8,
});

describe('bundled consumer handlers', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('consumer-eventbridge acknowledges a disabled consumer\'s message and emits its metrics', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const { handler } = await loadBundle('consumer-eventbridge', { ...configFor('gamification'), deadLetterQueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/dlq' });
    const response = await handler({ Records: [sqsRecord(envelope('gamification#vote_create', 'xikolo.pinboard.vote.create', { id: 'v' }))] });
    expect(response).toEqual({ batchItemFailures: [] });
    const events = lines.map((l) => JSON.parse(l) as { event?: string; Environment?: string }).filter((l) => l.event);
    expect(events.map((e) => [e.event, e.Environment])).toEqual([
      ['delivery', 'test'],
      ['disabled', 'test'],
    ]);
  });

  it('consumer-rabbitmq returns the batch while the domain service is not implemented (never a silent ack)', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { handler } = await loadBundle('consumer-rabbitmq', {
      ...configFor('news'),
      broker: { amqpUrl: 'amqps://b-1.mq.eu-central-1.amazonaws.com:5671', secretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:x', vhost: '/', deadLetterExchange: 'msgr.dead-letter' },
    });
    await expect(handler(rmqEvent('msgr.consumer.NewsConsumer.update_state', [msgrMessage({ news_id: 'n' })]))).rejects.toThrow(/1 of 1 messages failed/);
  });

  it('a handler deployed without its configuration fails at load with what to do', async () => {
    const bundle = bundleHandler('consumer-eventbridge');
    vi.stubEnv('CONSUMER_CONFIG', '');
    await expect(import(`${pathToFileURL(bundle.file).href}?t=missing-${Date.now()}`)).rejects.toThrow(/CONSUMER_CONFIG is not set; .*redeploy the messaging stack/);
  });
});
