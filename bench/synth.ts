/** Wall-clock time of `npx cdk synth` per environment, and optionally of `npm test`. */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../lib/bundling';
import { WORK_DIR } from './cold-start';

export interface Timed {
  readonly name: string;
  readonly command: string;
  readonly ms: number;
  readonly ok: boolean;
  /** The cloud assembly a synth wrote. */
  readonly outdir?: string;
  /** First lines of the output when the command failed. */
  readonly error?: string;
}

function timeCommand(name: string, command: string, args: string[]): Promise<Timed> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    const keep = (chunk: Buffer) => {
      if (output.length < 200_000) output += chunk.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const display = `${command} ${args.join(' ')}`;
    child.on('error', (err) => resolve({ name, command: display, ms: performance.now() - started, ok: false, error: err.message }));
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const lines = output.split('\n').filter((l) => l.trim() !== '');
      resolve({ name, command: display, ms, ok: code === 0, ...(code === 0 ? {} : { error: lines.slice(0, 8).join('\n') || `exit code ${code}` }) });
    });
  });
}

/** Environments with a configuration file, in the order development, staging, production, then the rest. */
export function environments(): string[] {
  const order = ['development', 'staging', 'production'];
  let found: string[] = [];
  try {
    found = readdirSync(join(PROJECT_ROOT, 'config', 'environments')).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, ''));
  } catch {
    found = order;
  }
  return [...order.filter((e) => found.includes(e)), ...found.filter((e) => !order.includes(e)).sort()];
}

/** `npx cdk synth -c env=<env> --quiet`, writing its cloud assembly under .bench/ so the project's cdk.out is left alone. */
export async function synthOne(env: string, progress: (text: string) => void): Promise<Timed> {
  progress(`cdk synth -c env=${env}`);
  const outdir = join(WORK_DIR, 'cdk.out', env);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  return { ...(await timeCommand(env, 'npx', ['cdk', 'synth', '-c', `env=${env}`, '--quiet', '--output', outdir])), outdir };
}

export async function synthTimes(progress: (text: string) => void): Promise<Timed[]> {
  const results: Timed[] = [];
  for (const env of environments()) results.push(await synthOne(env, progress));
  return results;
}

export async function testTime(progress: (text: string) => void): Promise<Timed> {
  progress('npm test');
  return timeCommand('npm test', 'npm', ['test']);
}
