/**
 * A local stand-in for the long-running queue's Step Functions workflows:
 * what the deployed state machine does with the slice function, in process.
 * The starter calls it exactly as it calls Step Functions (StartExecution with
 * a name, refused when the name was used), and it drives the real slice
 * handler: continue → next slice; a crashed slice is retried up to the job's
 * attempts, then dead-lettered; done, rescheduled or dead end the run.
 */
import { ExecutionAlreadyExists, type StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SliceState, createLongRunningRunner } from '../functions/runtime/jobs/long-running';

type Runner = ReturnType<typeof createLongRunningRunner>;

export interface LocalStepFunctionsOptions {
  readonly runner: () => Runner;
  /** Job class name → max attempts (the deployed Retry allows maxAttempts − 1 crash retries). */
  readonly maxAttempts: (jobName: string) => number;
  readonly log: (entry: Record<string, unknown>) => void;
}

export class LocalStepFunctions {
  private readonly names = new Set<string>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LocalStepFunctionsOptions) {}

  /** The SDK client the starter gets. Only StartExecution is served. */
  get client(): SFNClient {
    return { send: (command: StartExecutionCommand) => this.startExecution(command) } as unknown as SFNClient;
  }

  /** State machine ARNs for the starter's map, one per long-running job class. */
  static arnFor(region: string, jobName: string): string {
    return `arn:aws:states:${region}:000000000000:stateMachine:${jobName.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  }

  private async startExecution(command: StartExecutionCommand): Promise<{ executionArn: string; startDate: Date }> {
    const { name, input, stateMachineArn } = command.input;
    if (!name || !input || !stateMachineArn) throw new Error('StartExecution needs a name, an input and a state machine');
    if (this.names.has(name)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${name}'`, $metadata: {} });
    this.names.add(name);
    const run = this.execute(JSON.parse(input) as SliceState, name).catch((err: unknown) => {
      this.options.log({ level: 'error', message: 'local workflow failed', execution: name, error: (err as Error).message });
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date() };
  }

  private async execute(input: SliceState, name: string): Promise<void> {
    const runner = this.options.runner();
    const jobName = String((JSON.parse(input.body) as { job_class?: unknown }).job_class);
    const retries = Math.max(0, this.options.maxAttempts(jobName) - 1);
    let state = input;
    let crashes = 0;
    for (;;) {
      try {
        state = await runner.slice(state);
      } catch (err) {
        if (crashes++ < retries) {
          this.options.log({ level: 'warn', message: 'slice crashed; retrying from the checkpoint', execution: name, error: (err as Error).message });
          continue;
        }
        await runner.deadLetterCrashed({ ...state, crash: { Error: (err as Error).name, Cause: (err as Error).message } });
        return;
      }
      if (state.status !== 'continue') {
        this.options.log({ level: state.status === 'dead' ? 'error' : 'info', message: `long-running run ${state.status}`, execution: name, job: jobName, slices: state.slices, itemsDone: state.itemsDone });
        return;
      }
    }
  }

  /** Waits for running workflows (up to graceMs); resolves with how many were still running. */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<number> {
    const pending = [...this.running];
    if (pending.length === 0) return 0;
    const timeout = Number.isFinite(graceMs) ? new Promise((resolve) => setTimeout(resolve, graceMs).unref()) : new Promise(() => {});
    await Promise.race([Promise.allSettled(pending), timeout]);
    return this.running.size;
  }
}
