/**
 * `npm start`: the local runtime on embedded defaults, with no AWS account.
 *
 *   npm start [-- --sqs-port 4566 --dynamodb-port 4567 --env development --json]
 *
 * Starts the SQS and DynamoDB emulators in this process, creates the
 * environment's job queues and ledger table as deployed, runs the job
 * workers as Lambda would, and prints one line per job event until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { LocalRuntime } from './runtime';
import { DEFAULT_DYNAMODB_PORT, DEFAULT_SQS_PORT, DYNAMODB_PORT_ENV, SQS_PORT_ENV, PortInUseError } from './ports';
import { ENDPOINTS_ENV } from '../functions/runtime/jobs/endpoints';
import { JOB_ENV } from '../functions/runtime/jobs/environment';
import { ConfigError, ConfigErrors } from '../lib/config/errors';

// Tests and other tools start the runtime with startLocalRuntime (local/runtime.ts).
export type { LocalRuntime, LocalRuntimeOptions } from './runtime';

/** Running batches get this long to finish on Ctrl-C / SIGTERM. */
const STOP_GRACE_MS = 30_000;

const USAGE = `Usage: npm start [-- options]

Runs xikolo-async locally: embedded SQS (fauxqs) and DynamoDB (dynalite),
the environment's job queues as deployed, and the job workers fed as Lambda
feeds them. No AWS account or network needed.

Options:
  --sqs-port <port>       SQS endpoint port (env ${SQS_PORT_ENV}; default ${DEFAULT_SQS_PORT})
  --dynamodb-port <port>  DynamoDB endpoint port (env ${DYNAMODB_PORT_ENV}; default ${DEFAULT_DYNAMODB_PORT})
  --env <name>            environment whose config sizes the queues (default development)
  --json                  print the raw EMF and log lines Lambda writes instead of one-line summaries
  -h, --help              this text

See docs/local.md.`;

function port(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${what}: "${value}" is not a port number (0–65535)`);
  return n;
}

class UsageError extends Error {}

/**
 * fauxqs loads node:sqlite (for its optional persistence, unused here), and
 * Node 22 warns that it is experimental on every start. Drop that one warning;
 * print every other as Node would.
 */
function quietSqliteWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
    console.error(`(node:${process.pid}) ${warning.name}: ${warning.message}`);
  });
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let runtime: LocalRuntime;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        'sqs-port': { type: 'string' },
        'dynamodb-port': { type: 'string' },
        env: { type: 'string', default: 'development' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    quietSqliteWarning();
    // Loaded only now, after the warning filter: fauxqs imports node:sqlite at load time.
    const { startLocalRuntime } = await import('./runtime');
    runtime = await startLocalRuntime({
      environment: values.env,
      sqsPort: port(values['sqs-port'] ?? process.env[SQS_PORT_ENV], DEFAULT_SQS_PORT, `--sqs-port / ${SQS_PORT_ENV}`),
      dynamodbPort: port(values['dynamodb-port'] ?? process.env[DYNAMODB_PORT_ENV], DEFAULT_DYNAMODB_PORT, `--dynamodb-port / ${DYNAMODB_PORT_ENV}`),
      format: values.json ? 'json' : 'pretty',
    });
  } catch (err) {
    if (err instanceof PortInUseError || err instanceof ConfigError || err instanceof ConfigErrors || (err as Error)?.name === 'JobTopologyError') {
      console.error(`npm start: ${(err as Error).message}`);
    } else if (err instanceof UsageError || (err as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`npm start: ${(err as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    } else {
      console.error('npm start: could not start the local runtime:', err);
    }
    process.exitCode = 1;
    return;
  }

  // In-process code that reads the environment (as Lambda code does) finds the local queues.
  process.env[ENDPOINTS_ENV] = JSON.stringify(runtime.endpoints);
  process.env[JOB_ENV.environment] = runtime.environment;
  process.env[JOB_ENV.ledgerTable] = runtime.ledgerTable;

  const [{ renderBanner }, { jobs }] = await Promise.all([import('./banner'), import('../functions/app/jobs')]);
  console.log(renderBanner(runtime, jobs));

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      console.error(`${signal} again: exiting without waiting for running jobs`);
      process.exit(130);
    }
    const running = runtime.workers.mappings.reduce((n, m) => n + m.inFlight, 0);
    console.log(`\n${signal}: stopping${running > 0 ? ` (waiting up to ${STOP_GRACE_MS / 1000} s for ${running} running batch(es); Ctrl-C again to force)` : ''}…`);
    runtime
      .stop({ graceMs: STOP_GRACE_MS })
      .then(() => {
        console.log('stopped: pollers, SQS and DynamoDB emulators are down');
        process.off('SIGINT', shutdown);
        process.off('SIGTERM', shutdown);
        // Everything is closed; if some job left a handle open, do not hang.
        setTimeout(() => {
          console.error('a job left handles open; exiting');
          process.exit(0);
        }, 2_000).unref();
      })
      .catch((err: unknown) => {
        console.error('error while stopping:', err);
        process.exit(1);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
