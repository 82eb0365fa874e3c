import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliIo } from './cli-io.js';
import type { EvalOptions } from './eval-run.js';

/**
 * The largest --classes: the confusion matrix holds classes^2 float64 counts (4096 classes:
 * 128 MiB), and no PNG label map needs more than 16-bit labels' worth of real classes.
 */
export const MAX_CLASSES = 4096;

/** An integer option in [min, max], with the message naming the option. */
function integerIn(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) {
      throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}].`);
    }
    return n;
  };
}

/** --worst-q: a percentage in (0, 100]. */
function parsePercent(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(n > 0 && n <= 100)) throw new InvalidArgumentError('The percentage must be in (0, 100].');
  return n;
}

/**
 * Options as commander hands them to the action: {@link EvalOptions} with the defaulted flags
 * always set and --ignore absent when not given.
 */
type EvalFlags = Omit<EvalOptions, 'ignore'> &
  Required<Pick<EvalOptions, 'recursive' | 'maxPixels' | 'jobs' | 'worstQ'>> & { ignore?: number };

/**
 * Adds `lovasz eval --pred DIR --gt DIR --classes N [options]` to the program: scores
 * predicted label masks against ground-truth masks, PNG files paired by relative path (see
 * runEval). Defaults: no ignore label, no sub-folders, suffix '.png', --max-pixels 2^28,
 * --jobs the number of cores, --worst-q 10, no output files.
 *
 * Problems with the files print a multi-line report listing every file on stderr and exit 1
 * (through commander's `error`, so that runCli passes the status on without cutting the
 * report to one line). eval-run.js (cli-progress, pngjs) is loaded only when the command runs.
 * @example
 *   addEvalCommand(program, { stdout: process.stdout, stderr: process.stderr }, signal);
 *   // lovasz eval --pred out/pred --gt VOC/SegmentationClass --classes 21 --ignore 255
 */
export function addEvalCommand(program: Command, io: CliIo, signal?: AbortSignal): Command {
  const command = program
    .command('eval')
    .description(
      'score predicted label masks against ground-truth masks (PNG, paired by relative path): ' +
        'per-class IoU, mIoU, pixel accuracy, fwIoU, fine-grained and worst-case mIoUs',
    )
    .requiredOption(
      '--pred <dir>',
      'directory of predicted masks (grayscale, palette or gray RGB PNG)',
    )
    .requiredOption('--gt <dir>', 'directory of ground-truth masks (same relative paths)')
    .addOption(
      new Option('--classes <n>', 'number of classes N: labels are in [0, N)')
        .argParser(integerIn('The number of classes', 1, MAX_CLASSES))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--ignore <label>',
        'label of void pixels, e.g. 255: skipped in the ground truth, a miss in predictions',
      ).argParser(integerIn('The ignore label', 0, 65535)),
    )
    .option('--recursive', 'search sub-folders, pairing masks by relative path', false)
    .option(
      '--pred-suffix <s>',
      "ending of prediction file names, removed to pair (default '.png')",
    )
    .option('--gt-suffix <s>', "ending of ground-truth file names, e.g. '_gtFine_labelIds.png'")
    .option('--map <file>', 'JSON map of ground-truth label values to classes or "ignore"')
    .option('--pred-map <file>', 'JSON map of prediction label values to classes or "ignore"')
    .option('--palette <file>', 'JSON colours of the classes, for RGB colour masks')
    .option('--class-names <file>', 'class names: a JSON array, or one a line')
    .addOption(
      new Option('--max-pixels <n>', 'refuse masks with more pixels, before decoding')
        .argParser(integerIn('--max-pixels', 1, Number.MAX_SAFE_INTEGER))
        .default(2 ** 28, '2^28'),
    )
    .addOption(
      new Option('--jobs <n>', 'worker threads decoding pairs')
        .argParser(integerIn('--jobs', 1, 256))
        .default(availableParallelism(), 'the number of cores'),
    )
    .addOption(
      new Option('--worst-q <q>', 'percentage of worst images for the worst-case metrics')
        .argParser(parsePercent)
        .default(10),
    )
    .option(
      '--per-image <file.csv>',
      'write one CSV row per image: name, pixels, mIoU, per-class IoU',
    )
    .option('--json <file>', 'also write the results as JSON to this file')
    .option('--plot <dir>', 'write confusion-matrix and per-class IoU plots (PNG) here');
  return command.action(async (opts: EvalFlags) => {
    const { runEval, EvalFailure } = await import('./eval-run.js');
    try {
      await runEval({ ...opts, ignore: opts.ignore ?? null }, io, signal);
    } catch (error) {
      // Prints the full report and throws a CommanderError with status 1.
      if (error instanceof EvalFailure) command.error(`error: ${error.message}`);
      throw error;
    }
  });
}
