/**
 * Xikolo's record tables, built from the catalogue in
 * functions/app/domain/tables.ts (keys, indexes and the environment variable
 * of each table are written there once). On-demand, encrypted, point-in-time
 * recovery; deletion protection and retention where data is retained.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableKey } from '../../functions/app/domain/tables';
import { resourceName } from '../naming';

export interface DataTablesProps {
  readonly environment: string;
  readonly retain: boolean;
}

/** The item-level actions the application's repositories use; no Scan, no table management (DataStack grants them). */
export const RECORD_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;

const str = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

export class DataTables extends Construct {
  readonly tables: ReadonlyMap<TableKey, dynamodb.TableV2>;

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    const tables = new Map<TableKey, dynamodb.TableV2>();
    for (const key of Object.keys(TABLES) as TableKey[]) {
      const def = TABLES[key];
      tables.set(
        key,
        new dynamodb.TableV2(this, `Table-${key}`, {
          tableName: resourceName(props.environment, def.suffix),
          partitionKey: str(def.partitionKey),
          ...('sortKey' in def ? { sortKey: str(def.sortKey) } : {}),
          globalSecondaryIndexes: def.indexes.map((index) => ({
            indexName: index.name,
            partitionKey: str(index.partitionKey),
            ...('sortKey' in index && index.sortKey ? { sortKey: str(index.sortKey) } : {}),
            projectionType: dynamodb.ProjectionType.ALL,
          })),
          billing: dynamodb.Billing.onDemand(),
          encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: props.retain,
          removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
      );
    }
    this.tables = tables;
  }

  table(key: TableKey): dynamodb.TableV2 {
    return this.tables.get(key)!;
  }
}
