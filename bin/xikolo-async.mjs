#!/usr/bin/env node
// The `xikolo-async` command (package.json "bin"): runs the TypeScript CLI
// through tsx's API, so no build step is needed.
import { tsImport } from 'tsx/esm/api';

try {
  await tsImport('./cli.ts', import.meta.url);
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
}
