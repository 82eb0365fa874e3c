import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliIo } from './cli-io.js';
import { EvalFailure, runEval } from './eval-run.js';

/**
 * The largest --classes: the confusion matrix holds classes^2 float64 counts (4096 classes:
 * 128 MiB), and no PNG label map needs more than 16-bit labels' worth of real classes.
 */
export const MAX_CLASSES = 4096;

/** --classes: an integer in [1, MAX_CLASSES]. */
function parseClasses(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= MAX_CLASSES)) {
    throw new InvalidArgumentError(
      `The number of classes must be an integer in [1, ${MAX_CLASSES}].`,
    );
  }
  return n;
}

/** --ignore: a label value an 8- or 16-bit PNG can hold, [0, 65535]. */
function parseIgnore(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n <= 65535)) {
    throw new InvalidArgumentError('The ignore label must be an integer in [0, 65535].');
  }
  return n;
}

/**
 * Adds `lovasz eval --pred DIR --gt DIR --classes N [--ignore L] [--per-image] [--json FILE]`
 * to the program: scores predicted label masks against ground-truth masks, PNG files paired by
 * name (see runEval). Defaults: no ignore label, no per-image mIoU, no JSON.
 *
 * Problems with the files (missing on one side, sizes, labels >= N, non-PNG or colour files)
 * print a multi-line report listing the files on stderr and exit 1 (through commander's
 * `error`, so that runCli passes the status on without cutting the report to one line).
 * @example
 *   addEvalCommand(program, { stdout: process.stdout, stderr: process.stderr }, signal);
 *   // lovasz eval --pred out/pred --gt VOC/SegmentationClass --classes 21 --ignore 255
 */
export function addEvalCommand(program: Command, io: CliIo, signal?: AbortSignal): Command {
  const command = program
    .command('eval')
    .description(
      'score predicted label masks against ground-truth masks (PNG, paired by file name): ' +
        'per-class IoU, mIoU, pixel accuracy, frequency-weighted IoU',
    )
    .requiredOption('--pred <dir>', 'directory of predicted masks (grayscale or palette PNG)')
    .requiredOption('--gt <dir>', 'directory of ground-truth masks (same file names)')
    .addOption(
      new Option('--classes <n>', 'number of classes N: labels are in [0, N)')
        .argParser(parseClasses)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--ignore <label>',
        'label of void pixels, e.g. 255: skipped in the ground truth, a miss in predictions',
      ).argParser(parseIgnore),
    )
    .option('--per-image', 'also report the mean of per-image mIoUs', false)
    .option('--json <file>', 'also write the results as JSON to this file');
  return command.action(
    async (opts: {
      pred: string;
      gt: string;
      classes: number;
      ignore?: number;
      perImage: boolean;
      json?: string;
    }) => {
      try {
        await runEval({ ...opts, ignore: opts.ignore ?? null }, io, signal);
      } catch (error) {
        // Prints the full report and throws a CommanderError with status 1.
        if (error instanceof EvalFailure) command.error(`error: ${error.message}`);
        throw error;
      }
    },
  );
}
