/** What a command writes to and how it reports. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** One command of `xikolo-async` (a group such as `cron` holds subcommands). */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text, shown by `--help`. */
  readonly help: string;
  readonly subcommands?: readonly CliCommand[];
  /** Runs with the arguments after the command's name; resolves with the exit code. */
  readonly run?: (args: readonly string[], io: CliIo) => number | Promise<number>;
}

/** A mistake in how the command was called: exit code 2 with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
