/**
 * Per-message cost: a 10-message SQS batch of a no-op job through the
 * worker's whole path (decode the ActiveJob envelope, resolve the class,
 * run it, emit its EMF line, report partial failures), against a bare loop
 * over the same records and against Powertools' BatchProcessor running the
 * same no-op.
 */
import { performance } from 'node:perf_hooks';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createJobWorker } from '../functions/runtime/jobs/worker';
import { JobRegistry } from '../functions/runtime/jobs/registry';
import { MetricsEmitter } from '../functions/runtime/metrics/emf';
import { emitJobEvent } from '../functions/runtime/jobs/metrics';
import { decodeEnvelope } from '../functions/runtime/jobs/serialization';
import { BenchNoopJob, DUMMY_ENDPOINTS, REGION, jobBatch, lambdaContext, ran } from './fixtures';
import type { RequestCounter } from './requests';
import { median, spread } from './report';

export const BATCH_SIZE = 10;

export interface PathResult {
  readonly name: string;
  /** µs per message, one figure per round. */
  readonly rounds: number[];
  readonly failures: number;
}

export interface PerMessageReport {
  readonly paths: PathResult[];
  readonly batchesPerRound: number;
  readonly rounds: number;
  readonly jobsRun: number;
  readonly jobsExpected: number;
  readonly awsRequests: number;
  readonly metricLines: number;
  /** Where a message's time goes: pieces of the worker's path timed alone (µs per call). */
  readonly breakdown: { readonly name: string; readonly us: number }[];
  readonly metricLineBytes: number;
}

function timeAlone(fn: () => unknown, calls: number): number {
  for (let i = 0; i < calls; i++) fn();
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) fn();
    times.push(((performance.now() - started) * 1000) / calls);
  }
  return median(times);
}

/** Pieces of the worker's path, each timed on its own. */
function breakdown(record: SQSRecord, calls: number): { parts: { name: string; us: number }[]; lineBytes: number } {
  let lineBytes = 0;
  const emitter = new MetricsEmitter({ namespace: 'XikoloAsync/Jobs', defaultDimensions: { Environment: 'bench' }, sink: (line) => void (lineBytes = line.length) });
  const event = { event: 'run' as const, jobName: 'Bench::NoopJob', queue: 'default', priority: 10, jobId: 'a4b1c2d3-0000-4000-8000-000000000000', attempts: 1, ageSeconds: 0.012, runTimeSeconds: 0, durationSeconds: 0.013, errored: false, failed: false };
  const parts = [
    { name: 'EMF line: emitJobEvent → MetricsEmitter.format', us: timeAlone(() => emitJobEvent(emitter, event), calls) },
    { name: 'decodeEnvelope(body)', us: timeAlone(() => decodeEnvelope(record.body), calls) },
    { name: 'JSON.parse(body) alone', us: timeAlone(() => JSON.parse(record.body), calls) },
    { name: 'new job instance (constructor)', us: timeAlone(() => new BenchNoopJob(), calls) },
    { name: 'setTimeout + clearTimeout (run-time bound)', us: timeAlone(() => clearTimeout(setTimeout(() => {}, 840_000)), calls) },
  ];
  return { parts, lineBytes };
}

/** The no-op the bare loop and BatchProcessor call: what the job's `perform` is. */
async function noop(_body: unknown): Promise<void> {}

export async function perMessage(rounds: number, batchesPerRound: number, counter: RequestCounter, progress: (text: string) => void): Promise<PerMessageReport> {
  const event: SQSEvent = jobBatch(BenchNoopJob, BATCH_SIZE);

  // The worker as the Lambda entry builds it, with a real registry; its SQS client points nowhere and is counted.
  const sqs = counter.instrument(
    new SQSClient({ region: REGION, endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, maxAttempts: 1 }),
    'worker',
  );
  let metricLines = 0;
  const worker = createJobWorker({
    registry: new JobRegistry([BenchNoopJob]),
    queue: 'default',
    endpoints: DUMMY_ENDPOINTS,
    sqs,
    metrics: new MetricsEmitter({ namespace: 'XikoloAsync/Jobs', defaultDimensions: { Environment: 'bench' }, sink: () => void metricLines++ }),
    log: () => {},
  });

  async function bareLoop(e: SQSEvent): Promise<SQSBatchResponse> {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of e.Records) {
      try {
        await noop(JSON.parse(record.body));
      } catch {
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  }

  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    await noop(JSON.parse(record.body));
  };
  const powertools = (e: SQSEvent) => processPartialResponse(e, recordHandler, processor) as Promise<SQSBatchResponse>;

  type Path = { name: string; run: (e: SQSEvent) => Promise<SQSBatchResponse> };
  const definitions: Path[] = [
    { name: 'worker (createJobWorker)', run: (e) => worker(e, lambdaContext) },
    { name: 'bare loop', run: bareLoop },
    { name: 'Powertools BatchProcessor', run: powertools },
  ];
  const paths = definitions.map((p) => ({ ...p, result: { name: p.name, rounds: [] as number[], failures: 0 } }));

  async function timeRound(path: (typeof paths)[number], batches: number): Promise<number> {
    let failures = 0;
    const started = performance.now();
    for (let i = 0; i < batches; i++) failures += (await path.run(event)).batchItemFailures.length;
    const elapsed = performance.now() - started;
    (path.result as { failures: number }).failures += failures;
    return (elapsed * 1000) / (batches * BATCH_SIZE);
  }

  progress('per-message: warm-up');
  const ranBefore = ran.noop;
  for (const path of paths) await timeRound(path, batchesPerRound);
  for (let round = 0; round < rounds; round++) {
    progress(`per-message: round ${round + 1}/${rounds}`);
    // Rotate the order each round so no path always runs first.
    for (let k = 0; k < paths.length; k++) {
      const path = paths[(round + k) % paths.length]!;
      path.result.rounds.push(await timeRound(path, batchesPerRound));
    }
  }
  const batchesRun = batchesPerRound * (rounds + 1);
  progress('per-message: breakdown');
  const pieces = breakdown(event.Records[0]!, batchesPerRound * BATCH_SIZE);
  return {
    breakdown: pieces.parts,
    metricLineBytes: pieces.lineBytes,
    paths: paths.map((p) => p.result),
    batchesPerRound,
    rounds,
    jobsRun: ran.noop - ranBefore,
    jobsExpected: batchesRun * BATCH_SIZE,
    awsRequests: counter.total('worker'),
    metricLines,
  };
}

export const perMessageStat = { median: (p: PathResult) => median(p.rounds), spread: (p: PathResult) => spread(p.rounds) };
