/** Builds an environment's stacks with cdk-nag on, as `cdk synth` does, once per environment and process. */
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addEnvironment, type XikoloAsyncStacks } from '../../lib/app';
import { loadEnvironment, type EnvironmentConfig } from '../../lib/config/environment';
import { enableNag, describeValidationFailure } from '../../lib/nag';

export interface Synthesized {
  readonly app: App;
  readonly stacks: XikoloAsyncStacks;
  readonly outdir: string;
}

const cache = new Map<string, Synthesized>();

export function synthesize(environment: string, override?: (config: EnvironmentConfig) => EnvironmentConfig): Synthesized {
  const key = override ? `${environment}:${override.toString()}` : environment;
  const cached = cache.get(key);
  if (cached) return cached;
  const outdir = mkdtempSync(join(tmpdir(), `xa-synth-${environment}-`));
  const app = new App({ outdir });
  enableNag(app);
  const config = loadEnvironment(environment);
  const stacks = addEnvironment(app, override ? override(config) : config);
  try {
    app.synth();
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${describeValidationFailure(outdir)}`);
  }
  const result = { app, stacks, outdir };
  cache.set(key, result);
  return result;
}

export function template(stack: Stack): Template {
  return Template.fromStack(stack);
}
