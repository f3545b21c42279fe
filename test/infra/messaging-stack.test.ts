/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation templates are untyped JSON; the assertions check their shape. */
/**
 * The messaging stack in both modes for every environment: synthesized with
 * cdk-nag (a finding fails the synth), then checked resource by resource.
 * In EventBridge mode every seed route is also driven through the synthesized
 * rules (pattern → input transformer → SQS body) into the real consumer
 * handler code.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumers } from '../../functions/app/consumers/registry';
import { ConsumerRuntime } from '../../functions/runtime/consumers/dispatch';
import { createSqsConsumerHandler } from '../../functions/runtime/consumers/sqs-transport';
import type { TopologySpec } from '../../functions/runtime/consumers/topology';
import { loadEnvironment, type EnvironmentConfig } from '../../lib/config/environment';
import { describeValidationFailure, enableNag } from '../../lib/nag';
import { loadRoutes } from '../../lib/messaging/routes';
import { MessagingStack } from '../../lib/stacks/messaging-stack';
import { matchesEventPattern } from '../consumers/eventbridge-pattern';
import { collectLogs, collectMetrics, eventBridgeEvent, recordingServices, sqsRecord } from '../consumers/helpers';

const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
const routes = loadRoutes();
const consumerNames = [...new Set(routes.map((r) => r.consumer))];

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string };

function synth(environment: string, messaging: EnvironmentConfig['messaging']) {
  const outdir = mkdtempSync(join(tmpdir(), `xa-messaging-${environment}-${messaging}-`));
  const app = new App({ outdir });
  enableNag(app);
  const config = { ...loadEnvironment(environment), messaging };
  const stack = new MessagingStack(app, `xikolo-async-${environment}-messaging`, { config, env: { account: '123456789012', region: 'eu-central-1' } });
  try {
    app.synth();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${describeValidationFailure(outdir)}`);
  }
  const template = Template.fromStack(stack);
  const all = template.toJSON().Resources as Record<string, Resource>;
  const of = (type: string) => Object.entries(all).filter(([, r]) => r.Type === type);
  return { stack, template, all, of, config };
}

describe.each(ENVIRONMENTS)('messaging stack, %s', (environment) => {
  describe('EventBridge mode', () => {
    const { of, all, config } = synth(environment, 'eventbridge');

    it('has one bus for the environment', () => {
      const buses = of('AWS::Events::EventBus');
      expect(buses).toHaveLength(1);
      expect(buses[0]![1].Properties.Name).toBe(`xikolo-async-${environment}-msgr`);
    });

    it('has one rule per route, matching its keys, into its consumer\'s queue with retries and a dead-letter queue', () => {
      const rules = of('AWS::Events::Rule');
      expect(rules).toHaveLength(routes.length + 1); // + the unrouted rule
      for (const route of routes) {
        const rule = rules.find(([, r]) => String(r.Properties.Description).includes(`→ ${route.to} `));
        expect(rule, route.to).toBeDefined();
        const props = rule![1].Properties;
        expect(props.EventPattern).toEqual({ 'detail-type': route.keys });
        expect(props.Targets).toHaveLength(1);
        const target = props.Targets[0];
        expect(target.InputTransformer.InputTemplate).toBe(`{"route":"${route.to}","event":<aws.events.event.json>}`);
        expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
        expect(target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^MsgrTargetDeadLetterQueue/);
        const queueId = target.Arn['Fn::GetAtt'][0] as string;
        expect(all[queueId]!.Properties.QueueName).toBe(`xikolo-async-${environment}-consumer-${route.consumer}`);
      }
    });

    it('sends events no route serves to the unrouted parking queue', () => {
      const unrouted = of('AWS::Events::Rule').find(([id]) => id.startsWith('MsgrUnrouted'))!;
      expect(unrouted[1].Properties.EventPattern).toEqual({ 'detail-type': [{ 'anything-but': routes.flatMap((r) => r.keys) }] });
      expect(all[unrouted[1].Properties.Targets[0].Arn['Fn::GetAtt'][0]]!.Properties.QueueName).toBe(`xikolo-async-${environment}-msgr-unrouted`);
    });

    it('has per consumer an encrypted queue with bounded retries into a 14-day dead-letter queue', () => {
      const queues = of('AWS::SQS::Queue');
      expect(queues).toHaveLength(consumerNames.length * 2 + 2);
      for (const [, q] of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
      for (const name of consumerNames) {
        const queue = queues.find(([, q]) => q.Properties.QueueName === `xikolo-async-${environment}-consumer-${name}`)!;
        const dlq = queues.find(([, q]) => q.Properties.QueueName === `xikolo-async-${environment}-consumer-${name}-dlq`)!;
        expect(dlq[1].Properties.MessageRetentionPeriod).toBe(14 * 86400);
        expect(queue[1].Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq[0], 'Arn'] }, maxReceiveCount: 8 });
        expect(queue[1].Properties.VisibilityTimeout).toBe(180); // 6 × the 30 s function timeout
      }
      for (const [, q] of queues) expect(q.DeletionPolicy).toBe(config.retainData ? 'Retain' : 'Delete');
    });

    it('denies every request to every queue that is not over TLS', () => {
      const queueIds = new Set(of('AWS::SQS::Queue').map(([id]) => id));
      const covered = new Set<string>();
      for (const [, policy] of of('AWS::SQS::QueuePolicy')) {
        const deny = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
        if (deny) for (const ref of policy.Properties.Queues) covered.add(ref.Ref);
      }
      expect([...covered].sort()).toEqual([...queueIds].sort());
    });

    it('lets only its rules send to a consumer queue', () => {
      for (const [, policy] of of('AWS::SQS::QueuePolicy')) {
        for (const statement of policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow')) {
          expect(statement.Principal).toEqual({ Service: 'events.amazonaws.com' });
          for (const action of [statement.Action].flat()) expect(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']).toContain(action);
          expect(statement.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]).toMatch(/^Msgr(Route|Unrouted)/);
        }
      }
    });

    it('runs one function per consumer with partial batch responses and its routes in CONSUMER_CONFIG', () => {
      const functions = of('AWS::Lambda::Function');
      expect(functions).toHaveLength(consumerNames.length);
      for (const name of consumerNames) {
        const [, fn] = functions.find(([, f]) => f.Properties.FunctionName === `xikolo-async-${environment}-consumer-${name}`)!;
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 30 });
        const raw = JSON.stringify(fn.Properties.Environment.Variables.CONSUMER_CONFIG);
        for (const route of routes.filter((r) => r.consumer === name)) expect(raw).toContain(route.to);
        for (const route of routes.filter((r) => r.consumer !== name)) expect(raw).not.toContain(route.to);
        expect(raw).toContain('gamification.enabled');
      }
      const mappings = of('AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(consumerNames.length);
      for (const [, m] of mappings) expect(m.Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    });

    it('gives each consumer\'s role access to its own queues only', () => {
      for (const [, policy] of of('AWS::IAM::Policy')) {
        const roleId = policy.Properties.Roles[0].Ref as string;
        const consumerClass = /^Consumer(\w+?)Consumer/.exec(roleId)?.[1];
        expect(consumerClass, roleId).toBeDefined();
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          if (statement.Resource === '*') {
            expect(statement.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
            continue;
          }
          expect(statement.Resource['Fn::GetAtt'][0]).toMatch(new RegExp(`^Consumer${consumerClass}Consumer`));
        }
      }
    });

    it('acknowledges every cdk-nag finding it keeps with a specific reason', () => {
      const acknowledgments = Object.values(all).flatMap((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]);
      expect(acknowledgments.length).toBeGreaterThan(0);
      for (const a of acknowledgments) expect(a.reason.length).toBeGreaterThan(60);
      const sqs3 = Object.entries(all).filter(([, r]) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).some((a: { id: string }) => a.id.endsWith('SQS3')));
      // Only the rule targets' dead-letter queue and the unrouted parking queue have no dead-letter queue of their own.
      for (const [id] of sqs3) expect(id).toMatch(/^Msgr(TargetDeadLetterQueue|UnroutedQueue)/);
    });

    it('delivers every seed route through its rule and envelope to its consumer action', async () => {
      const rules = of('AWS::Events::Rule');
      const { services, calls } = recordingServices();
      const runtime = new ConsumerRuntime({ registry: consumers, routes, services, features: { 'gamification.enabled': true }, maxAttempts: 8, metrics: collectMetrics().metrics, log: collectLogs().log });
      const handler = createSqsConsumerHandler({ runtime, sqs: { sendBatch: async () => [], changeVisibilityBatch: async () => [] }, deadLetterQueueUrl: 'unused', log: collectLogs().log });
      for (const route of routes) {
        const payload = route.consumer === 'course' ? { old_course_id: 'c', new_course_code: 'n' } : route.consumer === 'news' ? { news_id: 'n' } : { id: 'x' };
        const event = eventBridgeEvent(route.keys[0]!, payload);
        const matched = rules.filter(([, r]) => matchesEventPattern(r.Properties.EventPattern, event));
        expect(matched, route.to).toHaveLength(1);
        const body = (matched[0]![1].Properties.Targets[0].InputTransformer.InputTemplate as string).replace('<aws.events.event.json>', JSON.stringify(event));
        const response = await handler({ Records: [sqsRecord(body)] });
        expect(response.batchItemFailures).toEqual([]);
      }
      expect(calls.map((c) => c.message.route)).toEqual(routes.map((r) => r.to));
      // A key no route serves only matches the unrouted rule.
      const stray = rules.filter(([, r]) => matchesEventPattern(r.Properties.EventPattern, eventBridgeEvent('xikolo.badge.award', {})));
      expect(stray.map(([id]) => id)).toEqual([expect.stringMatching(/^MsgrUnrouted/)]);
    });

    it('has no broker', () => {
      expect(of('AWS::AmazonMQ::Broker')).toHaveLength(0);
    });
  });

  describe('Amazon MQ mode', () => {
    const { of, all } = synth(environment, 'amazonmq');
    const production = environment === 'production';

    it(`runs RabbitMQ as ${production ? 'a three-node cluster' : 'a single instance'} with credentials from Secrets Manager`, () => {
      const [[, broker]] = of('AWS::AmazonMQ::Broker') as [[string, Resource]];
      expect(broker.Properties).toMatchObject({
        BrokerName: `xikolo-async-${environment}-msgr`,
        EngineType: 'RABBITMQ',
        DeploymentMode: production ? 'CLUSTER_MULTI_AZ' : 'SINGLE_INSTANCE',
        HostInstanceType: production ? 'mq.m5.large' : 'mq.t3.micro',
        AutoMinorVersionUpgrade: true,
        PubliclyAccessible: true,
      });
      const user = broker.Properties.Users[0];
      expect(user.Username).toBe('xikolo');
      expect(JSON.stringify(user.Password)).toMatch(/resolve:secretsmanager:.*SecretString:password/);
      const [[, secret]] = of('AWS::SecretsManager::Secret') as [[string, Resource]];
      expect(secret.Properties.GenerateSecretString).toMatchObject({ SecretStringTemplate: '{"username":"xikolo"}', GenerateStringKey: 'password', ExcludePunctuation: true });
    });

    it('declares the topology from the routes through a custom resource', () => {
      const [[, resource]] = of('Custom::MsgrTopology') as [[string, Resource]];
      const spec = JSON.parse(resource.Properties.Topology as string) as TopologySpec;
      expect(spec).toMatchObject({ vhost: '/', exchange: 'msgr', deadLetterExchange: 'msgr.dead-letter', deliveryLimit: 7 });
      expect(spec.queues).toEqual(
        routes.map((r) => ({ name: r.queueName, bindings: r.keys, deadLetterQueue: r.queueName.replace('msgr.consumer.', 'msgr.dead-letter.') })),
      );
      expect(JSON.stringify(resource.Properties.ManagementUrl)).toContain('ConsoleURLs');
    });

    it('maps every route queue to its consumer function, one message per invocation, after the topology exists', () => {
      const mappings = of('AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(routes.length);
      const topologyId = of('Custom::MsgrTopology')[0]![0];
      for (const route of routes) {
        const [, mapping] = mappings.find(([, m]) => m.Properties.Queues[0] === route.queueName)!;
        expect(mapping.Properties.BatchSize).toBe(1);
        expect(mapping.Properties.EventSourceArn['Fn::GetAtt'][1]).toBe('Arn');
        expect(mapping.Properties.SourceAccessConfigurations).toEqual([
          { Type: 'BASIC_AUTH', URI: { Ref: expect.stringMatching(/^BrokerCredentials/) } },
          { Type: 'VIRTUAL_HOST', URI: '/' },
        ]);
        expect(mapping.DependsOn).toContain(topologyId);
        const fnId = mapping.Properties.FunctionName.Ref as string;
        expect(all[fnId]!.Properties.FunctionName).toBe(`xikolo-async-${environment}-consumer-${route.consumer}`);
      }
    });

    it('lets each consumer read the broker secret and describe the broker, nothing else', () => {
      for (const [, policy] of of('AWS::IAM::Policy').filter(([id]) => id.startsWith('MsgrConsumer'))) {
        const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
        expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'mq:DescribeBroker', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort());
      }
    });

    it('has no bus and no SQS queues', () => {
      expect(of('AWS::Events::EventBus')).toHaveLength(0);
      expect(of('AWS::SQS::Queue')).toHaveLength(0);
    });
  });
});

describe('broker settings', () => {
  it('refuses a cluster on a t3 instance, saying what to choose', () => {
    const app = new App();
    expect(() => new MessagingStack(app, 'x', { config: { ...loadEnvironment('production'), messaging: 'amazonmq' }, broker: { instanceType: 'mq.t3.micro' } })).toThrow(
      /a RabbitMQ cluster needs an mq\.m5 \(or larger\) instance type, not mq\.t3\.micro/,
    );
  });
});
