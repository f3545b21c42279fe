/**
 * Cold start per Lambda bundle: size and module-load time of each handler in
 * functions/handlers, bundled exactly as deployed (lib/bundling.ts), next to
 * a baseline bundle built with the same esbuild options that holds only the
 * AWS SDK clients and commands the handler's bundle contains: the physical
 * floor for that function.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleHandler, BUNDLE_OPTIONS, PROJECT_ROOT } from '../lib/bundling';
import { jobs } from '../functions/app/jobs';
import { ENDPOINTS_ENV } from '../functions/runtime/jobs/endpoints';
import { JOB_ENV } from '../functions/runtime/jobs/environment';
import { DUMMY_ENDPOINTS, REGION, jobBatch } from './fixtures';
import { median } from './report';
import { bundleKey, deployedEnvironments } from './template-env';

const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');
export const WORK_DIR = join(PROJECT_ROOT, '.bench');
const CHILD = join(import.meta.dirname, 'child-load.mjs');

/**
 * The esbuild options of lib/bundling.ts. The run
 * checks that a build with these reproduces the deployed bundle byte for
 * byte, and says so when it does not.
 */
const DEPLOYED_OPTIONS: BuildOptions = { ...BUNDLE_OPTIONS };

export interface SdkUse {
  /** npm package, e.g. @aws-sdk/client-sqs */
  readonly pkg: string;
  readonly client: string;
  readonly commands: readonly string[];
}

export interface Measured {
  readonly file: string;
  readonly bytes: number;
  readonly loadMs: number[];
  /** CPU time (user + system) of the import: less sensitive to other load on the machine than wall time. */
  readonly loadCpuMs: number[];
  readonly peakRss: number[];
  readonly rssAfterLoad: number[];
  readonly firstInvokeMs: number[];
  readonly errors: string[];
}

export interface ColdStartResult {
  readonly name: string;
  readonly handler: Measured;
  readonly baseline: Measured;
  readonly sdk: readonly SdkUse[];
  readonly reproduced: boolean;
  readonly env: Readonly<Record<string, string>>;
  /** Where the environment came from: a synthesized function, or dummy values found by trial. */
  readonly envSource: string;
  readonly probe?: string;
  readonly probeOutcome?: string;
  /** What the handler bundle holds beyond its baseline, by package or project directory, largest first (bytes in output). */
  /** Handler/baseline load-time ratio of each run, the two imports made back to back: wall time and CPU time. */
  readonly pairedRatios: number[];
  readonly pairedCpuRatios: number[];
  readonly extra: readonly { readonly source: string; readonly bytes: number }[];
}

export interface ColdStartReport {
  readonly results: ColdStartResult[];
  readonly failed: readonly { readonly name: string; readonly error: string }[];
  readonly empty: Measured;
  readonly runs: number;
}

/** Every handler entry point; new handlers are picked up as they are added. */
export function handlerNames(): string[] {
  return readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('.test.'))
    .map((f) => f.slice(0, -3))
    .sort();
}

const SDK_INPUT = /node_modules\/(@aws-sdk\/(?:client|lib)-[a-z0-9-]+)\//;
const SDK_COMMAND = /node_modules\/(@aws-sdk\/(?:client|lib)-[a-z0-9-]+)\/dist-[a-z]+\/commands\/([A-Za-z0-9]+Command)\.js$/;

/** The AWS SDK packages and commands whose code ended up in a bundle, from esbuild's metafile. */
async function sdkUse(metafile: Metafile, bundleFile: string): Promise<SdkUse[]> {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(relative(PROJECT_ROOT, bundleFile)))?.[1] ?? Object.values(metafile.outputs)[0];
  // Inputs that contributed bytes to the output (tree-shaken ones contribute 0).
  const kept = Object.entries(output?.inputs ?? {}).filter(([, v]) => v.bytesInOutput > 0).map(([path]) => path);
  const packages = new Map<string, Set<string>>();
  for (const path of kept) {
    const pkg = SDK_INPUT.exec(path)?.[1];
    if (!pkg) continue;
    const commands = packages.get(pkg) ?? new Set<string>();
    const command = SDK_COMMAND.exec(path)?.[2];
    if (command) commands.add(command);
    packages.set(pkg, commands);
  }
  const uses: SdkUse[] = [];
  for (const [pkg, commands] of packages) {
    const exports = Object.keys((await import(pkg)) as object);
    const client = pkg === '@aws-sdk/lib-dynamodb' ? 'DynamoDBDocumentClient' : exports.find((name) => /^[A-Z][A-Za-z0-9]*Client$/.test(name) && !name.startsWith('__'));
    if (!client) continue;
    // A package imported only for its types or errors still counts if its client code is in the bundle.
    if (commands.size === 0 && !kept.some((p) => p.includes(`${pkg}/`) && /Client\.js$/.test(p))) continue;
    uses.push({ pkg, client, commands: [...commands].sort() });
  }
  return uses.sort((a, b) => a.pkg.localeCompare(b.pkg));
}

function keptInputs(metafile: Metafile): Map<string, number> {
  const output = Object.values(metafile.outputs)[0];
  return new Map(Object.entries(output?.inputs ?? {}).filter(([, v]) => v.bytesInOutput > 0).map(([path, v]) => [path, v.bytesInOutput]));
}

/** Inputs in the handler's bundle that the baseline does not have, grouped by npm package or project directory. */
function extraOverBaseline(handler: Metafile, baseline: Metafile): { source: string; bytes: number }[] {
  const floor = keptInputs(baseline);
  const groups = new Map<string, number>();
  for (const [path, bytes] of keptInputs(handler)) {
    const extra = bytes - (floor.get(path) ?? 0);
    if (extra <= 0) continue;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const source = pkg ? pkg : path.split('/').slice(0, -1).join('/') || path;
    groups.set(source, (groups.get(source) ?? 0) + extra);
  }
  return [...groups].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Source of the baseline: construct each client at module scope, reference each command from the handler. */
function baselineSource(uses: readonly SdkUse[]): string {
  const lines = ['// Baseline: only the AWS SDK clients and commands the handler uses (generated by bench/cold-start.ts).'];
  const body: string[] = [];
  // Every import is aliased per package: lib-dynamodb and client-dynamodb both export QueryCommand, for example.
  const alias = (i: number, name: string) => `p${i}_${name}`;
  uses.forEach((use, i) => {
    lines.push(`import { ${[use.client, ...use.commands].map((n) => `${n} as ${alias(i, n)}`).join(', ')} } from '${use.pkg}';`);
    if (use.pkg === '@aws-sdk/lib-dynamodb') {
      lines.push("import { DynamoDBClient as ddb_DynamoDBClient } from '@aws-sdk/client-dynamodb';");
      lines.push(`const client${i} = ${alias(i, use.client)}.from(new ddb_DynamoDBClient({}));`);
    } else {
      lines.push(`const client${i} = new ${alias(i, use.client)}({});`);
    }
    for (const command of use.commands) body.push(`  if (event.command === '${use.pkg}/${command}') return client${i}.send(new ${alias(i, command)}(event.input));`);
  });
  return [...lines, 'export const handler = async (event) => {', ...body, '  return {};', '};', ''].join('\n');
}

async function buildEntry(entry: string, outfile: string, metafile: boolean, write = true) {
  return build({ ...DEPLOYED_OPTIONS, entryPoints: [entry], outfile, metafile, write });
}

/** Dummy values by variable name: what the CDK app would write, pointing nowhere. */
function dummyValue(name: string): string {
  if (name === ENDPOINTS_ENV) return JSON.stringify(DUMMY_ENDPOINTS);
  if (name === JOB_ENV.queue) return 'default';
  if (name === JOB_ENV.environment) return 'bench';
  if (name === JOB_ENV.deduplicationDays) return '14';
  if (/_ARN$/.test(name)) return `arn:aws:sqs:${REGION}:000000000000:bench`;
  if (/_URLS?$/.test(name)) return `http://127.0.0.1:9/000000000000/bench`;
  if (/_(TABLE|BUCKET|NAME|BUS)$/.test(name)) return 'bench';
  if (/_(SECONDS|DAYS|MS|SIZE|COUNT|PORT)$/.test(name)) return '1';
  return 'bench';
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    // As in Lambda: region and credentials in the environment. The endpoint is a closed local port, so nothing can reach AWS.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  };
  for (const name of [ENDPOINTS_ENV, JOB_ENV.queue, JOB_ENV.environment, JOB_ENV.ledgerTable, JOB_ENV.deduplicationDays]) env[name] = dummyValue(name);
  return env;
}

interface ChildResult {
  loadMs?: number;
  loadCpuMs?: number;
  rssAfterLoad?: number;
  firstInvokeMs?: number;
  peakRss: number;
  response?: unknown;
  error?: string;
}

function runChild(file: string, env: Record<string, string>, probe: string | undefined, out: string): ChildResult {
  const args = [CHILD, file, out, ...(probe ? [probe] : [])];
  rmSync(out, { force: true });
  const child = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60_000 });
  try {
    return JSON.parse(readFileSync(out, 'utf8')) as ChildResult;
  } catch {
    return { peakRss: Number.NaN, error: `child exited with ${child.status ?? child.signal}: ${(child.stderr ?? '').split('\n').slice(0, 5).join(' ')}` };
  }
}

/** Finds the environment a handler needs: variables named by its import-time errors get dummy values. */
function discoverEnv(file: string, out: string, start: Record<string, string>): Record<string, string> {
  const env = { ...start };
  for (let i = 0; i < 8; i++) {
    const result = runChild(file, env, undefined, out);
    if (!result.error) return env;
    const message = result.error.split('\n')[0] ?? '';
    const named = [...message.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g)].map((m) => m[1]!);
    const fresh = named.filter((n) => !(n in env));
    if (fresh.length > 0) {
      for (const n of fresh) env[n] = dummyValue(n);
      continue;
    }
    // A variable that must hold JSON: the one the message names, else the last plain dummy we added.
    if (/JSON/i.test(message)) {
      const candidates = [...named, ...Object.keys(env).filter((k) => !(k in start)).reverse()].filter((n) => env[n] === 'bench');
      if (candidates[0]) {
        env[candidates[0]] = '{}';
        continue;
      }
    }
    return env;
  }
  return env;
}

/** A probe batch for handlers whose event we know: 10 no-op jobs of the app's registry through the worker. */
function probeFor(name: string): { event: unknown; description: string } | undefined {
  if (name !== 'job-worker') return undefined;
  const noop = jobs.find('RefreshSitemapJob');
  if (!noop) return undefined;
  return { event: jobBatch(noop, 10, () => []), description: '10-message SQS batch of RefreshSitemapJob (a no-op)' };
}

function emptyMeasured(file: string): Measured {
  return { file, bytes: statSync(file).size, loadMs: [], loadCpuMs: [], peakRss: [], rssAfterLoad: [], firstInvokeMs: [], errors: [] };
}

function record(into: Measured, result: ChildResult): void {
  if (result.error) {
    into.errors.push(result.error);
    return;
  }
  into.loadMs.push(result.loadMs!);
  into.loadCpuMs.push(result.loadCpuMs!);
  into.peakRss.push(result.peakRss);
  into.rssAfterLoad.push(result.rssAfterLoad!);
  if (result.firstInvokeMs !== undefined) into.firstInvokeMs.push(result.firstInvokeMs);
}

export async function coldStart(runs: number, assemblyDirs: readonly string[], progress: (text: string) => void): Promise<ColdStartReport> {
  const deployedEnvs = deployedEnvironments(assemblyDirs);
  const dir = join(WORK_DIR, 'cold-start');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'child-result.json');

  const emptyEntry = join(dir, 'empty', 'entry.mjs');
  mkdirSync(join(dir, 'empty'), { recursive: true });
  writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');
  const emptyFile = join(dir, 'empty', 'index.mjs');
  await buildEntry(emptyEntry, emptyFile, false);
  const empty = emptyMeasured(emptyFile);

  const prepared: { result: ColdStartResult; probeFile?: string }[] = [];
  const failed: { name: string; error: string }[] = [];
  for (const name of handlerNames()) {
    progress(`bundling ${name}`);
    try {
      const deployed = bundleHandler(name);
      // Same build again, in memory, for the metafile bundleHandler does not keep.
      const again = await buildEntry(join(HANDLERS_DIR, `${name}.ts`), deployed.file, true, false);
      const rebuilt = again.outputFiles?.[0];
      const reproduced = rebuilt !== undefined && Buffer.compare(Buffer.from(rebuilt.contents), readFileSync(deployed.file)) === 0;
      const sdk = await sdkUse(again.metafile!, deployed.file);
      const baseDir = join(dir, 'baseline', name);
      mkdirSync(baseDir, { recursive: true });
      writeFileSync(join(baseDir, 'entry.mjs'), baselineSource(sdk));
      const baselineFile = join(baseDir, 'index.mjs');
      const baselineBuild = await buildEntry(join(baseDir, 'entry.mjs'), baselineFile, true);
      const extra = extraOverBaseline(again.metafile!, baselineBuild.metafile!);

      const fromTemplate = deployedEnvs.get(bundleKey(deployed.file));
      const start = fromTemplate ? { ...baseEnv(), ...fromTemplate.variables } : baseEnv();
      const env = discoverEnv(deployed.file, out, start);
      const added = Object.keys(env).filter((k) => !(k in start));
      const envSource = fromTemplate
        ? `as synthesized for ${fromTemplate.source}${added.length ? ` plus dummy ${added.join(', ')}` : ''}`
        : `${assemblyDirs.length === 0 ? 'no synthesized app to read it from (synth failed)' : 'no function in the synthesized app runs this bundle'}: dummy values (${Object.keys(env).filter((k) => !/^(PATH|HOME|LANG|TZ|AWS_.*)$/.test(k)).join(', ')})`;
      const probe = probeFor(name);
      let probeFile: string | undefined;
      if (probe) {
        probeFile = join(dir, `${name}.probe.json`);
        writeFileSync(probeFile, JSON.stringify(probe.event));
      }
      prepared.push({
        result: { name, handler: emptyMeasured(deployed.file), baseline: emptyMeasured(baselineFile), sdk, reproduced, env, envSource, extra, pairedRatios: [], pairedCpuRatios: [], ...(probe ? { probe: probe.description } : {}) },
        ...(probeFile ? { probeFile } : {}),
      });
    } catch (err) {
      failed.push({ name, error: ((err as Error).message ?? String(err)).split('\n').slice(0, 3).join(' ') });
    }
  }

  // Interleave handler, baseline and empty runs so drift on the machine hits all alike.
  const base = baseEnv();
  for (let run = 0; run < runs; run++) {
    progress(`cold start: run ${run + 1}/${runs}`);
    record(empty, runChild(empty.file, base, undefined, out));
    for (const { result, probeFile } of prepared) {
      // Alternate which of the pair goes first.
      const first = run % 2 === 0;
      const early = first ? undefined : runChild(result.baseline.file, result.env, undefined, out);
      const handlerRun = runChild(result.handler.file, result.env, probeFile, out);
      record(result.handler, handlerRun);
      if (run === 0 && probeFile) {
        const response = handlerRun.response as { batchItemFailures?: unknown[] } | undefined;
        (result as { probeOutcome?: string }).probeOutcome = handlerRun.error
          ? `failed: ${handlerRun.error.split('\n')[0]}`
          : `${response?.batchItemFailures?.length ?? '?'} batch item failures`;
      }
      const baselineRun = early ?? runChild(result.baseline.file, result.env, undefined, out);
      record(result.baseline, baselineRun);
      if (!handlerRun.error && !baselineRun.error) {
        result.pairedRatios.push(handlerRun.loadMs! / baselineRun.loadMs!);
        result.pairedCpuRatios.push(handlerRun.loadCpuMs! / baselineRun.loadCpuMs!);
      }
    }
  }
  return { results: prepared.map((p) => p.result), failed, empty, runs };
}

export const stat = {
  load: (m: Measured) => median(m.loadMs),
  cpu: (m: Measured) => median(m.loadCpuMs),
  peakRss: (m: Measured) => median(m.peakRss),
  loadRss: (m: Measured) => median(m.rssAfterLoad),
  invoke: (m: Measured) => median(m.firstInvokeMs),
};
