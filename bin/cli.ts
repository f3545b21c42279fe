/** Entry point of the `xikolo-async` command (see lib/cli/main.ts). */
import { runCli } from '../lib/cli/main';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
