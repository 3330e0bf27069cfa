/** Runs the CLI and turns every error a person can cause into one line on stderr and an exit code. */
import { ConfigError } from '../config.ts';
import { WorkflowError } from '../workflow/errors.ts';
import { run, UsageError } from './main.ts';

/** Errors whose message is written for a person: shown as they are, without a stack. */
const plain = new Set([
  'ConfigError',
  'DatabaseUnavailableError',
  'ProfileError',
  'UnknownProfileError',
  'DirectoryError',
  'MigrationError',
  'UsageError',
  'WorkflowError',
]);

export async function main(argv: string[]): Promise<void> {
  try {
    const code = await run(argv);
    if (code !== 0) process.exitCode = code;
  } catch (e) {
    const err = e as Error;
    if (process.env.STEPWISE_DEBUG) console.error(err);
    if (
      plain.has(err.name) ||
      err instanceof ConfigError ||
      err instanceof UsageError ||
      err instanceof WorkflowError
    ) {
      console.error(`stepwise: ${err.message}`);
    } else {
      console.error(
        `stepwise: unexpected error: ${err.message?.split('\n').find((l) => l.trim()) ?? String(e)} (set STEPWISE_DEBUG=1 for details)`,
      );
    }
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}
