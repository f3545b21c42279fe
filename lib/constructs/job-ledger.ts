/**
 * The job ledger table: one item per job id for jobs that declare
 * deduplication. On-demand, encrypted, TTL-expired; point-in-time recovery
 * and deletion protection where data is retained (production).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { resourceName } from '../naming';

export interface JobLedgerProps {
  readonly environment: string;
  readonly retain: boolean;
}

export class JobLedger extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: JobLedgerProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: resourceName(props.environment, 'job-ledger'),
      partitionKey: { name: 'jobId', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }

  /** The worker's lease, complete and release calls, nothing more. */
  grantLeases(grantee: iam.IGrantable): void {
    this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
  }
}
