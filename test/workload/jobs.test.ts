/** Xikolo's jobs against a real DynamoDB API (dynalite). */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient, SendMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { startWorld, bodyOf, ENDPOINTS, type World } from './world';
import { jobs } from '../../functions/app/jobs';
import { PublishGradeJob, gradePoints } from '../../functions/app/jobs/publish-grade-job';
import { StoreSubmissionResultsJob, UploadCertificateImageJob, certificateImageKey } from '../../functions/app/jobs/proctoring-jobs';
import { DeleteClaimantIPJob } from '../../functions/app/jobs/delete-claimant-ip-job';
import { UnconfirmedAccountsDeletionWorker } from '../../functions/app/jobs/unconfirmed-accounts-deletion-worker';
import { SyncVideosJob } from '../../functions/app/jobs/sync-videos-job';
import { setJobDependencies, type CertificateStore } from '../../functions/app/jobs/dependencies';
import { executeJob } from '../../functions/runtime/jobs/execution';
import { createJobWorker } from '../../functions/runtime/jobs/worker';
import { ExpectedRetry } from '../../functions/runtime/jobs/errors';
import { GlobalId, kwargs } from '../../functions/runtime/jobs/serialization';
import { MetricsEmitter } from '../../functions/runtime/metrics/emf';
import { ProctoringServiceError, type ProctoringVendor, type SubmissionResults, type CertificateImage } from '../../functions/app/vendors/proctoring';
import { AccountInactive, AuthenticationFailed, type RemoteVideo, type VideoProviderClient } from '../../functions/app/vendors/video';
import type { VideoProvider } from '../../functions/app/domain/videos';
import type { AnyJob } from '../../functions/runtime/jobs/job';
import { ACTIVEJOB_FIXTURES } from '../support/shared';

let world: World;
const reported: { error: Error; context: Record<string, unknown> }[] = [];
const commands: string[] = [];

class FakeVendor implements ProctoringVendor {
  results: SubmissionResults | Error = { status: 'pending' };
  image: CertificateImage | undefined | Error;
  calls: string[] = [];
  async submissionResults(ref: { courseId: string; quizId: string; userId: string }): Promise<SubmissionResults> {
    this.calls.push(`results ${ref.courseId}/${ref.quizId}/${ref.userId}`);
    if (this.results instanceof Error) throw this.results;
    return this.results;
  }
  async certificateImage(ref: { courseId: string; userId: string }): Promise<CertificateImage | undefined> {
    this.calls.push(`image ${ref.courseId}/${ref.userId}`);
    if (this.image instanceof Error) throw this.image;
    return this.image;
  }
}

const vendor = new FakeVendor();
const stored = new Map<string, { body: Uint8Array; contentType: string }>();
const certificates: CertificateStore = { put: async (key, body, contentType) => void stored.set(key, { body, contentType }) };
const syncCalls: { provider: string; since: string | undefined }[] = [];
let providerPages: Record<string, RemoteVideo[][] | Error> = {};
const videoClients = (provider: VideoProvider): VideoProviderClient => ({
  videos: async function* ({ since }) {
    syncCalls.push({ provider: provider.id, since: since?.toISOString() });
    const pages = providerPages[provider.id];
    if (pages instanceof Error) throw pages;
    for (const page of pages ?? []) yield page;
  },
});

function deps() {
  setJobDependencies({
    repositories: world.repos,
    now: () => world.clock,
    report: (error, context) => void reported.push({ error, context: { ...context } }),
    proctoring: vendor,
    certificates,
    videoClients,
  });
}

function job<J extends AnyJob>(instance: J, ...args: unknown[]): J {
  instance.arguments = args as J['arguments'];
  return instance;
}

beforeAll(async () => {
  world = await startWorld();
  world.dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
});
afterAll(() => world.stop());
beforeEach(() => {
  deps();
  reported.length = 0;
  commands.length = 0;
  world.sent.length = 0;
  vendor.calls = [];
  syncCalls.length = 0;
});

describe('registry', () => {
  it('registers every seed job once under its Ruby name, with the declared queue and priority', () => {
    const expected: Record<string, [queue: string, priority: number]> = {
      RefreshSitemapJob: ['default', 30],
      'Lti::PublishGradeJob': ['default', 10],
      'Proctoring::StoreSubmissionResultsJob': ['default', 20],
      'Proctoring::UploadCertificateImageJob': ['default', 20],
      'Voucher::DeleteClaimantIPJob': ['default', 30],
      'Video::SyncVideosJob': ['long_running', 20],
      UnconfirmedAccountsDeletionWorker: ['default', 10],
      'CourseService::CloneCourseJob': ['default', 10],
    };
    expect(jobs.names()).toEqual(Object.keys(expected).sort());
    for (const [name, [queue, priority]] of Object.entries(expected)) {
      const def = jobs.find(name)!.definition;
      expect([name, def.queue, def.priority]).toEqual([name, queue, priority]);
    }
  });
});

describe('Lti::PublishGradeJob', () => {
  beforeAll(async () => {
    await world.repos.courses.saveCourse({ id: 'c1', course_code: 'lti101', status: 'active' });
    await world.repos.courses.saveSection({ id: 's1', course_id: 'c1', position: 1 });
    await world.repos.courses.saveItem({ id: 'item-lti', course_id: 'c1', section_id: 's1', position: 1, content_type: 'lti_exercise', content_id: 'exercise-1', max_dpoints: 55 });
    await world.repos.lti.saveGradebook({ id: 'gb1', user_id: 'u1', exercise_id: 'exercise-1' });
    await world.repos.lti.saveGrade({ id: '42', gradebook_id: 'gb1', value: 0.37 });
    await world.repos.lti.saveGrade({ id: '43', gradebook_id: 'gb1', value: 0.5 });
  });

  it('computes points as round(max_dpoints / 10 × value, 1)', () => {
    expect(gradePoints(55, 0.37)).toBe(2);
    expect(gradePoints(55, 0.5)).toBe(2.8);
    expect(gradePoints(100, 1)).toBe(10);
    expect(gradePoints(30, 0.333)).toBe(1);
    expect(gradePoints(73, 0.61)).toBe(4.5);
    expect(gradePoints(100, 0)).toBe(0);
  });

  it('publishes the grade as the learner\'s result for the exercise\'s item, once however often it runs', async () => {
    const first = await executeJob(job(new PublishGradeJob(), '43'));
    expect(first.kind).toBe('completed');
    await executeJob(job(new PublishGradeJob(), '43'));
    const result = await world.repos.courses.findResult('item-lti', 'u1');
    expect(result).toMatchObject({ user_id: 'u1', item_id: 'item-lti', points: 2.8 });
  });

  it('accepts the grade as a GlobalID, as Rails serializes a record', async () => {
    const outcome = await executeJob(job(new PublishGradeJob(), GlobalId.parse('gid://xikolo/Lti::Grade/42')));
    expect(outcome.kind).toBe('completed');
    expect((await world.repos.courses.findResult('item-lti', 'u1'))!.points).toBe(2);
  });

  it('discards the job and reports it when the grade no longer exists', async () => {
    const outcome = await executeJob(job(new PublishGradeJob(), '999'));
    expect(outcome.kind).toBe('discarded');
    expect(reported).toHaveLength(1);
    expect(reported[0]!.error.message).toContain('Lti::Grade 999 does not exist');
  });

  it('dead-letters a message whose grade id is malformed at once, without running it', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq' });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const handle = createJobWorker({ registry: jobs, queue: 'default', endpoints: ENDPOINTS, sqs: new SQSClient({ region: 'eu-central-1' }), metrics: new MetricsEmitter({ sink: () => {} }), log: () => {} });
    const body = JSON.stringify({ job_class: 'Lti::PublishGradeJob', job_id: 'j-1', provider_job_id: null, queue_name: 'default', priority: null, arguments: ['42; DROP'], executions: 0, exception_executions: {}, locale: 'en', timezone: 'UTC', enqueued_at: '2026-12-04T11:59:00Z' });
    const record = { messageId: 'm1', receiptHandle: 'r', body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:default-user-visible', awsRegion: 'eu-central-1' };
    const result = await handle({ Records: [record] });
    expect(result.batchItemFailures).toEqual([]);
    const dead = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.QueueUrl).toBe(ENDPOINTS.default!.deadLetter);
    expect(dead[0]!.MessageAttributes!.xikolo_failure_reason!.StringValue).toBe('undecodable');
    expect(dead[0]!.MessageAttributes!.xikolo_error_message!.StringValue).toMatch(/record id of Lti::Grade/);
    sqs.restore();
  });
});

describe('Proctoring::StoreSubmissionResultsJob', () => {
  beforeAll(async () => {
    await world.repos.proctoring.saveSubmission({ id: 'sub-stored', quiz_id: 'q1', user_id: 'u1', course_id: 'c1', proctoring_results: { passed: true } });
    await world.repos.proctoring.saveSubmission({ id: 'sub-1', quiz_id: 'q1', user_id: 'u2', course_id: 'c1' });
  });

  it('declares Xikolo\'s retry policies: ServiceError every executions hours ×10, ExpectedRetry hourly ×48', () => {
    const rules = StoreSubmissionResultsJob.definition.rescueRules.filter((r) => r.kind === 'retry');
    expect(rules.map((r) => [r.counterKey, r.attempts])).toEqual([['[Proctoring::ServiceError]', 10], ['[ExpectedRetry]', 48]]);
    const service = rules[0]!;
    expect(typeof service.wait === 'function' && [1, 2, 9].map((n) => (service.wait as (e: number) => number)(n))).toEqual([3600, 7200, 32400]);
    expect(rules[1]!.wait).toBe(3600);
    expect(StoreSubmissionResultsJob.definition.priority).toBe(20);
  });

  it('skips a submission whose results are already stored, without asking the vendor', async () => {
    const run = job(new StoreSubmissionResultsJob(), 'sub-stored');
    expect((await executeJob(run)).kind).toBe('completed');
    expect(run.outcome).toBe('already_stored');
    expect(vendor.calls).toEqual([]);
  });

  it('raises ExpectedRetry while the vendor is not ready and retries in an hour, up to 48 executions', async () => {
    vendor.results = { status: 'pending' };
    const run = job(new StoreSubmissionResultsJob(), 'sub-1');
    const outcome = await executeJob(run, { random: () => 0 });
    expect(outcome.kind).toBe('retry');
    if (outcome.kind !== 'retry') return;
    expect(outcome.error).toBeInstanceOf(ExpectedRetry);
    expect(outcome.waitSeconds).toBe(3600);
    expect(run.exceptionExecutions).toEqual({ '[ExpectedRetry]': 1 });
    const last = job(new StoreSubmissionResultsJob(), 'sub-1');
    last.exceptionExecutions = { '[ExpectedRetry]': 47 };
    expect((await executeJob(last)).kind).toBe('failed');
    expect((await world.repos.proctoring.findSubmission('sub-1'))!.proctoring_results).toBeUndefined();
  });

  it('retries vendor outages after executions hours, and gives the error to the backend after 10', async () => {
    vendor.results = new ProctoringServiceError('vendor down');
    const first = job(new StoreSubmissionResultsJob(), 'sub-1');
    const a = await executeJob(first, { random: () => 0 });
    expect(a.kind === 'retry' && a.waitSeconds).toBe(3600);
    const b = await executeJob(first, { random: () => 0 });
    expect(b.kind === 'retry' && b.waitSeconds).toBe(7200);
    const tenth = job(new StoreSubmissionResultsJob(), 'sub-1');
    tenth.exceptionExecutions = { '[Proctoring::ServiceError]': 9 };
    expect((await executeJob(tenth)).kind).toBe('failed');
  });

  it('stores the vendor\'s results once they are ready, and a second run leaves them alone', async () => {
    vendor.results = { status: 'ready', results: { passed: true, face_missing: 2 } };
    const run = job(new StoreSubmissionResultsJob(), 'sub-1');
    expect((await executeJob(run)).kind).toBe('completed');
    expect(run.outcome).toBe('stored');
    expect(vendor.calls).toEqual(['results c1/q1/u2']);
    vendor.results = { status: 'ready', results: { passed: false } };
    const again = job(new StoreSubmissionResultsJob(), 'sub-1');
    await executeJob(again);
    expect(again.outcome).toBe('already_stored');
    expect((await world.repos.proctoring.findSubmission('sub-1'))!.proctoring_results).toEqual({ passed: true, face_missing: 2 });
  });

  it('discards and reports a submission that no longer exists', async () => {
    expect((await executeJob(job(new StoreSubmissionResultsJob(), 'gone'))).kind).toBe('discarded');
    expect(reported.map((r) => r.error.message)).toEqual([expect.stringContaining('Quiz::Submission gone does not exist')]);
  });
});

describe('Proctoring::UploadCertificateImageJob', () => {
  beforeAll(async () => {
    await world.repos.proctoring.saveEnrollment({ id: 'enr-1', course_id: 'c1', user_id: 'u1', proctored: true });
  });

  it('copies the vendor\'s image to the certificate store and records its key; repeating writes the same key', async () => {
    vendor.image = { body: new Uint8Array([0xff, 0xd8, 0xff]), contentType: 'image/jpeg' };
    for (let i = 0; i < 2; i++) expect((await executeJob(job(new UploadCertificateImageJob(), 'enr-1'))).kind).toBe('completed');
    const key = certificateImageKey('c1', 'u1', 'image/jpeg');
    expect(key).toBe('proctoring/certificate-images/c1/u1.jpg');
    expect([...stored.keys()]).toEqual([key]);
    expect(stored.get(key)!.contentType).toBe('image/jpeg');
    expect((await world.repos.proctoring.findEnrollment('enr-1'))!.certificate_image_key).toBe(key);
  });

  it('retries vendor outages after executions hours, 10 attempts', async () => {
    vendor.image = new ProctoringServiceError('vendor down');
    const run = job(new UploadCertificateImageJob(), 'enr-1');
    const outcome = await executeJob(run, { random: () => 0 });
    expect(outcome.kind === 'retry' && [outcome.waitSeconds, outcome.rule.attempts]).toEqual([3600, 10]);
  });

  it('stores nothing when the vendor has no image', async () => {
    stored.clear();
    vendor.image = undefined;
    const run = job(new UploadCertificateImageJob(), 'enr-1');
    expect((await executeJob(run)).kind).toBe('completed');
    expect(run.storedKey).toBeUndefined();
    expect(stored.size).toBe(0);
  });

  it('discards and reports an enrollment that no longer exists', async () => {
    expect((await executeJob(job(new UploadCertificateImageJob(), 'enr-gone'))).kind).toBe('discarded');
    expect(reported).toHaveLength(1);
  });
});

describe('Voucher::DeleteClaimantIPJob', () => {
  it('clears the claimant IP of vouchers claimed more than a year ago, through the index, never scanning', async () => {
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(world.clock - daysAgo * day).toISOString();
    await world.repos.vouchers.save({ id: 'v-old', claimant_id: 'u1', claimant_ip: '192.0.2.1', claimed_at: at(400) });
    await world.repos.vouchers.save({ id: 'v-old2', claimant_id: 'u2', claimant_ip: '192.0.2.2', claimed_at: at(366) });
    await world.repos.vouchers.save({ id: 'v-recent', claimant_id: 'u3', claimant_ip: '192.0.2.3', claimed_at: at(300) });
    await world.repos.vouchers.save({ id: 'v-unclaimed' });
    commands.length = 0;
    const run = new DeleteClaimantIPJob();
    expect((await executeJob(run)).kind).toBe('completed');
    expect(run.cleared).toBe(2);
    expect((await world.repos.vouchers.find('v-old'))!.claimant_ip).toBeUndefined();
    expect((await world.repos.vouchers.find('v-old'))!.claimant_id).toBe('u1');
    expect((await world.repos.vouchers.find('v-old2'))!.claimant_ip).toBeUndefined();
    expect((await world.repos.vouchers.find('v-recent'))!.claimant_ip).toBe('192.0.2.3');
    expect(await world.repos.vouchers.find('v-unclaimed')).toMatchObject({ id: 'v-unclaimed' });
    expect(commands).not.toContain('ScanCommand');
    expect(commands).toContain('QueryCommand');
    const again = new DeleteClaimantIPJob();
    await executeJob(again);
    expect(again.cleared).toBe(0);
  });
});

describe('UnconfirmedAccountsDeletionWorker', () => {
  const daysAgo = (d: number) => new Date(world.clock - d * 86_400_000).toISOString();

  it('deletes a 4-day-old unconfirmed account; keeps a 2-day-old one, a confirmed one and an archived one', async () => {
    await world.repos.accounts.save({ id: 'a-old', confirmed: false, archived: false, created_at: daysAgo(4) });
    await world.repos.accounts.save({ id: 'a-young', confirmed: false, archived: false, created_at: daysAgo(2) });
    await world.repos.accounts.save({ id: 'a-confirmed', confirmed: true, archived: false, created_at: daysAgo(40) });
    await world.repos.accounts.save({ id: 'a-archived', confirmed: false, archived: true, created_at: daysAgo(40) });
    commands.length = 0;
    const run = new UnconfirmedAccountsDeletionWorker();
    expect((await executeJob(run)).kind).toBe('completed');
    expect(await world.repos.accounts.find('a-old')).toBeUndefined();
    for (const kept of ['a-young', 'a-confirmed', 'a-archived']) expect(await world.repos.accounts.find(kept)).toMatchObject({ id: kept });
    expect(commands).not.toContain('ScanCommand');
  });

  it('deletes in batches of 200', async () => {
    for (let i = 0; i < 450; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, j) => world.repos.accounts.save({ id: `bulk-${i + j}`, confirmed: false, archived: false, created_at: daysAgo(5) })));
    }
    const run = new UnconfirmedAccountsDeletionWorker();
    await executeJob(run);
    expect(run.batches).toEqual([200, 200, 50]);
    expect(await world.repos.accounts.find('bulk-0')).toBeUndefined();
    expect(await world.repos.accounts.find('bulk-449')).toBeUndefined();
    const again = new UnconfirmedAccountsDeletionWorker();
    await executeJob(again);
    expect(again.batches).toEqual([]);
  });

  it('keeps an account confirmed after the cleanup read it (conditional delete)', async () => {
    await world.repos.accounts.save({ id: 'a-race', confirmed: false, archived: false, created_at: daysAgo(5) });
    const deleted = await world.repos.accounts.deleteUnconfirmed(new Date(world.clock - 3 * 86_400_000), {
      onBatch: () => {},
      batchSize: 200,
      concurrency: 1,
      signal: new AbortController().signal,
    });
    expect(deleted).toBe(1);
    await world.repos.accounts.save({ id: 'a-race2', confirmed: false, archived: false, created_at: daysAgo(5) });
    // Confirmed behind the index's back: the delete's condition protects it.
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { documentClient } = await import('../../functions/app/domain/dynamo');
    await documentClient(world.dynamo.client).send(new UpdateCommand({ TableName: world.tables.accounts, Key: { pk: 'ACCOUNT#a-race2' }, UpdateExpression: 'SET confirmed = :t', ExpressionAttributeValues: { ':t': true } }));
    expect(await world.repos.accounts.deleteUnconfirmed(new Date(world.clock - 3 * 86_400_000))).toBe(0);
    expect(await world.repos.accounts.find('a-race2')).toMatchObject({ confirmed: true });
  });
});

describe('Video::SyncVideosJob', () => {
  beforeAll(async () => {
    await world.repos.videos.saveProvider({ id: 'p-vimeo', name: 'openHPI Vimeo', provider_type: 'vimeo', synchronized_at: '2026-12-04T10:00:00.000Z' });
    await world.repos.videos.saveProvider({ id: 'p-second', name: 'Second', provider_type: 'vimeo' });
    await world.repos.videos.saveProvider({ id: 'p-locked', name: 'Locked', provider_type: 'vimeo' });
  });

  it('is a long-running, eventual job with 3 attempts that discards on authentication failure and inactive accounts', () => {
    const def = SyncVideosJob.definition;
    expect([def.queue, def.priority, def.maxAttempts]).toEqual(['long_running', 20, 3]);
    const discard = def.rescueRules.find((r) => r.kind === 'discard')!;
    expect(discard.errors).toEqual(expect.arrayContaining([AuthenticationFailed, AccountInactive]));
  });

  it('without a provider, enqueues one job per provider with provider: and full: as keyword arguments', async () => {
    const run = job(new SyncVideosJob());
    expect((await executeJob(run)).kind).toBe('completed');
    const bodies = world.sent.map(bodyOf);
    expect(bodies.map((b) => b.job_class)).toEqual(['Video::SyncVideosJob', 'Video::SyncVideosJob', 'Video::SyncVideosJob']);
    const args = bodies.map((b) => b.arguments[0] as Record<string, unknown>);
    expect(args.map((a) => a.provider).sort()).toEqual(['p-locked', 'p-second', 'p-vimeo']);
    for (const a of args) {
      expect(a.full).toBe(false);
      expect(a._aj_ruby2_keywords).toEqual(['provider', 'full']);
    }
    expect(world.sent.every((m) => m.queueUrl === ENDPOINTS.long_running!.bands.eventual)).toBe(true);
    expect(syncCalls).toEqual([]);
  });

  it('passes full: true on to the per-provider jobs', async () => {
    await executeJob(job(new SyncVideosJob(), kwargs({ full: true })));
    expect(world.sent.map(bodyOf).every((b) => (b.arguments[0] as { full: boolean }).full === true)).toBe(true);
  });

  it('with a provider, syncs its videos changed since the last sync, then records the sync time', async () => {
    providerPages = { 'p-vimeo': [[{ remote_id: '1', title: 'Intro' }, { remote_id: '2', title: 'Week 1' }], [{ remote_id: '3', title: 'Week 2' }]] };
    const run = job(new SyncVideosJob(), kwargs({ provider: 'p-vimeo', full: false }));
    expect((await executeJob(run)).kind).toBe('completed');
    expect(syncCalls).toEqual([{ provider: 'p-vimeo', since: '2026-12-04T10:00:00.000Z' }]);
    expect(run.synced).toBe(3);
    expect((await world.repos.videos.videos('p-vimeo')).map((v) => v.title).sort()).toEqual(['Intro', 'Week 1', 'Week 2']);
    expect((await world.repos.videos.findProvider('p-vimeo'))!.synchronized_at).toBe(new Date(world.clock).toISOString());
    await executeJob(job(new SyncVideosJob(), kwargs({ provider: 'p-vimeo', full: false })));
    expect(await world.repos.videos.videos('p-vimeo')).toHaveLength(3);
  });

  it('resumes a provider sync cut short after its last stored page, storing no page twice, and records the time the sync started', async () => {
    providerPages = { 'p-second': [[{ remote_id: 'a', title: 'A' }], [{ remote_id: 'b', title: 'B' }], [{ remote_id: 'c', title: 'C' }]] };
    const saved: unknown[] = [];
    const first = job(new SyncVideosJob(), kwargs({ provider: 'p-second', full: true })) as SyncVideosJob;
    // A slice whose time is already up runs one item (one page), then hands over.
    expect(await first.iterate(first.arguments, { sliceDeadline: 0, save: async (c) => void saved.push(c) })).toBe('interrupted');
    expect(first.synced).toBe(1);
    const second = job(new SyncVideosJob(), kwargs({ provider: 'p-second', full: true })) as SyncVideosJob;
    second.cursor = saved.at(-1) as never;
    const startedAt = (saved.at(-1) as { startedAt: number }).startedAt;
    world.clock += 60_000;
    expect(await second.iterate(second.arguments, { sliceDeadline: Number.POSITIVE_INFINITY, save: async (c) => void saved.push(c) })).toBe('completed');
    expect(second.synced).toBe(2);
    expect((await world.repos.videos.videos('p-second')).map((v) => v.title).sort()).toEqual(['A', 'B', 'C']);
    expect((await world.repos.videos.findProvider('p-second'))!.synchronized_at).toBe(new Date(startedAt).toISOString());
  });

  it('with full: true, syncs every video regardless of the last sync', async () => {
    providerPages = { 'p-vimeo': [] };
    await executeJob(job(new SyncVideosJob(), kwargs({ provider: 'p-vimeo', full: true })));
    expect(syncCalls).toEqual([{ provider: 'p-vimeo', since: undefined }]);
  });

  it('discards and reports when the provider refuses the credentials or the account is inactive', async () => {
    providerPages = { 'p-locked': new AuthenticationFailed('token revoked'), 'p-second': new AccountInactive('account suspended') };
    for (const provider of ['p-locked', 'p-second']) {
      const outcome = await executeJob(job(new SyncVideosJob(), kwargs({ provider })));
      expect(outcome.kind).toBe('discarded');
    }
    expect(reported.map((r) => r.error.name)).toEqual(['AuthenticationFailed', 'AccountInactive']);
    expect(reported[0]!.context).toMatchObject({ job: 'Video::SyncVideosJob' });
    expect((await world.repos.videos.findProvider('p-locked'))!.synchronized_at).toBeUndefined();
  });

  it('fails the attempt (retried, at most 3 times) on a transient provider error', async () => {
    providerPages = { 'p-second': new Error('socket hang up') };
    expect((await executeJob(job(new SyncVideosJob(), kwargs({ provider: 'p-second' })))).kind).toBe('failed');
  });

  it('discards and reports a provider that no longer exists', async () => {
    expect((await executeJob(job(new SyncVideosJob(), kwargs({ provider: 'p-deleted' })))).kind).toBe('discarded');
    expect(reported[0]!.error.message).toContain('Video::Provider p-deleted does not exist');
  });

  it('runs the job exactly as Rails serializes it (provider: and full: with _aj_ruby2_keywords)', async () => {
    const fixture = JSON.parse(readFileSync(join(ACTIVEJOB_FIXTURES(), 'sync_videos_provider.json'), 'utf8')) as { body: string };
    const providerId = (JSON.parse(fixture.body) as { arguments: { provider: string }[] }).arguments[0]!.provider;
    await world.repos.videos.saveProvider({ id: providerId, name: 'From Rails', provider_type: 'vimeo' });
    providerPages = { [providerId]: [[{ remote_id: '77', title: 'Rails-enqueued' }]] };
    const sqs = mockClient(SQSClient);
    const handle = createJobWorker({ registry: jobs, queue: 'long_running', endpoints: ENDPOINTS, sqs: new SQSClient({ region: 'eu-central-1' }), metrics: new MetricsEmitter({ sink: () => {} }), log: () => {} });
    const record = { messageId: 'm2', receiptHandle: 'r', body: fixture.body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:long-running-eventual', awsRegion: 'eu-central-1' };
    expect((await handle({ Records: [record] })).batchItemFailures).toEqual([]);
    sqs.restore();
    expect(syncCalls).toEqual([{ provider: providerId, since: undefined }]);
    expect((await world.repos.videos.videos(providerId)).map((v) => v.title)).toEqual(['Rails-enqueued']);
  });
});
