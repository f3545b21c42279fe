/**
 * Reference fire times for the cron tests.
 *
 * fugit (sidekiq-cron's own parser, Debian's ruby-fugit) through
 * ../shared/tools/fugit-times.rb is the primary oracle; one Ruby process per
 * test file answers every line at once (it is slow to start). The EventBridge
 * side is our exact evaluator (lib/cron/aws-cron.ts), itself cross-checked
 * against npm aws-cron-parser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { awsFireTimes, parseAwsCron } from '../../lib/cron/aws-cron';
import type { AwsSchedule } from '../../lib/cron/translate';
import { wallClockExists } from '../../lib/cron/zone';
import { SHARED_DIR } from '../support/shared';

export const FUGIT_TIMES = process.env.FUGIT_TIMES ?? join(SHARED_DIR, 'tools', 'fugit-times.rb');

export interface FugitRequest {
  readonly line: string;
  /** Local wall clock in the line's zone, "YYYY-MM-DD HH:MM:SS". */
  readonly start: string;
  readonly end: string;
  readonly cap?: number;
}

export type FugitAnswer =
  | { ok: true; zone: string; seconds: number[]; times: number[] }
  | { ok: false; error: string };

function runFugit(requests: readonly FugitRequest[]): Promise<FugitAnswer[]> {
  const input = requests.map((r) => JSON.stringify({ line: r.line, start: r.start, end: r.end, cap: r.cap ?? 5000 })).join('\n') + '\n';
  return new Promise((resolve, reject) => {
    const child = spawn('ruby', [FUGIT_TIMES], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`fugit-times.rb failed (${code}): ${stderr}`));
      const answers = stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l) as FugitAnswer);
      if (answers.length !== requests.length) return reject(new Error(`fugit-times.rb answered ${answers.length} of ${requests.length} lines`));
      resolve(answers);
    });
    child.stdin.end(input);
  });
}

/**
 * Asks fugit for the fire times of every request, in as many Ruby processes
 * as there are cores (each answers its share in one go). Throws, never skips,
 * when ruby-fugit or the script is missing.
 */
export async function fugitTimes(requests: readonly FugitRequest[]): Promise<FugitAnswer[]> {
  if (!existsSync(FUGIT_TIMES)) {
    throw new Error(`fugit oracle not found at ${FUGIT_TIMES}: the cron tests need ../shared/tools/fugit-times.rb beside the repository (or FUGIT_TIMES=/path/to/fugit-times.rb)`);
  }
  const probe = spawnSync('ruby', ['-e', 'require "fugit"'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error("ruby-fugit is missing: run `bash scripts/fugit.sh` (or `npm test`, which runs it) to install Debian's ruby and ruby-fugit");
  }
  const workers = Math.max(1, Math.min(availableParallelism(), 4, requests.length));
  const chunks: FugitRequest[][] = Array.from({ length: workers }, () => []);
  requests.forEach((r, i) => chunks[i % workers]!.push(r));
  const answered = await Promise.all(chunks.map(runFugit));
  return requests.map((_, i) => answered[i % workers]![Math.floor(i / workers)]!);
}

/** "YYYY-MM-DD HH:MM:SS" → wall-clock ms read as UTC. */
export function wall(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** Distinct wall-clock times, sorted. */
export function distinct(times: readonly number[]): number[] {
  return [...new Set(times)].sort((a, b) => a - b);
}

/** The union of the schedules' wall-clock fire times in [start, end), as Scheduler fires them (gap times skipped, overlaps once). */
export function awsUnion(schedules: readonly AwsSchedule[], start: string, end: string): number[] {
  const all: number[] = [];
  for (const s of schedules) {
    for (const t of awsFireTimes(parseAwsCron(s.expression), wall(start), wall(end))) {
      if (wallClockExists(t, s.timezone)) all.push(t);
    }
  }
  return distinct(all);
}

/** Readable times for failure messages. */
export function show(times: readonly number[], max = 12): string {
  return times.slice(0, max).map((t) => new Date(t).toISOString().slice(0, 16).replace('T', ' ')).join(', ') + (times.length > max ? ` … (${times.length})` : '');
}

/** First difference between two sorted time lists, for failure messages. */
export function firstDifference(expected: readonly number[], actual: readonly number[]): string {
  const e = new Set(expected);
  const a = new Set(actual);
  const missing = expected.filter((t) => !a.has(t));
  const extra = actual.filter((t) => !e.has(t));
  return `missing (fugit fires, AWS not): ${show(missing)}; extra (AWS fires, fugit not): ${show(extra)}`;
}
