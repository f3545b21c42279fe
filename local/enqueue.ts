/**
 * Enqueues one job on a running local runtime (`npm start`) through the Job
 * API, as TypeScript code enqueues: `set(...)`, the ActiveJob serializer and
 * the SqsJobAdapter (what `performLater` uses), against the local SQS endpoint.
 *
 *   npx tsx local/enqueue.ts <JobClass> [json-args...] [--wait <s>] [--priority <band|n>] [--queue <name>]
 *
 * Each argument is parsed as JSON (`42`, `true`, `'{"a":1}'`, `'"text"'`);
 * one that is not JSON is taken as a plain string.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadEnvironment } from '../lib/config/environment';
import { planQueues } from '../lib/jobs/topology';
import { jobs as appJobs } from '../functions/app/jobs';
import type { JobRegistry } from '../functions/runtime/jobs/registry';
import { ConfiguredJob, type EnqueueOptions, type EnqueuedJob } from '../functions/runtime/jobs/job';
import { SqsJobAdapter, enqueueAll } from '../functions/runtime/jobs/enqueue';
import { isPriorityBand, type Priority } from '../functions/runtime/jobs/priority';
import type { QueueEndpoints } from '../functions/runtime/jobs/endpoints';
import { DEFAULT_LOCAL_REGION, localSqsClient } from './clients';
import { DEFAULT_SQS_PORT, SQS_PORT_ENV } from './ports';
import { lookUpJobQueues } from './queues';

const USAGE = `Usage: npx tsx local/enqueue.ts <JobClass> [json-args...] [options]

Enqueues a job on the local runtime started by \`npm start\`.
Each argument is parsed as JSON; one that is not JSON is taken as a string.

Options:
  --wait <seconds>        run the job this many seconds from now
  --priority <band|n>     interactive, user_visible, eventual, reporting or a number
  --queue <name>          another queue than the job's own
  --sqs-port <port>       the local SQS port (env ${SQS_PORT_ENV}; default ${DEFAULT_SQS_PORT})
  --env <name>            environment npm start runs (default development)
  -h, --help              this text`;

export function parseJobArgument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface EnqueueLocallyOptions extends EnqueueOptions {
  readonly endpoints: QueueEndpoints;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly registry?: JobRegistry;
}

/** Enqueues `jobClass` with `args` through the Job API on the given local queues. */
export async function enqueueLocally(jobClassName: string, args: unknown[], options: EnqueueLocallyOptions): Promise<EnqueuedJob> {
  const registry = options.registry ?? appJobs;
  const jobClass = registry.find(jobClassName);
  if (!jobClass) throw new Error(`unknown job class "${jobClassName}": known are ${registry.names().join(', ') || '(none)'}`);
  const sqs = localSqsClient(options.sqsEndpoint, options.region);
  try {
    const { wait, waitUntil, queue, priority } = options;
    const set: EnqueueOptions = {
      ...(wait !== undefined ? { wait } : {}),
      ...(waitUntil !== undefined ? { waitUntil } : {}),
      ...(queue !== undefined ? { queue } : {}),
      ...(priority !== undefined ? { priority } : {}),
    };
    // performLater, with the adapter passed in rather than installed process-wide.
    const [enqueued] = await enqueueAll([new ConfiguredJob(jobClass, set).build(...args)], new SqsJobAdapter(sqs, options.endpoints));
    return enqueued!;
  } finally {
    sqs.destroy();
  }
}

async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      wait: { type: 'string' },
      priority: { type: 'string' },
      queue: { type: 'string' },
      'sqs-port': { type: 'string' },
      env: { type: 'string', default: 'development' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [jobClassName, ...rawArgs] = positionals;
  if (values.help || !jobClassName) {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const port = Number(values['sqs-port'] ?? process.env[SQS_PORT_ENV] ?? DEFAULT_SQS_PORT);
  const sqsEndpoint = `http://127.0.0.1:${port}`;
  const config = loadEnvironment(values.env);
  const region = config.region ?? DEFAULT_LOCAL_REGION;

  let priority: Priority | undefined;
  if (values.priority !== undefined) {
    priority = isPriorityBand(values.priority) ? values.priority : Number(values.priority);
  }
  const wait = values.wait !== undefined ? Number(values.wait) : undefined;

  const lookup = localSqsClient(sqsEndpoint, region);
  let endpoints: QueueEndpoints;
  try {
    endpoints = await lookUpJobQueues(lookup, sqsEndpoint, config.name, planQueues(config, appJobs));
  } catch (err) {
    throw new Error(`cannot find the local job queues at ${sqsEndpoint} (${(err as Error).message}): is \`npm start\` running${port === DEFAULT_SQS_PORT ? '' : ` with --sqs-port ${port}`}?`);
  } finally {
    lookup.destroy();
  }

  const enqueued = await enqueueLocally(jobClassName, rawArgs.map(parseJobArgument), {
    endpoints,
    sqsEndpoint,
    region,
    ...(wait !== undefined ? { wait } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(values.queue !== undefined ? { queue: values.queue } : {}),
  });
  console.log(
    `enqueued ${enqueued.jobClass} job_id ${enqueued.jobId} on ${enqueued.queueName} (SQS message ${enqueued.providerJobId}), due ${enqueued.runAt.toISOString()}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main();
  } catch (err) {
    console.error(`enqueue: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
