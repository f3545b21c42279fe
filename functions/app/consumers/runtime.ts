/**
 * The consumer runtime a deployed consumer function runs, whichever transport
 * feeds it: the application's consumers and domain services, configured from
 * CONSUMER_CONFIG.
 */
import { ConsumerRuntime } from '../../runtime/consumers/dispatch';
import type { ConsumerConfig } from '../../runtime/consumers/config';
import { MetricsEmitter } from '../../runtime/metrics/emf';
import { consumers } from './registry';
import { createConsumerServices } from './services-factory';

export function deployedConsumerRuntime(config: ConsumerConfig) {
  return new ConsumerRuntime({
    registry: consumers,
    routes: config.routes,
    services: createConsumerServices(),
    features: config.features,
    maxAttempts: config.maxAttempts,
    metrics: new MetricsEmitter({ namespace: 'XikoloAsync/Consumers', defaultDimensions: { Environment: config.environment } }),
    consumerName: config.consumer,
  });
}
