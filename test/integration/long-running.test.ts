import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SQSClient, SendMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { SFNClient, StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine, ExecutionTimeoutError, type StateMachineDefinition } from 'aws-local-stepfunctions';
import aslValidator from 'asl-validator';
import { JobsStack } from '../../lib/stacks/jobs-stack';
import { loadEnvironment } from '../../lib/config/environment';
import { enableNag } from '../../lib/nag';
import { jobSlug } from '../../lib/constructs/long-running-runner';
import { createLongRunningRunner, sliceHandler, type SliceState } from '../../functions/runtime/jobs/long-running';
import { DynamoCheckpointStore } from '../../functions/runtime/jobs/ledger';
import { setJobAdapter, SqsJobAdapter, ATTRIBUTES } from '../../functions/runtime/jobs/enqueue';
import type { QueueEndpoints } from '../../functions/runtime/jobs/endpoints';
import { encodeEnvelope } from '../../functions/runtime/jobs/serialization';
import { startDynamo, createLedgerTable, type LocalDynamo } from '../support/dynamodb';
import { captureMetrics, sqsEvent, sqsRecord, envelope } from '../support/jobs';
import { deployedDefinition } from '../support/state-machine';
import { CountJob, FanOutJob, hanging, longJobControl, longRegistry, processed } from '../support/long-jobs';

const ENDPOINTS: QueueEndpoints = {
  default: { primary: 'user_visible', bands: { user_visible: 'https://sqs.local/default-user-visible' }, deadLetter: 'https://sqs.local/default-dlq' },
  long_running: { primary: 'user_visible', bands: { user_visible: 'https://sqs.local/long-running-user-visible' }, deadLetter: 'https://sqs.local/long-running-dlq' },
};

const sqsMock = mockClient(SQSClient);
const sfnMock = mockClient(SFNClient);
let dynamo: LocalDynamo;
let template: Template;
let metricLines: Record<string, unknown>[];

function runner(sliceBudgetMs = 40) {
  const { emitter, lines } = captureMetrics();
  metricLines = lines;
  return createLongRunningRunner({
    registry: longRegistry(),
    queue: 'long_running',
    endpoints: ENDPOINTS,
    sqs: new SQSClient({ region: 'eu-central-1' }),
    sfn: new SFNClient({ region: 'eu-central-1' }),
    stateMachines: Object.fromEntries(longRegistry().onQueue('long_running').map((j) => [j.definition.name, `arn:aws:states:eu-central-1:123456789012:stateMachine:${jobSlug(j.definition.name)}`])),
    checkpoints: new DynamoCheckpointStore(dynamo.client, 'ledger', 14),
    metrics: emitter,
    sliceBudgetMs,
    log: () => {},
  });
}

interface RunResult {
  output?: SliceState;
  /** The Error of the Fail state that ended the run, or 'TIMED_OUT'. */
  failedWith?: string;
  sliceCalls: number;
}

/** Runs the deployed definition of `jobName` locally; its task states call the real slice handler (wrapped by `wrap`). */
async function execute(jobName: string, input: SliceState, options: { budgetMs?: number; wrap?: (call: number, run: () => Promise<unknown>) => Promise<unknown> } = {}): Promise<RunResult> {
  const id = jobSlug(jobName);
  const { definition } = deployedDefinition(template, `job-${id}`);
  const handle = sliceHandler(runner(options.budgetMs));
  let sliceCalls = 0;
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: {
        [`${id}-Slice`]: async (i) => {
          sliceCalls++;
          const run = () => handle(i as never, { getRemainingTimeInMillis: () => 900_000 });
          return (options.wrap ? options.wrap(sliceCalls, run) : run()) as never;
        },
        [`${id}-DeadLetter`]: async (i) => (await handle(i as never)) as never,
      },
      retryIntervalOverrides: { [`${id}-Slice`]: 0 },
    },
  });
  try {
    return { output: (await execution.result) as unknown as SliceState, sliceCalls };
  } catch (error) {
    if (error instanceof ExecutionTimeoutError) {
      // What the deployed RunEnded rule does: hand Step Functions' status-change event to the slice function.
      await handle({
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        detail: { status: 'TIMED_OUT', name: input.executionName, input: JSON.stringify(input), executionArn: `arn:aws:states:eu-central-1:123456789012:execution:${id}:${input.executionName}` },
      });
      return { failedWith: 'TIMED_OUT', sliceCalls };
    }
    return { failedWith: ((error as Error).cause as Error | undefined)?.name ?? String(error), sliceCalls };
  }
}

function initialState(body: string, attempts = 0): SliceState {
  return { body, messageId: 'm-1', attempts, executionName: 'x', startedAt: 0, cursor: null, itemsDone: 0, slices: 0, status: 'start' };
}

function deadLetters() {
  return sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
}

function resent() {
  return sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => ({ url: c.args[0].input.QueueUrl, ...e })));
}

class LambdaCrash extends Error {
  constructor() {
    super('Runtime exited with error: signal: killed');
    this.name = 'Lambda.Unknown';
  }
}

beforeAll(async () => {
  dynamo = await startDynamo();
  await createLedgerTable(dynamo, 'ledger');
  const app = new App();
  enableNag(app);
  const stack = new JobsStack(app, 'lr-test-jobs', { config: loadEnvironment('development'), registry: longRegistry() });
  template = Template.fromStack(stack);
});
afterAll(() => dynamo.stop());

beforeEach(() => {
  sqsMock.reset();
  sfnMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dlq' });
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })), Failed: [] }));
  setJobAdapter(new SqsJobAdapter(new SQSClient({ region: 'eu-central-1' }), ENDPOINTS));
  processed.length = 0;
  longJobControl.itemMs = 5;
});

describe('the deployed long-running definition', () => {
  it('is valid ASL', () => {
    const { definition } = deployedDefinition(template, `job-${jobSlug('Test::CountJob')}`);
    const result = aslValidator(structuredClone(definition), { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('completes a job that needs several slices, every item processed once, with its progress in the output', async () => {
    const body = envelope('Test::CountJob', [40], { queue_name: 'long_running', job_id: 'count-1' });
    const { output, failedWith, sliceCalls } = await execute('Test::CountJob', initialState(body));
    expect(failedWith).toBeUndefined();
    expect(output).toMatchObject({ status: 'done', itemsDone: 40, cursor: 39 });
    expect(sliceCalls).toBeGreaterThan(2);
    expect(output!.slices).toBe(sliceCalls);
    expect(processed).toEqual(Array.from({ length: 40 }, (_, i) => `count:${i}`));
    const progress = metricLines.filter((l) => 'ItemsDone' in l);
    expect(progress.reduce((n, l) => n + (l.ItemsDone as number), 0)).toBe(40);
    expect(metricLines.filter((l) => l.event === 'run')).toHaveLength(1);
  });

  it('resumes a slice that crashed mid-way from the last checkpoint, processing no item twice', async () => {
    const body = envelope('Test::CountJob', [30], { queue_name: 'long_running', job_id: 'count-crash' });
    // The second slice works (and checkpoints) but its Lambda dies before it can report.
    const { output, sliceCalls } = await execute('Test::CountJob', initialState(body), {
      wrap: async (call, run) => {
        const result = await run();
        if (call === 2) throw new LambdaCrash();
        return result;
      },
    });
    expect(output).toMatchObject({ status: 'done', itemsDone: 30 });
    expect(sliceCalls).toBeGreaterThan(3);
    expect(processed).toEqual(Array.from({ length: 30 }, (_, i) => `count:${i}`));
  });

  it('dead-letters a run whose slices keep crashing once the job\'s attempts are used, with its checkpoint', async () => {
    const body = envelope('Test::CountJob', [1000], { queue_name: 'long_running', job_id: 'count-dies' });
    const { failedWith, sliceCalls } = await execute('Test::CountJob', initialState(body), {
      wrap: async (_call, run) => {
        await run();
        throw new LambdaCrash();
      },
    });
    expect(failedWith).toBe('JobFailed');
    // maxAttempts 5: the first slice and four retries.
    expect(sliceCalls).toBe(5);
    const [dead] = deadLetters();
    expect(dead!.QueueUrl).toBe(ENDPOINTS.long_running!.deadLetter);
    expect(dead!.MessageBody).toBe(body);
    expect(dead!.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue).toBe('crashed');
    expect(dead!.MessageAttributes![ATTRIBUTES.errorClass]!.StringValue).toBe('Lambda.Unknown');
    const cursor = JSON.parse(dead!.MessageAttributes!.xikolo_cursor!.StringValue!);
    expect(cursor.itemsDone).toBe(processed.length);
    expect(new Set(processed).size).toBe(processed.length);
  });

  it('sends a failing job back to its queue with Delayed\'s backoff, resumes it from its checkpoint, and dead-letters it when attempts are used up', async () => {
    const body = envelope('Test::FailingLongJob', [], { queue_name: 'long_running', job_id: 'failing-1' });
    const first = await execute('Test::FailingLongJob', initialState(body));
    expect(first.output).toMatchObject({ status: 'rescheduled', itemsDone: 2, cursor: 1 });
    const [retry] = resent();
    expect(retry!.MessageBody).toBe(body);
    expect(retry!.DelaySeconds).toBe(6);
    expect(retry!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('1');

    const second = await execute('Test::FailingLongJob', initialState(body, 1));
    expect(second.output).toMatchObject({ status: 'rescheduled' });
    expect(resent()[1]!.DelaySeconds).toBe(21);

    const third = await execute('Test::FailingLongJob', initialState(body, 2));
    expect(third.failedWith).toBe('JobFailed');
    // Items 0 and 1 ran once; every later run resumed after them.
    expect(processed).toEqual(['failing:0', 'failing:1']);
    const [dead] = deadLetters();
    expect(dead!.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue).toBe('attempts_exhausted');
    expect(dead!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toBe('item 2 is broken');
    expect(dead!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('3');
    expect(JSON.parse(dead!.MessageAttributes!.xikolo_cursor!.StringValue!)).toEqual({ cursor: 1, itemsDone: 2 });
    expect(metricLines.map((l) => l.event).filter(Boolean)).toEqual(['run', 'failure']);
  });

  it('stops a run at the job\'s max run time and dead-letters it with its last checkpoint', async () => {
    const body = envelope('Test::SlowLongJob', [], { queue_name: 'long_running', job_id: 'slow-1' });
    // Two guards reach the bound at the same moment: the slice's own check (JobFailed) and the
    // execution's TimeoutSeconds (TIMED_OUT, dead-lettered by the RunEnded rule). Either must dead-letter.
    const { failedWith } = await execute('Test::SlowLongJob', { ...initialState(body), executionName: 'slow-1-e0-a0' }, { budgetMs: 200 });
    expect(['JobFailed', 'TIMED_OUT']).toContain(failedWith);
    const dead = deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.MessageBody).toBe(body);
    expect(dead[0]!.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue).toBe('timed_out');
    const { cursor, itemsDone } = JSON.parse(dead[0]!.MessageAttributes!.xikolo_cursor!.StringValue!);
    expect(itemsDone).toBeGreaterThan(3);
    expect(itemsDone).toBeLessThan(40);
    expect(cursor).toBe(itemsDone - 1);
  });

  it('dead-letters a run that failed outside the job unless that very run dead-lettered it already', async () => {
    const body = envelope('Test::CountJob', [100], { queue_name: 'long_running', job_id: 'count-failed' });
    const store = new DynamoCheckpointStore(dynamo.client, 'ledger', 14);
    const event = (name: string) => ({
      source: 'aws.states' as const,
      'detail-type': 'Step Functions Execution Status Change',
      detail: { status: 'FAILED', name, input: JSON.stringify({ ...initialState(body), executionName: name }), executionArn: `arn:aws:states:eu-central-1:123456789012:execution:test-count-job:${name}` },
    });
    await store.save('count-failed', { cursor: 3, itemsDone: 4, deadLetteredBy: 'run-1' });
    await sliceHandler(runner())(event('run-1'));
    expect(deadLetters()).toHaveLength(0);
    // A later run (redriven) of the same job fails before its first checkpoint: it is dead-lettered, not taken for run-1.
    await sliceHandler(runner())(event('run-2'));
    const [dead] = deadLetters();
    expect(dead!.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue).toBe('crashed');
    expect(dead!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toBe('execution run-2 failed');
  });

  it('dead-letters a run Step Functions timed out, from the status-change event, with the last checkpoint', async () => {
    const body = envelope('Test::CountJob', [100], { queue_name: 'long_running', job_id: 'count-timeout' });
    await new DynamoCheckpointStore(dynamo.client, 'ledger', 14).save('count-timeout', { cursor: 41, itemsDone: 42 });
    await sliceHandler(runner())({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { status: 'TIMED_OUT', name: 'count-timeout-e0-a1', input: JSON.stringify(initialState(body, 1)), executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:test-count-job:count-timeout-e0-a1' },
    });
    const [dead] = deadLetters();
    expect(dead!.MessageBody).toBe(body);
    expect(dead!.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue).toBe('timed_out');
    expect(dead!.MessageAttributes![ATTRIBUTES.errorClass]!.StringValue).toBe('ExecutionTIMED_OUT');
    expect(dead!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toBe('execution count-timeout-e0-a1 timed out');
    expect(dead!.MessageAttributes![ATTRIBUTES.attempts]!.StringValue).toBe('2');
    expect(JSON.parse(dead!.MessageAttributes!.xikolo_cursor!.StringValue!)).toEqual({ cursor: 41, itemsDone: 42 });
  });

  it('stops an item that outlives its invocation: its signal fires and its late finish does not move the checkpoint', async () => {
    const body = envelope('Test::HangingJob', [], { queue_name: 'long_running', job_id: 'hang-1' });
    // 10.1 s left in the invocation, 10 s of them kept to report: item 1 gets 0.1 s but needs 0.3 s.
    const state = await runner().slice(initialState(body), { getRemainingTimeInMillis: () => 10_100 });
    expect(state).toMatchObject({ status: 'rescheduled', itemsDone: 1, cursor: 0 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(hanging.aborted).toBe(true);
    expect(await new DynamoCheckpointStore(dynamo.client, 'ledger', 14).load('hang-1')).toEqual({ cursor: 0, itemsDone: 1 });
  });

  it('a slice that starts past the job\'s max run time dead-letters the job itself', async () => {
    const body = envelope('Test::SlowLongJob', [], { queue_name: 'long_running', job_id: 'slow-2' });
    const state = await runner().slice({ ...initialState(body), startedAt: Date.now() - 5_000, slices: 3, cursor: 7, itemsDone: 8, status: 'continue' });
    expect(state.status).toBe('dead');
    const [dead] = deadLetters();
    expect(dead!.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue).toBe('timed_out');
    expect(dead!.MessageAttributes![ATTRIBUTES.errorClass]!.StringValue).toBe('Delayed::WorkerTimeout');
    expect(JSON.parse(dead!.MessageAttributes!.xikolo_cursor!.StringValue!)).toEqual({ cursor: 7, itemsDone: 8 });
    expect(processed).toEqual([]);
  });

  it('fans out from inside a long job', async () => {
    const body = envelope('Test::FanOutJob', [['vimeo', 'kaltura', 'youtube']], { queue_name: 'long_running', job_id: 'fan-1' });
    const { output } = await execute('Test::FanOutJob', initialState(body));
    expect(output).toMatchObject({ status: 'done', itemsDone: 3 });
    const children = resent().map((e) => ({ url: e.url, body: JSON.parse(e.MessageBody!) }));
    expect(children.map((c) => c.body.arguments[0])).toEqual(['vimeo', 'kaltura', 'youtube']);
    expect(new Set(children.map((c) => c.url))).toEqual(new Set([ENDPOINTS.default!.bands.user_visible]));
    expect(children.every((c) => c.body.job_class === 'Test::ChildJob')).toBe(true);
  });

  it('runs a job that cannot be sliced whole in one slice', async () => {
    const { output } = await execute('Test::WholeJob', initialState(envelope('Test::WholeJob', [], { queue_name: 'long_running' })));
    expect(output).toMatchObject({ status: 'done', slices: 1 });
    expect(processed).toEqual(['whole']);
  });
});

describe('starting long-running jobs', () => {
  /** Step Functions' name rule at the SDK boundary: a name already used starts nothing. */
  function emulateStepFunctions(): { names: string[]; runs: Promise<RunResult>[] } {
    const names: string[] = [];
    const runs: Promise<RunResult>[] = [];
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string; input: string; stateMachineArn: string }) => {
      if (names.includes(input.name)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${input.name}'`, $metadata: {} });
      names.push(input.name);
      const state = JSON.parse(input.input) as SliceState;
      runs.push(execute(JSON.parse(state.body).job_class, state));
      return { executionArn: `${input.stateMachineArn}:${input.name}`, startDate: new Date() };
    });
    return { names, runs };
  }

  it('starts one execution per job run, named from the job id; a duplicate delivery does not run the job twice', async () => {
    const sfn = emulateStepFunctions();
    const body = envelope('Test::CountJob', [5], { queue_name: 'long_running', job_id: 'dup-1' });
    const start = runner().start;
    // SQS delivers the same message (same message id) twice.
    const record = sqsRecord(body);
    const first = await start(sqsEvent(record));
    const second = await start(sqsEvent(record));
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const names = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name!);
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^dup-1-e0-a0-[0-9a-f]{10}$/);
    expect(names[1]).toBe(names[0]);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toMatch(/:test-count-job$/);
    await Promise.all(sfn.runs);
    expect(processed).toEqual(['count:0', 'count:1', 'count:2', 'count:3', 'count:4']);
  });

  it('names every new message of a job a new run: backend retries, and redrives from the dead-letter queue', async () => {
    emulateStepFunctions();
    const body = envelope('Test::CountJob', [0], { queue_name: 'long_running', job_id: 'again' });
    await runner().start(sqsEvent(
      sqsRecord(body, { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '1' } }),
      // Redriven: attempts start again, and so would a failed retry of it; the message id keeps the names apart.
      sqsRecord(body, { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '3' }, [ATTRIBUTES.failureReason]: { dataType: 'String', stringValue: 'attempts_exhausted' } }),
      sqsRecord(body, { [ATTRIBUTES.attempts]: { dataType: 'Number', stringValue: '1' } }),
    ));
    const names = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name!);
    expect(names[0]).toMatch(/^again-e0-a1-/);
    expect(names[1]).toMatch(/^again-e0-a0-/);
    expect(names[2]).toMatch(/^again-e0-a1-/);
    expect(new Set(names).size).toBe(3);
  });

  it('dead-letters a message that cannot be decoded, or names a job that is not long-running, and starts nothing', async () => {
    const garbage = sqsRecord('{"job_class":');
    const shortJob = sqsRecord(envelope('Test::ChildJob', ['x']));
    const huge = sqsRecord(envelope('Test::CountJob', ['"'.repeat(150_000)], { queue_name: 'long_running' }));
    const result = await runner().start(sqsEvent(garbage, shortJob, huge));
    expect(result.batchItemFailures).toEqual([]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const dead = deadLetters();
    expect(dead.map((d) => d.MessageAttributes![ATTRIBUTES.failureReason]!.StringValue)).toEqual(['undecodable', 'not_long_running', 'undecodable']);
    // Quotes double in the workflow state: measured as Step Functions would carry it.
    expect(dead[2]!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toMatch(/more than a Step Functions execution can carry/);
    expect(dead[0]!.MessageBody).toBe('{"job_class":');
    expect(dead[1]!.MessageAttributes![ATTRIBUTES.errorMessage]!.StringValue).toMatch(/Test::ChildJob is declared on queue "default", not the long-running queue "long_running"/);
  });

  it('sends a job that is not due yet on with the remaining wait', async () => {
    const job = CountJob.build(3);
    const body = encodeEnvelope(job.serialize());
    await runner().start(sqsEvent(sqsRecord(body, { [ATTRIBUTES.runAt]: { dataType: 'Number', stringValue: String(Date.now() + 3_600_000) } })));
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(resent()[0]!.DelaySeconds).toBe(900);
  });

  it('hands a delivery back to SQS when Step Functions cannot be reached', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new Error('ThrottlingException'));
    const record = sqsRecord(envelope('Test::CountJob', [1], { queue_name: 'long_running' }));
    const result = await runner().start(sqsEvent(record));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });
});

describe('fan-out job class', () => {
  it('is on the long-running queue', () => {
    expect(FanOutJob.definition.queue).toBe('long_running');
  });
});
