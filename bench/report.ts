/** Small helpers shared by the benchmark sections: statistics, formatting and tables. */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Half the distance between the 25th and 75th percentile: how noisy a median is. */
export function spread(values: readonly number[]): number {
  if (values.length < 4) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]!;
  return (at(0.75) - at(0.25)) / 2;
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–'),
  ms: (n: number, digits = 1) => (Number.isFinite(n) ? `${n.toFixed(digits)} ms` : '–'),
  us: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)} µs` : '–'),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–'),
  mb: (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : '–'),
  s: (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '–'),
  per: (n: number) => (Number.isFinite(n) ? (Number.isInteger(n) ? String(n) : n.toFixed(3)) : '–'),
};

/** PASS/MISS against an upper bound; '–' when there is no figure. */
export function verdict(value: number, max: number): 'PASS' | 'MISS' | '–' {
  if (!Number.isFinite(value)) return '–';
  return value <= max + 1e-9 ? 'PASS' : 'MISS';
}

export type Row = readonly string[];

/** A GitHub-flavoured markdown table, padded so it also reads well in a terminal. */
export function table(headers: Row, rows: readonly Row[], rightAligned: readonly number[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number) => (rightAligned.includes(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (row: Row) => `| ${row.map((c, i) => cell(c ?? '', i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned.includes(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export function heading(text: string): void {
  console.log(`\n## ${text}\n`);
}

export function note(text: string): void {
  console.log(text.replace(/^/gm, '> '));
}

function cpuModel(): string {
  const model = os.cpus()[0]?.model?.trim();
  if (model && model !== 'unknown') return model;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '?';
  }
}

function gitRevision(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${rev} (with uncommitted changes)` : rev;
  } catch {
    return 'unknown';
  }
}

export function machine(): Row[] {
  return [
    ['CPU', `${cpuModel()} (${os.availableParallelism()} cores available, ${os.cpus().length} online)`],
    ['Memory', `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB total, ${(os.freemem() / 1024 ** 3).toFixed(1)} GiB free`],
    ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
    ['Node', `${process.version} (${process.execPath})`],
    ['esbuild / AWS SDK', `${packageVersion('esbuild')} / client-sqs ${packageVersion('@aws-sdk/client-sqs')}`],
    ['Load average', os.loadavg().map((l) => l.toFixed(2)).join(' ')],
    ['Revision', gitRevision()],
    ['Date', new Date().toISOString()],
  ];
}
