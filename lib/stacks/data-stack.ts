/**
 * An environment's data: the DynamoDB tables of Xikolo's records, the private
 * bucket for proctoring certificate images, and the secret holding the
 * proctoring vendor's credentials. Functions get access through
 * `grantJobs` / `grantConsumers` and their settings through `environmentFor`.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { DataTables, RECORD_ACTIONS } from '../constructs/data-tables';
import { acknowledgeNag } from '../nag';
import { resourceName } from '../naming';
import { RESOURCE_ENV, TABLES, type TableKey } from '../../functions/app/domain/tables';

import { CERTIFICATE_IMAGE_PREFIX as CERTIFICATE_PREFIX } from '../../functions/app/jobs/proctoring-jobs';

/** How cdk-nag prints a string that may contain the account and region pseudo parameters. */
function nagValue(value: string): string {
  if (!Token.isUnresolved(value)) return value;
  return value.replace(/\$\{Token\[AWS\.AccountId\.\d+\]\}/g, '<AWS::AccountId>').replace(/\$\{Token\[AWS\.Region\.\d+\]\}/g, '<AWS::Region>');
}

export type DataStackProps = StackProps & { readonly config: EnvironmentConfig };

/** Which functions need what. */
export type DataConsumer = 'jobs' | 'consumers';

/** Tables the consumers' domain services use (gamification, course clone lookups, news). */
export const CONSUMER_TABLES: readonly TableKey[] = ['gamification', 'courses', 'news'];

export class DataStack extends Stack {
  readonly tables: DataTables;
  readonly certificateBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly proctoringSecret: secretsmanager.Secret;
  /** Physical names, known at synth: functions in other stacks use them without cross-stack exports. */
  readonly certificateBucketName: string;
  readonly proctoringSecretName: string;
  private readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    // Log delivery through a bucket policy (no ACLs), whether or not the app carries cdk.json's flags (tests build bare Apps).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { config } = props;
    this.config = config;
    const retain = config.retainData;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.tables = new DataTables(this, 'Tables', { environment: config.name, retain });

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(retain ? 365 : 30) }],
      removalPolicy,
      autoDeleteObjects: false,
    });
    acknowledgeNag(this.accessLogBucket, 'S1', 'This bucket is the destination of the certificate bucket\'s server access logs; logging it into itself or a third bucket would only log the log delivery.');

    // Bucket names are global and at most 63 characters: a short prefix, the environment, account and region.
    this.certificateBucketName = `xa-${config.name}-certs-${this.account}-${this.region}`;
    this.certificateBucket = new s3.Bucket(this, 'CertificateImages', {
      bucketName: this.certificateBucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Images are personal data written again on every upload: versions would keep replaced images around.
      versioned: false,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'certificate-images/',
      removalPolicy,
      autoDeleteObjects: false,
    });

    this.proctoringSecretName = resourceName(config.name, 'proctoring-vendor');
    this.proctoringSecret = new secretsmanager.Secret(this, 'ProctoringCredentials', {
      secretName: this.proctoringSecretName,
      description: `Proctoring vendor (SMOWL) credentials for xikolo-async ${config.name}: JSON {"account_name", "license_key", "base_url"?}. Replace the generated placeholder with the vendor-issued values.`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ account_name: 'replace-with-vendor-account' }),
        generateStringKey: 'license_key',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy,
    });
    acknowledgeNag(this.proctoringSecret, 'SMG4', 'The vendor issues and rotates this license key in its own portal; Secrets Manager cannot rotate it, so operators replace the value when the vendor rotates it.');
  }

  /** Environment variables a function needs for the data it uses (plain names: no cross-stack exports). */
  environmentFor(consumer: DataConsumer = 'jobs', tables: readonly TableKey[] = CONSUMER_TABLES): Record<string, string> {
    if (consumer === 'consumers') {
      return { ...this.tableEnvironment(tables), ...this.gamificationEnvironment() };
    }
    return {
      ...this.tableEnvironment(Object.keys(TABLES) as TableKey[]),
      [RESOURCE_ENV.certificateBucket]: this.certificateBucketName,
      [RESOURCE_ENV.proctoringSecret]: this.proctoringSecretName,
      ...this.gamificationEnvironment(),
    };
  }

  /** Job workers: record access to every table and its indexes, certificate uploads, reading the vendor secret. */
  grantJobs(fn: lambda.IFunction): void {
    this.grantTables(fn, Object.keys(TABLES) as TableKey[]);
    const stack = Stack.of(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [`arn:${stack.partition}:s3:::${this.certificateBucketName}/${CERTIFICATE_PREFIX}*`],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        // Secrets Manager appends six random characters to a secret's name in its ARN.
        resources: [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${this.proctoringSecretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    if (fn.role) {
      acknowledgeNag(
        fn.role,
        `IAM5[Resource::arn:${Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition}:s3:::${nagValue(this.certificateBucketName)}/${CERTIFICATE_PREFIX}*]`,
        'Certificate images are written under one key per course and learner (proctoring/certificate-images/<course>/<user>.<ext>), unknown until the job runs; only s3:PutObject under that prefix of the one bucket is allowed.',
      );
    }
  }

  /** Consumer functions: record access to the tables their services use. */
  grantConsumers(fn: lambda.IFunction, tables: readonly TableKey[] = CONSUMER_TABLES): void {
    if (tables.length === 0) return;
    this.grantTables(fn, tables);
  }

  private grantTables(fn: lambda.IFunction, keys: readonly TableKey[]): void {
    const stack = Stack.of(fn);
    const resources = keys.flatMap((key) => {
      const name = resourceName(this.config.name, TABLES[key].suffix);
      const arn = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: name });
      return [arn, ...TABLES[key].indexes.map((index) => `${arn}/index/${index.name}`)];
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...RECORD_ACTIONS], resources }));
  }

  private tableEnvironment(keys: readonly TableKey[]): Record<string, string> {
    return Object.fromEntries(keys.map((key) => [TABLES[key].env, resourceName(this.config.name, TABLES[key].suffix)]));
  }

  private gamificationEnvironment(): Record<string, string> {
    const rules = (this.config as EnvironmentConfig & { gamification_rules?: unknown }).gamification_rules;
    return rules === undefined ? {} : { [RESOURCE_ENV.gamificationRules]: JSON.stringify(rules) };
  }
}
