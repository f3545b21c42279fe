/** DataStack: tables, certificate bucket and vendor secret, synthesized with cdk-nag on, for every environment. */
import { describe, it, expect } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableNag, describeValidationFailure, acknowledgeNag } from '../../lib/nag';
import { DataStack } from '../../lib/stacks/data-stack';
import { loadEnvironment } from '../../lib/config/environment';
import { TABLES } from '../../functions/app/domain/tables';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

function build(environment: string, account?: string) {
  const outdir = mkdtempSync(join(tmpdir(), `xa-data-${environment}-`));
  const app = new App({ outdir });
  enableNag(app);
  const config = loadEnvironment(environment);
  const env = { ...(account ? { account } : {}), region: config.region ?? 'eu-central-1' };
  const data = new DataStack(app, `xikolo-async-${environment}-data`, { config, env });
  // Functions of another stack, granted as the lead wires the job workers and consumers.
  const other = new Stack(app, `xikolo-async-${environment}-probe`, { env });
  const fn = (id: string) => {
    const f = new lambda.Function(other, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    // The probe functions' own findings (managed basic-execution policy, runtime check) are not what this test is about.
    acknowledgeNag(f, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'test-only probe function standing in for a worker');
    acknowledgeNag(f, 'L1', 'test-only probe function standing in for a worker, on Node.js 24');
    return f;
  };
  const jobFn = fn('JobWorker');
  const consumerFn = fn('Consumer');
  data.grantJobs(jobFn);
  data.grantConsumers(consumerFn);
  let error: Error | undefined;
  try {
    app.synth();
  } catch (err) {
    error = new Error(`${(err as Error).message}\n${describeValidationFailure(outdir)}`);
  }
  if (error) return { data, other, outdir, error, t: undefined as unknown as Template, probe: undefined as unknown as Template, config };
  return { data, other, outdir, error, t: Template.fromStack(data), probe: Template.fromStack(other), config };
}

describe.each(['development', 'staging', 'production'])('data stack (%s)', (environment) => {
  const built = build(environment, '123456789012');
  const { t, config } = built;
  const tables = Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable');

  it('synthesizes with no unacknowledged cdk-nag finding, its grants on other stacks\' functions included', () => {
    expect(built.error).toBeUndefined();
  });

  it('has one on-demand, encrypted table with point-in-time recovery per catalogue entry, named for the environment', () => {
    expect(tables).toHaveLength(Object.keys(TABLES).length);
    for (const def of Object.values(TABLES)) {
      t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `xikolo-async-${environment}-${def.suffix}`,
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: config.retainData })],
      });
    }
  });

  it('retains tables where data is retained', () => {
    for (const [, r] of tables) expect(r.DeletionPolicy).toBe(config.retainData ? 'Retain' : 'Delete');
  });

  it('builds the cleanup indexes the daily jobs query (never a scan)', () => {
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `xikolo-async-${environment}-vouchers`,
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'claimantIpByClaimedAt', KeySchema: [{ AttributeName: 'ip_shard', KeyType: 'HASH' }, { AttributeName: 'claimed_at', KeyType: 'RANGE' }] })],
    });
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `xikolo-async-${environment}-accounts`,
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'unconfirmedByCreatedAt', KeySchema: [{ AttributeName: 'unconfirmed_shard', KeyType: 'HASH' }, { AttributeName: 'created_at', KeyType: 'RANGE' }] })],
    });
  });

  it('keeps certificate images in a private, encrypted, TLS-only bucket with access logging', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `xa-${environment}-certs-123456789012-eu-central-1`,
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'certificate-images/' }),
    });
    const policies = Object.values(t.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const policy of policies) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });

  it('holds the vendor credentials in a secret with a generated placeholder, never a value from code', () => {
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `xikolo-async-${environment}-proctoring-vendor`,
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'license_key', SecretStringTemplate: JSON.stringify({ account_name: 'replace-with-vendor-account' }) }),
    });
    const secret = Object.values(t.toJSON().Resources as Record<string, Resource>).find((r) => r.Type === 'AWS::SecretsManager::Secret')!;
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it('gives job workers every table and index, certificate uploads and the secret; consumers only their tables; no Scan, no exports', () => {
    const policies = Object.values(built.probe.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::IAM::Policy');
    const byRole = (role: string) => JSON.stringify(policies.find((p) => JSON.stringify(p.Properties.Roles).includes(role))!.Properties.PolicyDocument);
    const job = byRole('JobWorker');
    const consumer = byRole('Consumer');
    for (const def of Object.values(TABLES)) expect(job).toContain(`table/xikolo-async-${environment}-${def.suffix}`);
    expect(job).toContain('/index/claimantIpByClaimedAt');
    expect(job).toContain('/index/unconfirmedByCreatedAt');
    expect(job).toContain(`xa-${environment}-certs-123456789012-eu-central-1/proctoring/certificate-images/*`);
    expect(job).toContain(`secret:xikolo-async-${environment}-proctoring-vendor-??????`);
    expect(job).not.toContain('dynamodb:Scan');
    expect(consumer).toContain(`table/xikolo-async-${environment}-gamification`);
    expect(consumer).toContain('/index/byUser');
    expect(consumer).not.toContain('vouchers');
    expect(consumer).not.toContain('s3:');
    expect(JSON.stringify(built.probe.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('tells functions the physical names of what they use', () => {
    const env = built.data.environmentFor('jobs');
    expect(env).toMatchObject({
      XIKOLO_TABLE_GAMIFICATION: `xikolo-async-${environment}-gamification`,
      XIKOLO_TABLE_ACCOUNTS: `xikolo-async-${environment}-accounts`,
      XIKOLO_CERTIFICATE_BUCKET: `xa-${environment}-certs-123456789012-eu-central-1`,
      XIKOLO_PROCTORING_SECRET: `xikolo-async-${environment}-proctoring-vendor`,
    });
    expect(Object.keys(built.data.environmentFor('consumers')).sort()).toEqual(['XIKOLO_TABLE_COURSES', 'XIKOLO_TABLE_GAMIFICATION', 'XIKOLO_TABLE_NEWS']);
  });
});

describe('data stack without a configured account', () => {
  it('synthesizes cdk-nag clean, with the account as a pseudo parameter in names and acknowledgments', () => {
    const built = build('development');
    expect(built.error).toBeUndefined();
    expect(built.data.environmentFor().XIKOLO_CERTIFICATE_BUCKET).toMatch(/^xa-development-certs-\$\{Token\[AWS\.AccountId\.\d+\]\}-eu-central-1$/);
  });
});
