/**
 * `xikolo-async cron translate '<expr>' [--tz <zone>]`: the EventBridge
 * Scheduler schedules a sidekiq-cron line becomes, as JSON on stdout.
 */
import { CronError } from '../cron/errors';
import { translateCron } from '../cron/translate';
import { UsageError, type CliCommand } from './types';

const HELP = `Usage: xikolo-async cron translate '<expression>' [--tz <IANA zone>]

Translates a sidekiq-cron expression (read as fugit reads it) into EventBridge
Scheduler cron expressions that fire at exactly the same times, and prints
  {"schedules":[{"expression":"cron(...)","timezone":"<zone>"}]}
One Unix line may need several schedules (when both day of month and day of
week are restricted, Unix fires when either matches).

The time zone is the one written after the expression, else --tz, else UTC.
Warnings (likely mistakes, overlapping schedules) go to stderr.
Exits 1 with the reason on stderr when the expression cannot be translated
exactly, 2 on a usage mistake.

Examples:
  xikolo-async cron translate '0 3 * * *'
  xikolo-async cron translate '30 4 1,15 * 5' --tz Europe/Berlin
  xikolo-async cron translate '0 22 * * 1-5 America/Chicago'`;

export const cronTranslateCommand: CliCommand = {
  name: 'translate',
  summary: 'print the EventBridge Scheduler schedules for a sidekiq-cron expression',
  help: HELP,
  run(args, io) {
    let timezone: string | undefined;
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--tz' || arg === '--timezone') {
        const value = args[++i];
        if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a zone, e.g. --tz Europe/Berlin`);
        timezone = value;
      } else if (arg.startsWith('--tz=')) timezone = arg.slice('--tz='.length);
      else if (arg.startsWith('--') && arg.length > 2) throw new UsageError(`unknown option ${arg}`);
      else positional.push(arg);
    }
    if (positional.length !== 1) {
      throw new UsageError(
        positional.length === 0
          ? 'give the cron expression, quoted as one argument'
          : `give the cron expression as one quoted argument (got ${positional.length} arguments: quote it, e.g. '0 3 * * *')`,
      );
    }
    try {
      const result = translateCron(positional[0]!, timezone !== undefined ? { timezone } : {});
      for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
      io.stdout(`${JSON.stringify({ schedules: result.schedules.map((s) => ({ expression: s.expression, timezone: s.timezone })) })}\n`);
      return 0;
    } catch (err) {
      if (err instanceof CronError) {
        io.stderr(`xikolo-async cron translate: cannot translate exactly: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
