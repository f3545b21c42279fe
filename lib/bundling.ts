/**
 * Lambda bundles, built with esbuild once per entry point and process.
 *
 * We bundle ourselves rather than through NodejsFunction so that `cdk synth`,
 * the tests and `npm run bench` all measure and deploy the very same file,
 * and so a synth of three environments bundles each handler once.
 */
import { buildSync, type BuildOptions } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PROJECT_ROOT = join(import.meta.dirname, '..');
const OUT_ROOT = join(PROJECT_ROOT, 'dist', 'functions');

/** Lambda runtime the bundles target (esbuild target and Lambda runtime are kept in step). */
export const LAMBDA_NODE_MAJOR = 22;

export interface Bundle {
  /** Directory holding index.mjs, ready for `Code.fromAsset`. */
  readonly directory: string;
  readonly file: string;
  readonly bytes: number;
}

const cache = new Map<string, Bundle>();

/** esbuild options of every Lambda bundle (the benchmarks build their baselines with the same). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: `node${LAMBDA_NODE_MAJOR}`,
  minify: true,
  treeShaking: true,
  legalComments: 'none',
  logLevel: 'error',
  // Some SDK dependencies still call require(); give ESM bundles one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  mainFields: ['module', 'main'],
} as const satisfies BuildOptions;

/**
 * Bundles `functions/handlers/<name>.ts` into dist/functions/<name>/index.mjs:
 * ESM, minified, tree-shaken, the AWS SDK included (so its version is the
 * one we test, not whatever the runtime ships).
 */
export function bundleHandler(name: string): Bundle {
  const cached = cache.get(name);
  if (cached) return cached;
  const entry = join(PROJECT_ROOT, 'functions', 'handlers', `${name}.ts`);
  const directory = join(OUT_ROOT, name);
  mkdirSync(directory, { recursive: true });
  const file = join(directory, 'index.mjs');
  buildSync({ ...BUNDLE_OPTIONS, entryPoints: [entry], outfile: file });
  const bundle = { directory, file, bytes: statSync(file).size };
  cache.set(name, bundle);
  return bundle;
}
