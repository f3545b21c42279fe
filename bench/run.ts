/**
 * `npm run bench`: what the project costs, measured side by side in one run
 * (docs/benchmarks.md explains each table). Prints figures and PASS/MISS
 * against the targets; it never fails on a MISS.
 *
 *   npm run bench                 full run (about a minute on 2 cores)
 *   npm run bench -- --quick      fewer rounds
 *   npm run bench -- --with-tests also time `npm test`
 *   npm run bench -- --only=cold,message,api,synth
 */
import { performance } from 'node:perf_hooks';
import { coldStart, stat, type ColdStartReport } from './cold-start';
import { perMessage, perMessageStat, BATCH_SIZE, type PerMessageReport } from './per-message';
import { apiCalls, operations, perJob, SERVICES, type ApiCallsReport } from './api-calls';
import { synthOne, synthTimes, testTime, type Timed } from './synth';
import { RequestCounter } from './requests';
import os from 'node:os';
import { fmt, heading, machine, median, note, spread, table, verdict, type Row } from './report';

const SECTIONS = ['cold', 'message', 'api', 'synth'] as const;
type Section = (typeof SECTIONS)[number];

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const withTests = argv.includes('--with-tests');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const only = new Set<Section>(onlyArg ? (onlyArg.slice('--only='.length).split(',') as Section[]) : SECTIONS);
for (const a of argv) {
  if (!['--quick', '--with-tests'].includes(a) && !a.startsWith('--only=')) {
    console.error(`unknown option ${a}: use --quick, --with-tests, --only=${SECTIONS.join(',')}`);
    process.exit(2);
  }
}

const settings = quick
  ? { coldRuns: 5, rounds: 5, batchesPerRound: 300, singles: 10, bulk: 100, dedup: 10 }
  : { coldRuns: 15, rounds: 9, batchesPerRound: 1_000, singles: 20, bulk: 100, dedup: 20 };

/** Target: bundle size and load time at most this multiple of the SDK-only baseline. */
const COLD_START_TARGET = 1.15;
/** Target: the worker's per-message cost at most this multiple of BatchProcessor's. */
const PER_MESSAGE_TARGET = 1;
/** Target: bulk enqueue at most one SQS request per this many jobs. */
const BULK_JOBS_PER_REQUEST = 10;

const summary: Row[] = [];

// fauxqs loads node:sqlite, which prints an ExperimentalWarning; keep every other warning.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'ExperimentalWarning') console.error(`${warning.name}: ${warning.message}`);
});

const progress = (text: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K… ${text}`);
};
const clearProgress = () => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
};

function printColdStart(report: ColdStartReport): void {
  heading('1. Cold start per Lambda bundle');
  const rows: Row[] = [];
  const emptyLoad = stat.load(report.empty);
  rows.push(['(empty ESM handler)', fmt.int(report.empty.bytes), '', '', fmt.ms(emptyLoad, 2), '', '', '', fmt.mb(stat.loadRss(report.empty)), '', '', '', '']);
  for (const r of report.results) {
    const sizeRatio = r.handler.bytes / r.baseline.bytes;
    const loadRatio = median(r.pairedRatios);
    const cpuRatio = median(r.pairedCpuRatios);
    const sizeVerdict = verdict(sizeRatio, COLD_START_TARGET);
    const loadVerdict = verdict(loadRatio, COLD_START_TARGET);
    rows.push([
      r.name,
      fmt.int(r.handler.bytes),
      fmt.int(r.baseline.bytes),
      fmt.ratio(sizeRatio),
      r.handler.loadMs.length ? fmt.ms(stat.load(r.handler), 2) : 'load failed',
      r.baseline.loadMs.length ? fmt.ms(stat.load(r.baseline), 2) : 'load failed',
      fmt.ratio(loadRatio),
      fmt.ratio(cpuRatio),
      `${fmt.mb(stat.loadRss(r.handler))} / ${fmt.mb(stat.loadRss(r.baseline))}`,
      r.probe ? fmt.mb(stat.peakRss(r.handler)) : '(no probe)',
      r.probe ? fmt.ms(stat.invoke(r.handler), 2) : '',
      sizeVerdict,
      loadVerdict,
    ]);
    summary.push([`cold start ${r.name}: size`, `≤ ${COLD_START_TARGET}× baseline`, fmt.ratio(sizeRatio), sizeVerdict]);
    summary.push([`cold start ${r.name}: load time`, `≤ ${COLD_START_TARGET}× baseline`, fmt.ratio(loadRatio), loadVerdict]);
  }
  console.log(
    table(
      ['bundle', 'bytes', 'baseline bytes', 'size ×', 'load', 'baseline load', 'load ×', 'CPU ×', 'RSS after load (handler / baseline)', 'peak RSS with batch', '1st batch', `size ≤ ${COLD_START_TARGET}×`, `load ≤ ${COLD_START_TARGET}×`],
      rows,
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    ),
  );
  console.log();
  note(
    [
      `Load = median of ${report.runs} fresh \`node\` processes, performance.now() around \`await import(bundle)\`. Each run imports handler and baseline back to back (order alternating); load × = median of those paired ratios; CPU × = the same for the import's CPU time (user + system), which other work on the machine disturbs less.`,
      ...(os.loadavg()[0]! > os.availableParallelism() ? [`The machine was busy (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores): wall-time ratios are noisy; trust CPU × more.`] : []),
    ].join('\n'),
  );
  note('Baseline = same esbuild options, only the AWS SDK clients (constructed at module scope) and commands found in the handler bundle\'s metafile.');
  for (const f of report.failed) note(`**${f.name}**: not measured, its bundle or baseline did not build: ${f.error}`);
  for (const r of report.results) {
    const commands = (list: readonly string[]) =>
      list.length === 0 ? 'no command' : list.length <= 6 ? list.join(', ') : `${list.length} commands: the aggregated client class is in the bundle, which keeps every command`;
    const sdk = r.sdk.map((u) => `${u.pkg} (${u.client}; ${commands(u.commands)})`).join(' + ') || 'no AWS SDK client';
    const lines = [
      `**${r.name}**: baseline = ${sdk}.`,
      `load spread (IQR/2): handler ±${fmt.ms(spread(r.handler.loadMs), 2)}, baseline ±${fmt.ms(spread(r.baseline.loadMs), 2)}; import CPU time ${fmt.ms(stat.cpu(r.handler), 1)} vs ${fmt.ms(stat.cpu(r.baseline), 1)}; ${r.reproduced ? 'bench rebuild is byte-identical to the deployed bundle' : 'WARNING: bench rebuild differs from the deployed bundle (lib/bundling.ts options changed?)'}.`,
    ];
    const extraTotal = r.extra.reduce((n, e) => n + e.bytes, 0);
    lines.push(`beyond the baseline (${fmt.int(extraTotal)} bytes of input kept): ${r.extra.slice(0, 5).map((e) => `${e.source} ${fmt.int(e.bytes)}`).join(', ') || 'nothing'}${r.extra.length > 5 ? ', …' : ''}.`);
    if (r.probe) lines.push(`peak RSS and 1st batch: after one invocation with a ${r.probe} → ${r.probeOutcome ?? '?'}.`);
    lines.push(`environment: ${r.envSource}.`);
    const errors = [...new Set([...r.handler.errors, ...r.baseline.errors])];
    if (errors.length > 0) lines.push(`ERRORS (${errors.length} distinct): ${errors.map((e) => e.split('\n')[0]).join(' | ')}`);
    note(lines.join('\n'));
  }
}

function printPerMessage(report: PerMessageReport): void {
  heading(`2. Per-message cost (${BATCH_SIZE}-message SQS batch of a no-op job)`);
  const byName = new Map(report.paths.map((p) => [p.name, p]));
  const bare = perMessageStat.median(byName.get('bare loop')!);
  const powertools = perMessageStat.median(byName.get('Powertools BatchProcessor')!);
  const rows: Row[] = report.paths.map((p) => {
    const value = perMessageStat.median(p);
    const isWorker = p.name.startsWith('worker');
    const ratio = value / powertools;
    if (isWorker) summary.push(['per-message: worker vs BatchProcessor', `≤ ${PER_MESSAGE_TARGET}×`, fmt.ratio(ratio), verdict(ratio, PER_MESSAGE_TARGET)]);
    return [
      p.name,
      fmt.us(value),
      `±${fmt.us(perMessageStat.spread(p))}`,
      fmt.ratio(value / bare),
      fmt.ratio(ratio),
      String(p.failures),
      isWorker ? `≤ ${PER_MESSAGE_TARGET}× BatchProcessor` : '',
      isWorker ? verdict(ratio, PER_MESSAGE_TARGET) : '',
    ];
  });
  console.log(table(['path', 'per message (median)', 'spread', 'vs bare loop', 'vs BatchProcessor', 'failures', 'target', 'verdict'], rows, [1, 2, 3, 4, 5]));
  console.log();
  note(
    [
      `Median of ${report.rounds} rounds of ${fmt.int(report.batchesPerRound)} batches (${fmt.int(report.batchesPerRound * BATCH_SIZE)} messages) each, after one warm-up round per path; paths rotate order every round. Spread = IQR/2 of the rounds.`,
      `Worker: createJobWorker with a registry holding the no-op job, EMF metrics to a no-op sink, the Lambda context's 15 minutes. Jobs performed: ${fmt.int(report.jobsRun)} of ${fmt.int(report.jobsExpected)}; EMF lines formatted: ${fmt.int(report.metricLines)}; AWS requests by the worker: ${report.awsRequests}.`,
      'Bare loop: JSON.parse(body) + await a no-op, failures collected. BatchProcessor: Powertools `BatchProcessor(EventType.SQS)` + `processPartialResponse`, same parse + no-op.',
    ].join('\n'),
  );
  console.log();
  const workerUs = perMessageStat.median(report.paths[0]!);
  console.log(
    table(
      ['piece of the worker path, timed alone', 'per call', 'share of the worker\'s per-message time'],
      report.breakdown.map((b) => [b.name, fmt.us(b.us), `${((100 * b.us) / workerUs).toFixed(0)} %`]),
      [1, 2],
    ),
  );
  console.log();
  note(`Where the time goes (pieces overlap: decodeEnvelope includes its JSON.parse). The EMF line is ${fmt.int(report.metricLineBytes)} bytes; BatchProcessor's whole per-message cost is ${fmt.us(powertools)}.`);
}

function printApiCalls(report: ApiCallsReport): void {
  heading('3. API calls per job (real SQS API: fauxqs in-process; job ledger on dynalite)');
  const rows: Row[] = [];
  for (const phase of report.phases) {
    const perService = SERVICES.map((s) => perJob(phase, s));
    const cloudWatch = perJob(phase, 'CloudWatch');
    const sqsSends = phase.requests.filter((e) => e.service === 'SQS' && /^SendMessage/.test(e.operation)).length / phase.jobs;
    const isBulk = phase.name.startsWith('enqueue: performAllLater');
    const isSingle = phase.name.startsWith('enqueue: performLater');
    const target = isBulk ? `sends ≤ ${fmt.per(1 / BULK_JOBS_PER_REQUEST)}/job, CloudWatch 0` : isSingle ? 'sends ≤ 1/job, CloudWatch 0' : 'CloudWatch 0';
    const ok = cloudWatch === 0 && (!isBulk || sqsSends <= 1 / BULK_JOBS_PER_REQUEST + 1e-9) && (!isSingle || sqsSends <= 1);
    const v = ok ? 'PASS' : 'MISS';
    if (isBulk) summary.push([`API calls: ${phase.name}`, `≤ 1 SQS request per ${BULK_JOBS_PER_REQUEST} jobs`, `${fmt.per(sqsSends)} per job`, verdict(sqsSends, 1 / BULK_JOBS_PER_REQUEST)]);
    summary.push([`API calls: ${phase.name}`, 'no CloudWatch call', `${fmt.per(cloudWatch)} per job`, cloudWatch === 0 ? 'PASS' : 'MISS']);
    rows.push([phase.name, String(phase.jobs), operations(phase.requests), ...perService.map(fmt.per), target, v]);
    if (phase.polling.length > 0) {
      rows.push([`  ↳ Lambda's event source mapping (bench polling)`, String(phase.jobs), operations(phase.polling), ...SERVICES.map((s) => fmt.per(perJob(phase, s, phase.polling))), 'not the project\'s code', '']);
    }
  }
  console.log(table(['phase', 'jobs', 'requests (HTTP level)', ...SERVICES.map((s) => `${s}/job`), 'target', 'verdict'], rows, [1, 3, 4, 5, 6, 7]));
  console.log();
  const all = report.allRequests;
  const byService = new Map<string, number>();
  for (const e of all) byService.set(e.service, (byService.get(e.service) ?? 0) + 1);
  const sdkTotal = report.phases.reduce((n, p) => n + p.sdkCommands, 0);
  const httpTotal = report.phases.reduce((n, p) => n + p.requests.length + p.polling.length, 0);
  const unattributed = all.filter((e) => e.role === 'unattributed').length;
  note(
    [
      `Counted on the wire: every HTTP request this process sent during the section (Node's http.client.request.start and undici diagnostics channels), classified by the SigV4 credential scope; ${fmt.int(all.length)} in all (setup included): ${[...byService].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}. CloudWatch (monitoring) requests: ${byService.get('CloudWatch') ?? 0}. Requests from a client the bench did not create: ${unattributed}.`,
      `Cross-check: ${sdkTotal} SDK commands vs ${httpTotal} HTTP requests in the phases${sdkTotal === httpTotal ? ' (equal: no retries, nothing unaccounted)' : ' (differ: retries or requests outside instrumented clients)'}.`,
      `Jobs performed: ${report.jobsRun} of ${report.jobsExpected} no-op jobs${report.dedupRun ? `, ${report.dedupRun} deduplicated jobs` : ''}; EMF metric lines written instead of CloudWatch calls: ${report.metricLines}.`,
      'The event source mapping row is the benchmark polling in Lambda\'s place (ReceiveMessage with WaitTimeSeconds 0 over every band queue, so empty receives are included; DeleteMessageBatch of what succeeded). In AWS this is Lambda\'s own polling, billed as SQS requests but not made by the project\'s code.',
      ...report.notes,
    ].join('\n'),
  );
}

function printTimes(synth: Timed[], tests: Timed | undefined): void {
  heading('4. Synth and test time');
  const rows: Row[] = synth.map((t) => [t.command.replace(/ --output \S+/, ''), t.ok ? fmt.s(t.ms) : '–', t.ok ? 'ok' : 'FAILED (skipped)']);
  if (tests) rows.push([tests.command, fmt.s(tests.ms), tests.ok ? 'ok' : 'FAILED']);
  console.log(table(['command', 'wall time', 'status'], rows, [1]));
  console.log();
  const lines = ['Wall-clock time of the whole command, run one after another (each synth writes its cloud assembly under .bench/cdk.out/<env>, bundles included).'];
  if (!tests) lines.push('`npm test` not timed: pass --with-tests.');
  for (const t of [...synth, ...(tests ? [tests] : [])].filter((t) => !t.ok)) lines.push(`${t.command} failed; first lines:\n${t.error ?? ''}`);
  note(lines.join('\n'));
}

async function section<T>(name: Section, run: () => Promise<T>, print: (result: T) => void): Promise<void> {
  if (!only.has(name)) return;
  try {
    const result = await run();
    clearProgress();
    print(result);
  } catch (err) {
    clearProgress();
    console.log(`\n## ${name}: the benchmark crashed\n`);
    console.log('```\n' + ((err as Error).stack ?? String(err)) + '\n```');
    process.exitCode = 1;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`# xikolo-async benchmark${quick ? ' (--quick)' : ''}\n`);
  console.log(table(['machine', ''], machine()));

  // Synth runs first: it is timed for section 4, and its templates give each bundle the environment it is deployed with.
  let synth: Timed[] = [];
  let tests: Timed | undefined;
  let synthCrash: unknown;
  try {
    if (only.has('synth')) synth = await synthTimes(progress);
    else if (only.has('cold')) synth = [await synthOne('development', progress)];
  } catch (err) {
    synthCrash = err;
  }
  const assemblies = synth.filter((t) => t.ok && t.outdir).map((t) => t.outdir!);

  const counter = new RequestCounter().start();
  await section('cold', () => coldStart(settings.coldRuns, assemblies, progress), printColdStart);
  await section('message', () => perMessage(settings.rounds, settings.batchesPerRound, counter, progress), printPerMessage);
  await section('api', () => apiCalls(settings.singles, settings.bulk, settings.dedup, counter, progress), printApiCalls);
  counter.stop();
  await section(
    'synth',
    async () => {
      if (synthCrash) throw synthCrash;
      if (withTests) tests = await testTime(progress);
      return tests;
    },
    (timedTests) => printTimes(synth, timedTests),
  );

  heading('Targets');
  console.log(table(['figure', 'target', 'measured', 'verdict'], summary));
  console.log(`\nTotal benchmark time: ${fmt.s(performance.now() - started)}. Figures only: a MISS never fails the command.`);
}

await main();
