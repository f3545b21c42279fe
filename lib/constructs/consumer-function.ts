/**
 * One Lambda function per consumer (GamificationConsumer, CourseConsumer, …),
 * built like every function of the project (lib/constructs/lambda-function.ts:
 * bundle, Node.js 24 on arm64, own log group, X-Ray), with its own role that
 * gets only what its transport grants on top (least privilege per consumer).
 * Its configuration, CONSUMER_CONFIG, is written from config/routes.yml and
 * the environment's settings.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ConsumerDefinition } from '../../functions/runtime/consumers/consumer';
import { CONSUMER_CONFIG_VARIABLE, type RawConsumerConfig } from '../../functions/runtime/consumers/config';
import type { Route } from '../../functions/runtime/consumers/routes';
import type { EnvironmentConfig } from '../config/environment';
import { resourceName } from '../naming';
import { ProjectFunction } from './lambda-function';

/** `course_service/course` → `course-service-course` (for resource names). */
export function consumerSlug(name: string): string {
  return name.replace(/[/_]/g, '-');
}

export interface ConsumerFunctionProps {
  readonly config: EnvironmentConfig;
  readonly consumer: ConsumerDefinition<never> | ConsumerDefinition<unknown>;
  readonly routes: readonly Route[];
  /** Lambda entry point in functions/handlers (without .ts). */
  readonly handler: 'consumer-eventbridge' | 'consumer-rabbitmq';
  readonly maxAttempts: number;
  /** Transport settings added to CONSUMER_CONFIG (dead-letter queue URL or broker). */
  readonly transport: Pick<RawConsumerConfig, 'deadLetterQueueUrl' | 'broker'>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
}

export class ConsumerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ConsumerFunctionProps) {
    super(scope, id);
    const runtimeConfig: RawConsumerConfig = {
      environment: props.config.name,
      consumer: props.consumer.name,
      routes: props.routes.map((r) => ({ to: r.to, keys: [...r.keys] })),
      features: props.config.features,
      maxAttempts: props.maxAttempts,
      ...props.transport,
    };
    const projectFunction = new ProjectFunction(this, 'Function', {
      handler: props.handler,
      functionName: resourceName(props.config.name, `consumer-${consumerSlug(props.consumer.name)}`),
      description: `Msgr consumer ${props.consumer.className}: ${props.routes.map((r) => r.action).join(', ')}`,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 256,
      logRetentionDays: props.config.logRetentionDays,
      environment: { [CONSUMER_CONFIG_VARIABLE]: Stack.of(this).toJsonString(runtimeConfig) },
    });
    this.function = projectFunction.function;
    this.role = projectFunction.role;
    this.logGroup = projectFunction.logGroup;
  }
}
