/** The startup banner of `npm start`: endpoints, queue URLs, how to enqueue. */
import { randomUUID } from 'node:crypto';
import { LOCAL_CREDENTIALS } from './clients';
import type { LocalRuntime } from './runtime';
import type { JobRegistry } from '../functions/runtime/jobs/registry';
import { ENDPOINTS_ENV } from '../functions/runtime/jobs/endpoints';

export function renderBanner(runtime: LocalRuntime, registry: JobRegistry): string {
  const lines: string[] = [];
  const sqs = runtime.sqs.endpoint;
  lines.push(
    `xikolo-async local runtime · environment ${runtime.environment} · region ${runtime.region} · no AWS account needed`,
    '',
    `  SQS API       ${sqs}  (fauxqs, in memory; any credentials)`,
    `  DynamoDB API  ${runtime.dynamodb.endpoint}  (dynalite, in memory; job ledger table ${runtime.ledgerTable})`,
    '',
    'Job queues (★ primary band: the URL a Rails app\'s ActiveJob SQS adapter sends the queue\'s jobs to):',
  );
  for (const queue of runtime.queues) {
    const { plan } = queue;
    const jobsOnQueue = plan.jobNames.length > 0 ? plan.jobNames.join(', ') : 'no jobs yet';
    if (plan.declaration.runner === 'lambda') {
      lines.push(
        `  ${plan.declaration.name} — run by the worker (as Lambda: batch ${plan.settings.batchSize}, timeout ${plan.functionTimeoutSeconds} s, visibility ${plan.visibilityTimeoutSeconds} s) · ${jobsOnQueue}`,
      );
    } else {
      lines.push(
        `  ${plan.declaration.name} — run by the starter and checkpointed slices (as Step Functions would drive them, in process) · ${jobsOnQueue}`,
      );
    }
    for (const band of queue.bands) {
      const mark = band === queue.primary ? '★' : ' ';
      const pollers = `  (${band.maxConcurrency} concurrent)`;
      lines.push(`    ${mark} ${band.band.padEnd(13)} ${band.url}${pollers}`);
    }
    lines.push(`      ${'dead letters'.padEnd(13)} ${queue.deadLetter.url}`);
  }

  const example = exampleJob(runtime, registry);
  lines.push('', 'Enqueue a job:', `  npx tsx local/enqueue.ts ${example.name} [json-args...]     (the Job API, as TypeScript code enqueues)`);
  if (example.url) {
    const body = JSON.stringify({ job_class: example.name, job_id: randomUUID(), queue_name: example.queue, arguments: [], executions: 0 });
    lines.push(
      `  AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} aws --endpoint-url ${sqs} --region ${runtime.region} sqs send-message \\`,
      `    --queue-url ${example.url} --message-body '${body}'     (a new job_id per message)`,
    );
  }
  lines.push(
    `  Rails: the SQS adapter with endpoint ${sqs}, region ${runtime.region}, and the ★ URLs above per queue (docs/local.md)`,
    '',
    `Other local processes find the queues in ${ENDPOINTS_ENV}:`,
    `  export ${ENDPOINTS_ENV}='${JSON.stringify(runtime.endpoints)}'`,
    '',
    'Job events follow, one line each. Ctrl-C stops.',
    '',
  );
  return lines.join('\n');
}

function exampleJob(runtime: LocalRuntime, registry: JobRegistry): { name: string; queue: string; url?: string } {
  const lambdaQueues = runtime.queues.filter((q) => q.plan.declaration.runner === 'lambda');
  for (const queue of lambdaQueues) {
    const name = queue.plan.jobNames[0];
    if (name) return { name, queue: queue.plan.declaration.name, url: queue.primary.url };
  }
  const first = registry.names()[0] ?? 'SomeJob';
  const queue = lambdaQueues[0];
  return queue ? { name: first, queue: queue.plan.declaration.name, url: queue.primary.url } : { name: first, queue: 'default' };
}
