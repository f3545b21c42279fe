/**
 * The `xikolo-async` command line: a tree of commands, each with `--help`.
 * Add a command by writing a module that exports a CliCommand and listing it
 * in COMMANDS.
 */
import { cronTranslateCommand } from './cron-translate';
import { UsageError, type CliCommand, type CliIo } from './types';

const cron: CliCommand = {
  name: 'cron',
  summary: 'sidekiq-cron expressions and EventBridge Scheduler',
  help: '',
  subcommands: [cronTranslateCommand],
};

export const COMMANDS: readonly CliCommand[] = [cron];

function listing(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
}

function helpOf(path: string, command: CliCommand | undefined, children: readonly CliCommand[]): string {
  if (command?.help) return command.help;
  return [
    `Usage: ${path} <command> [options]`,
    command ? `\n${command.summary}` : '\nXikolo\'s background jobs, message consumers and cron schedules on AWS.',
    `\nCommands:\n${listing(children)}`,
    `\nRun '${path} <command> --help' for a command's options.`,
  ].join('\n');
}

/** Runs the command line; resolves with the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let path = 'xikolo-async';
  let current: CliCommand | undefined;
  let children = COMMANDS;
  let args = [...argv];
  for (;;) {
    const [first, ...rest] = args;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const text = helpOf(path, current, current?.subcommands ?? children);
      if (first === undefined && current?.run === undefined) {
        io.stderr(`${text}\n`);
        return 2;
      }
      if (first !== undefined || current?.run === undefined) {
        io.stdout(`${text}\n`);
        return 0;
      }
    }
    if (current?.run) {
      if (args.includes('--help') || args.includes('-h')) {
        io.stdout(`${current.help}\n`);
        return 0;
      }
      try {
        return await current.run(args, io);
      } catch (err) {
        if (err instanceof UsageError) {
          io.stderr(`${path}: ${err.message}\n\n${current.help}\n`);
          return 2;
        }
        throw err;
      }
    }
    const next = children.find((c) => c.name === first);
    if (!next) {
      io.stderr(`${path}: unknown command "${first}"\n\n${helpOf(path, current, children)}\n`);
      return 2;
    }
    path = `${path} ${next.name}`;
    current = next;
    children = next.subcommands ?? [];
    args = rest;
  }
}
