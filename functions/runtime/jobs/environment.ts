/** The environment variables the CDK app sets on job functions, read in one place. */
export const JOB_ENV = {
  environment: 'XIKOLO_ENV',
  queue: 'XIKOLO_JOB_QUEUE',
  ledgerTable: 'XIKOLO_JOB_LEDGER_TABLE',
  deduplicationDays: 'XIKOLO_DEDUPLICATION_DAYS',
} as const;

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the CDK app sets it on every job function; locally, npm start does)`);
  return value;
}

export const LONG_RUNNING_ENV = {
  /** JSON: job class name → state machine ARN. */
  stateMachines: 'XIKOLO_STATE_MACHINES',
  /** Milliseconds a slice may run before it checkpoints and hands over. */
  sliceBudgetMs: 'XIKOLO_SLICE_BUDGET_MS',
} as const;
