/**
 * A consumer Lambda's configuration: one JSON environment variable,
 * `CONSUMER_CONFIG`, written by the CDK from config/routes.yml and the
 * environment's settings (lib/constructs/consumer-function.ts). The routes are
 * validated again against the registry at cold start, so a function deployed
 * with a route its code does not know fails loudly at init, not per message.
 */
import * as z from 'zod/mini';
import type { ConsumerRegistry } from './consumer';
import { checkRoutes, RouteValidationError, type Route } from './routes';

export const CONSUMER_CONFIG_VARIABLE = 'CONSUMER_CONFIG';

const rawSchema = z.object({
  environment: z.string().check(z.minLength(1)),
  consumer: z.string().check(z.minLength(1)),
  routes: z.array(z.object({ to: z.string(), keys: z.array(z.string()).check(z.minLength(1)) })).check(z.minLength(1)),
  features: z.record(z.string(), z.boolean()),
  maxAttempts: z.number().check(z.int(), z.minimum(1), z.maximum(1000)),
  /** EventBridge mode: where bad input is dead-lettered at once. */
  deadLetterQueueUrl: z.optional(z.string()),
  /** Amazon MQ mode: how to reach the broker to dead-letter bad input at once. */
  broker: z.optional(
    z.object({
      amqpUrl: z.string().check(z.regex(/^amqps?:\/\//)),
      secretArn: z.string(),
      vhost: z.string(),
      deadLetterExchange: z.string(),
    }),
  ),
});

export type RawConsumerConfig = z.infer<typeof rawSchema>;

export interface ConsumerConfig extends Omit<RawConsumerConfig, 'routes'> {
  readonly routes: readonly Route[];
}

export class ConsumerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsumerConfigError';
  }
}

/** Reads and validates CONSUMER_CONFIG; every error names the variable and what to do. */
export function readConsumerConfig<S>(env: Readonly<Record<string, string | undefined>>, registry: ConsumerRegistry<S>): ConsumerConfig {
  const text = env[CONSUMER_CONFIG_VARIABLE];
  const redeploy = 'the CDK stack writes it (lib/constructs/consumer-function.ts): redeploy the messaging stack';
  if (!text) throw new ConsumerConfigError(`${CONSUMER_CONFIG_VARIABLE} is not set; ${redeploy}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConsumerConfigError(`${CONSUMER_CONFIG_VARIABLE} is not JSON (${(error as Error).message}); ${redeploy}`);
  }
  const parsed = rawSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConsumerConfigError(`${CONSUMER_CONFIG_VARIABLE} is malformed (${detail}); ${redeploy}`);
  }
  const { routes, problems } = checkRoutes(parsed.data.routes, registry);
  if (problems.length > 0) throw new RouteValidationError(CONSUMER_CONFIG_VARIABLE, problems);
  const foreign = routes.filter((r) => r.consumer !== parsed.data.consumer);
  if (foreign.length > 0) {
    throw new ConsumerConfigError(`${CONSUMER_CONFIG_VARIABLE} gives consumer "${parsed.data.consumer}" routes of other consumers (${foreign.map((r) => r.to).join(', ')}); ${redeploy}`);
  }
  return { ...parsed.data, routes };
}
