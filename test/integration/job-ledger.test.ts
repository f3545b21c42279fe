import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DynamoJobLedger } from '../../functions/runtime/jobs/ledger';
import { startDynamo, createLedgerTable, type LocalDynamo } from '../support/dynamodb';

let dynamo: LocalDynamo;
let clock = Date.parse('2026-12-04T12:00:00Z');
let ledger: DynamoJobLedger;

beforeAll(async () => {
  dynamo = await startDynamo();
  await createLedgerTable(dynamo, 'ledger');
  ledger = new DynamoJobLedger(dynamo.client, 'ledger', 14, () => clock);
});
afterAll(() => dynamo.stop());

describe('job ledger on a real DynamoDB API', () => {
  it('leases a job once; a second delivery sees it running', async () => {
    expect(await ledger.begin('job-1', 60_000)).toBe('acquired');
    expect(await ledger.begin('job-1', 60_000)).toBe('in_progress');
  });

  it('remembers a completed job so a later delivery skips it', async () => {
    await ledger.complete('job-1');
    expect(await ledger.begin('job-1', 60_000)).toBe('completed');
  });

  it('releases a failed run so its retry can run', async () => {
    expect(await ledger.begin('job-2', 60_000)).toBe('acquired');
    await ledger.release('job-2');
    expect(await ledger.begin('job-2', 60_000)).toBe('acquired');
  });

  it('lets a new run take over a lease that expired (its run crashed)', async () => {
    expect(await ledger.begin('job-3', 60_000)).toBe('acquired');
    clock += 61_000;
    expect(await ledger.begin('job-3', 60_000)).toBe('acquired');
  });

  it('never releases a completed job', async () => {
    expect(await ledger.begin('job-4', 60_000)).toBe('acquired');
    await ledger.complete('job-4');
    await ledger.release('job-4');
    expect(await ledger.begin('job-4', 60_000)).toBe('completed');
  });
});
