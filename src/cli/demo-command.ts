import { Argument, type Command, InvalidArgumentError, Option } from 'commander';
import type { BackendName, BACKENDS as DEMO_BACKENDS } from '../demo/backend.js';
import type { DEMOS as DEMO_NAMES, DemoName } from '../demo/run-demo.js';
import type { CliIo } from './cli-io.js';

/**
 * The choices of `demo` and `--backend`. The demo's modules load TensorFlow.js, so they are
 * imported only when the command runs; these copies must `satisfies` their tuple types, so they cannot drift.
 */
const DEMOS = ['binary', 'multiclass', 'all'] as const satisfies typeof DEMO_NAMES;
const BACKENDS = ['cpu', 'wasm'] as const satisfies typeof DEMO_BACKENDS;

/** --seed: an integer in [0, 2^32), the range of the generator's state. */
function parseSeed(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n <= 0xffffffff)) {
    throw new InvalidArgumentError('The seed must be an integer in [0, 4294967295].');
  }
  return n;
}

/** --steps: an integer >= 1. */
function parseSteps(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) {
    throw new InvalidArgumentError('The number of steps must be an integer >= 1.');
  }
  return n;
}

/**
 * Adds `lovasz demo [binary|multiclass|all] [--seed N] [--steps N] [--out DIR]
 * [--backend cpu|wasm] [--json]` to the program: the original demos, with progress bars, a
 * summary table, and plots, masks, report.html and results.json in DIR (see runDemo).
 * Defaults: all, seed 0, each demo's steps (500 binary, 1000 multiclass), ./lovasz-demo, cpu.
 * @example
 *   addDemoCommand(program, { stdout: process.stdout, stderr: process.stderr }, signal);
 */
export function addDemoCommand(program: Command, io: CliIo, signal?: AbortSignal): Command {
  return program
    .command('demo')
    .description(
      'train the synthetic demos of the Lovász-Softmax paper with each loss; compare IoUs',
    )
    .addArgument(
      new Argument('[demo]', 'which demo to run').choices(DEMOS).default('all' satisfies DemoName),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the data and initial weights')
        .argParser(parseSeed)
        .default(0),
    )
    .addOption(
      new Option(
        '--steps <n>',
        'Adam steps per run (default: binary 500, multiclass 1000)',
      ).argParser(parseSteps),
    )
    .option('--out <dir>', 'output directory', 'lovasz-demo')
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend')
        .choices(BACKENDS)
        .default('cpu' satisfies BackendName),
    )
    .option('--json', 'print the results as JSON instead of the summary table', false)
    .action(
      async (
        demo: DemoName,
        opts: { seed: number; steps?: number; out: string; backend: BackendName; json: boolean },
      ) => {
        const { runDemo } = await import('../demo/run-demo.js');
        await runDemo({ demo, ...opts }, io, signal);
      },
    );
}
