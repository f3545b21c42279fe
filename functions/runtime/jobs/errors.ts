/** Errors the job runtime itself raises or understands. */

/** Raised by a job to ask for a retry on purpose (Xikolo's `ExpectedRetry`). */
export class ExpectedRetry extends Error {
  static readonly rubyName = 'ExpectedRetry';
  constructor(message = 'retry expected') {
    super(message);
    this.name = 'ExpectedRetry';
  }
}

/** A job ran past its max run time; counts as a failed attempt. */
export class JobTimeoutError extends Error {
  static readonly rubyName = 'Delayed::WorkerTimeout';
  constructor(
    readonly jobName: string,
    readonly maxRunTimeSeconds: number,
  ) {
    super(`${jobName} ran longer than its max run time of ${maxRunTimeSeconds} s and was stopped (raise maxRunTime, or make the job resumable on the long_running queue)`);
    this.name = 'JobTimeoutError';
  }
}

/**
 * A message that can never run: bad JSON, an unknown job class, arguments of
 * the wrong shape. It goes straight to the dead-letter queue, without retries.
 */
export class UndecodableJobError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UndecodableJobError';
  }
}

/** A job class declared with options that cannot work. Thrown where the class is declared. */
export class JobDefinitionError extends Error {
  constructor(jobName: string, problem: string) {
    super(`job ${jobName}: ${problem}`);
    this.name = 'JobDefinitionError';
  }
}

/** The Ruby-style name of an error class: its static `rubyName` if it has one, else its JS name. */
export function errorClassName(errorClass: abstract new (...args: never[]) => Error): string {
  const declared = (errorClass as { rubyName?: unknown }).rubyName;
  return typeof declared === 'string' ? declared : errorClass.name;
}

/** Name of the class of a thrown value, for reports and metrics. */
export function thrownClassName(error: unknown): string {
  if (error instanceof Error) {
    // A plain Error renamed (as errors reported by AWS services are) is known by its name.
    if (error.constructor === Error && error.name !== 'Error') return error.name;
    return errorClassName(error.constructor as new () => Error);
  }
  return typeof error;
}

export function describeThrown(error: unknown): { errorClass: string; message: string; stack: string } {
  if (error instanceof Error) {
    return { errorClass: thrownClassName(error), message: error.message, stack: error.stack ?? '' };
  }
  return { errorClass: typeof error, message: String(error), stack: '' };
}
