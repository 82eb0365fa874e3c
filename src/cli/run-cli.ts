import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import type { CliIo } from './cli-io.js';
import { addDemoCommand } from './demo-command.js';
import { addEvalCommand } from './eval-command.js';

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The `lovasz` command line: parses `argv` (the arguments after the script name), runs the
 * subcommand and returns the exit status instead of exiting, so tests can call it directly.
 * Subcommands: `demo` and `eval`, each loading its own modules only when it runs.
 *
 * Errors (bad arguments, an unwritable --out, a failed run) print one line on stderr and give
 * status 1; an abort of `signal` (Ctrl-C) gives 130.
 * @example
 *   process.exitCode = await runCli(process.argv.slice(2), process);
 */
export async function runCli(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const program = new Command('lovasz')
    .description('Lovász hinge, Lovász-Sigmoid and Lovász-Softmax losses for TensorFlow.js')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  addDemoCommand(program, io, signal);
  addEvalCommand(program, io, signal);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode;
    if (signal?.aborted) {
      io.stderr.write('lovasz: interrupted; no results.json written\n');
      return EXIT_INTERRUPTED;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
