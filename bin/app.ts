/**
 * `npx cdk synth -c env=<name>` / `npx cdk deploy -c env=<name> --all`.
 * Works offline: no lookups, account and region from config/environments or
 * the environment variables the CDK CLI sets.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, ConfigErrors } from '../lib/config/errors';
import { addEnvironment } from '../lib/app';
import { loadEnvironment, environmentNames } from '../lib/config/environment';
import { enableNag } from '../lib/nag';
import { JobTopologyError } from '../lib/jobs/topology';

const app = new App();
const environment = app.node.tryGetContext('env') as string | undefined;
if (!environment) {
  console.error(`No environment chosen: pass -c env=<name>, one of ${environmentNames().join(', ')} (files in config/environments/).`);
  process.exit(1);
}
try {
  enableNag(app);
  addEnvironment(app, loadEnvironment(environment));
} catch (err) {
  if (err instanceof ConfigError || err instanceof ConfigErrors || err instanceof JobTopologyError) {
    console.error(`Configuration error:\n${err.message}`);
    process.exit(1);
  }
  throw err;
}
app.synth();
