/**
 * The DynamoDB tables of Xikolo's records: their keys and indexes, and the
 * environment variable that carries each table's name. The CDK app
 * (lib/constructs/data-tables.ts) builds the tables from this catalogue and
 * tests create them from it, so key names and indexes are written once.
 */

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface TableDefinition {
  /** Suffix of the physical name: `xikolo-async-<env>-<suffix>`. */
  readonly suffix: string;
  /** Environment variable holding the physical table name. */
  readonly env: string;
  readonly description: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Global secondary indexes (all string keys, all attributes projected). */
  readonly indexes: readonly IndexDefinition[];
}

export const TABLES = {
  gamification: {
    suffix: 'gamification',
    env: 'XIKOLO_TABLE_GAMIFICATION',
    description: 'scores (one item per rule and checksum) and badges',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'byUser', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  },
  courses: {
    suffix: 'courses',
    env: 'XIKOLO_TABLE_COURSES',
    description: 'courses, their sections and items, course codes and results',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'byContent', partitionKey: 'content_id' }],
  },
  news: {
    suffix: 'news',
    env: 'XIKOLO_TABLE_NEWS',
    description: 'news announcements and their sending state',
    partitionKey: 'pk',
    indexes: [],
  },
  lti: {
    suffix: 'lti',
    env: 'XIKOLO_TABLE_LTI',
    description: 'LTI gradebooks and grades',
    partitionKey: 'pk',
    indexes: [],
  },
  proctoring: {
    suffix: 'proctoring',
    env: 'XIKOLO_TABLE_PROCTORING',
    description: 'quiz submissions and enrollments with their proctoring data',
    partitionKey: 'pk',
    indexes: [],
  },
  vouchers: {
    suffix: 'vouchers',
    env: 'XIKOLO_TABLE_VOUCHERS',
    description: 'vouchers; claimant IPs still stored are indexed by claim time for the yearly cleanup',
    partitionKey: 'pk',
    indexes: [{ name: 'claimantIpByClaimedAt', partitionKey: 'ip_shard', sortKey: 'claimed_at' }],
  },
  videos: {
    suffix: 'videos',
    env: 'XIKOLO_TABLE_VIDEOS',
    description: 'video providers and the videos synchronized from them',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
  },
  accounts: {
    suffix: 'accounts',
    env: 'XIKOLO_TABLE_ACCOUNTS',
    description: 'user accounts; unconfirmed, non-archived ones indexed by creation time for the daily cleanup',
    partitionKey: 'pk',
    indexes: [{ name: 'unconfirmedByCreatedAt', partitionKey: 'unconfirmed_shard', sortKey: 'created_at' }],
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;
export type TableNames = Readonly<Record<TableKey, string>>;

/** Environment variables for the non-table resources the jobs use. */
export const RESOURCE_ENV = {
  /** S3 bucket for proctoring certificate images. */
  certificateBucket: 'XIKOLO_CERTIFICATE_BUCKET',
  /** Secrets Manager secret (name or ARN) with the proctoring vendor's credentials. */
  proctoringSecret: 'XIKOLO_PROCTORING_SECRET',
  /** JSON of the environment's `gamification_rules` (optional; Xikolo's defaults otherwise). */
  gamificationRules: 'XIKOLO_GAMIFICATION_RULES',
} as const;

export class MissingTableConfigError extends Error {
  constructor(readonly variable: string, readonly table: string) {
    super(`environment variable ${variable} (name of the ${table} table) is not set: the CDK app sets it on every function DataStack.grant… was called for; locally, set it to the table name`);
    this.name = 'MissingTableConfigError';
  }
}

/** Reads the physical name of one table from the environment. */
export function tableName(key: TableKey, env: NodeJS.ProcessEnv = process.env): string {
  const { env: variable } = TABLES[key];
  const value = env[variable];
  if (!value) throw new MissingTableConfigError(variable, key);
  return value;
}

/** Every table name; lazily per table, so a function only needs the variables of the tables it touches. */
export function tableNamesFromEnv(env: NodeJS.ProcessEnv = process.env): TableNames {
  const names = {} as Record<TableKey, string>;
  for (const key of Object.keys(TABLES) as TableKey[]) {
    Object.defineProperty(names, key, { enumerable: true, get: () => tableName(key, env) });
  }
  return names;
}

