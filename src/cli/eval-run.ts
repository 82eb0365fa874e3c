import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { writeFileAtomic } from '../demo/write-atomic.js';
import { ConfusionMatrix, type ConfusionMatrixState } from '../metrics/confusion-matrix.js';
import type { CliIo } from './cli-io.js';
import { type Listing, listMasks, type MaskFile } from './eval-files.js';
import { loadClassNames, loadLabelMap, loadPalette } from './eval-maps.js';
import {
  type EvalResults,
  formatResults,
  type ImageRow,
  perImageCsv,
  resultsJson,
} from './eval-output.js';
import type { PairConfig, PairResult, PairTask } from './eval-pair.js';
import { MaskError, PNG_HEADER_BYTES, type PngHeader, readPngHeader } from './eval-png.js';
import { runPairs } from './eval-pool.js';
import { Problems } from './eval-problems.js';

export type { EvalResults } from './eval-output.js';
export { EvalFailure } from './eval-problems.js';

/** Options of {@link runEval}, as `lovasz eval` parses them. */
export interface EvalOptions {
  /** Directory of predicted label masks (PNG). */
  pred: string;
  /** Directory of ground-truth label masks (PNG), paired with `pred` by relative path. */
  gt: string;
  /** Number of classes N >= 1: labels are in [0, N) or `ignore`. */
  classes: number;
  /** Label of void pixels (skipped in the ground truth, a miss in predictions); null: none. */
  ignore: number | null;
  /** Search sub-folders, pairing by relative path. Default false. */
  recursive?: boolean;
  /** File-name endings of masks (default '.png'), removed before pairing. */
  predSuffix?: string;
  gtSuffix?: string;
  /** --map / --pred-map: label value -> class JSON for ground truth / predictions. */
  map?: string;
  predMap?: string;
  /** --palette: colour -> class JSON for RGB masks. */
  palette?: string;
  /** --class-names: one name per class. */
  classNames?: string;
  /** Refuse masks with more pixels, before decoding. Default 2^28. */
  maxPixels?: number;
  /** Threads decoding pairs. Default 1. */
  jobs?: number;
  /** Worst-case percentage q. Default 10. */
  worstQ?: number;
  /** Where to write the per-image CSV. */
  perImage?: string;
  /** Where to write the results as JSON. */
  json?: string;
  /** Directory for the confusion-matrix and per-class IoU plots (PNG). */
  plot?: string;
}

/**
 * Evaluates the predicted masks in `options.pred` against the ground truth in `options.gt`:
 * PNG files paired by relative path (see eval-png.ts for how labels are read), each pair
 * counted into a one-image ConfusionMatrix (in `jobs` worker threads) and merged in pair
 * order into the dataset's, so the results are the same bits whatever `jobs`. Prints the
 * per-class IoU, mIoU, pixel accuracy, frequency-weighted IoU and the fine-grained and
 * worst-case metrics on io.stdout, a progress bar on io.stderr when it is a terminal, and
 * writes --json, --per-image and --plot.
 *
 * One pass finds every problem: the option files, unreadable or missing directories, files
 * missing on either side, non-PNG files, every header (size over --max-pixels, sizes that
 * differ, invalid colour types), then the pixels of every pair whose headers are sound
 * (colour pixels, truncated or corrupt data, labels out of range). If there is any, an
 * EvalFailure lists them all, grouped, each with its path, and nothing is written.
 * @example
 *   const results = await runEval(
 *     { pred: 'out/pred', gt: 'data/gt', classes: 21, ignore: 255 },
 *     process,
 *   );
 */
export async function runEval(
  options: EvalOptions,
  io: CliIo,
  signal?: AbortSignal,
): Promise<EvalResults> {
  const { pred, gt, classes, ignore } = options;
  const maxPixels = options.maxPixels ?? 2 ** 28;
  const worstQ = options.worstQ ?? 10;
  // First, so that a bad --ignore (one leaving no class) fails before any file is read.
  const cm = new ConfusionMatrix(classes, { ignore, perImage: true });
  const problems = new Problems();

  const gtMap =
    options.map === undefined
      ? null
      : (loadLabelMap(options.map, '--map', classes, ignore, problems) ?? null);
  const predMap =
    options.predMap === undefined
      ? null
      : (loadLabelMap(options.predMap, '--pred-map', classes, ignore, problems) ?? null);
  const palette =
    options.palette === undefined
      ? null
      : (loadPalette(options.palette, classes, ignore, problems) ?? null);
  const classNames =
    options.classNames === undefined
      ? undefined
      : loadClassNames(options.classNames, classes, problems);
  for (const [flag, path] of [
    ['--json', options.json],
    ['--per-image', options.perImage],
  ] as const) {
    if (path !== undefined) checkFileTarget(flag, path, problems);
  }
  if (options.plot !== undefined) checkDirTarget(options.plot, problems);

  // Pairing, from the listings.
  const recursive = options.recursive ?? false;
  const predList = listMasks(
    pred,
    '--pred',
    { recursive, suffix: options.predSuffix ?? null },
    problems,
  );
  const gtList = listMasks(gt, '--gt', { recursive, suffix: options.gtSuffix ?? null }, problems);
  const pairs = pairUp(predList, gtList, pred, gt, problems);
  const folders = predList.subfolders + gtList.subfolders;
  const folderNote =
    folders > 0
      ? `${folders} sub-folder${folders === 1 ? '' : 's'} not searched; use --recursive`
      : undefined;
  if (folderNote !== undefined) problems.note(folderNote);
  if (pairs.length === 0 && predList.files.length === 0 && gtList.files.length === 0) {
    problems.add(
      'nothing to evaluate',
      `no masks in ${pred} and ${gt}${folderNote === undefined ? '' : ` (${folderNote})`}`,
    );
  }

  // Headers of every paired file, so that sizes and formats are known before decoding.
  const tasks: PairTask[] = [];
  const names: string[] = [];
  for (const [p, g] of pairs) {
    const ph = header(p.path, maxPixels, problems);
    const gh = header(g.path, maxPixels, problems);
    if (ph === undefined || gh === undefined) continue;
    if (ph.width !== gh.width || ph.height !== gh.height) {
      problems.add(
        'masks of different sizes',
        `${g.path}: ${gh.width}x${gh.height}, prediction ${p.path}: ${ph.width}x${ph.height}`,
      );
      continue;
    }
    tasks.push({ index: tasks.length, pred: p.path, gt: g.path });
    names.push(g.rel);
  }

  // Pixels of every sound pair.
  const config: PairConfig = { classes, ignore, maxPixels, palette, predMap, gtMap };
  const states: (ConfusionMatrixState | undefined)[] = new Array(tasks.length);
  const rows: (PairResult['row'] | undefined)[] = new Array(tasks.length);
  const bar = progressBar(io.stderr, tasks.length);
  let done = 0;
  try {
    await runPairs(
      tasks,
      config,
      options.jobs ?? 1,
      (result) => {
        for (const { group, line, note } of result.problems) {
          problems.add(group, line);
          if (note !== undefined) problems.note(note);
        }
        states[result.index] = result.state;
        rows[result.index] = result.row;
        bar?.update(++done);
      },
      signal,
    );
  } finally {
    bar?.stop();
  }
  problems.throwIfAny();

  // Merged in pair order: the same bits with any number of workers.
  for (const state of states) cm.merge(state as ConfusionMatrixState);
  const results = collect(cm, classes, ignore, classNames, worstQ, tasks.length);
  if (folderNote !== undefined) io.stderr.write(`lovasz eval: ${folderNote}\n`);
  io.stdout.write(formatResults(results));
  if (options.json !== undefined) writeFileAtomic(options.json, resultsJson(results));
  if (options.perImage !== undefined) {
    const imageRows: ImageRow[] = names.map((name, i) => ({
      name,
      ...(rows[i] as NonNullable<PairResult['row']>),
    }));
    writeFileAtomic(options.perImage, perImageCsv(results, imageRows));
  }
  if (options.plot !== undefined) {
    const { writePlots } = await import('./eval-plot.js');
    const written = await writePlots(options.plot, results);
    io.stderr.write(`lovasz eval: plots ${written.join(', ')}\n`);
  }
  return results;
}

/** Pairs predictions with ground truth by key; the unpaired ones are problems. */
function pairUp(
  predList: Listing,
  gtList: Listing,
  pred: string,
  gt: string,
  problems: Problems,
): [MaskFile, MaskFile][] {
  const gtByKey = new Map(gtList.files.map((f) => [f.key, f]));
  const predKeys = new Set(predList.files.map((f) => f.key));
  const pairs: [MaskFile, MaskFile][] = [];
  for (const p of predList.files) {
    const g = gtByKey.get(p.key);
    if (g) pairs.push([p, g]);
    else problems.add(`predictions without ground truth in ${gt}`, p.path);
  }
  for (const g of gtList.files) {
    if (!predKeys.has(g.key)) problems.add(`ground truth without prediction in ${pred}`, g.path);
  }
  return pairs;
}

/** The results of the merged matrix. */
function collect(
  cm: ConfusionMatrix,
  classes: number,
  ignore: number | null,
  classNames: string[] | undefined,
  worstQ: number,
  images: number,
): EvalResults {
  const scored = [...Array(classes).keys()].filter((c) => c !== ignore);
  const m = cm.matrix();
  const state = cm.toState();
  const confusionMatrix: EvalResults['confusionMatrix'] = {
    classes: scored,
    counts: scored.map((y) => scored.map((p) => m[y * classes + p])),
  };
  if (ignore !== null && (ignore < 0 || ignore >= classes)) {
    confusionMatrix.predictedIgnore = scored.map((y) => state.voidPredictions[y]);
  }
  const fineGrained = cm.fineGrained();
  return {
    images,
    numClasses: classes,
    ignore,
    ...(classNames === undefined ? {} : { classNames }),
    iou: cm.iou(),
    mIoU: fineGrained.mIoUD,
    pixelAccuracy: cm.pixelAccuracy(),
    fwIoU: cm.frequencyWeightedIoU(),
    fineGrained,
    worstCase: cm.worstCase(worstQ),
    confusionMatrix,
  };
}

/** Records a problem unless `path` can be written at the end (its directory exists). */
function checkFileTarget(flag: string, path: string, problems: Problems): void {
  const dir = dirname(path);
  if (!isDir(dir)) problems.add('options', `${flag} ${path}: no directory ${dir}`);
  else if (isDir(path)) problems.add('options', `${flag} ${path}: it is a directory`);
}

/** Records a problem unless `dir` is a directory or can be made in an existing one. */
function checkDirTarget(dir: string, problems: Problems): void {
  if (isDir(dir)) return;
  let exists = false;
  try {
    statSync(dir);
    exists = true;
  } catch {}
  if (exists) problems.add('options', `--plot ${dir}: not a directory`);
  else if (!isDir(dirname(dir)))
    problems.add('options', `--plot ${dir}: no directory ${dirname(dir)}`);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a file's PNG header, or records why it cannot and returns undefined. */
function header(path: string, maxPixels: number, problems: Problems): PngHeader | undefined {
  const bytes = Buffer.alloc(PNG_HEADER_BYTES);
  let read = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, bytes, 0, PNG_HEADER_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    problems.add('unreadable files', `${path} (${code})`);
    return undefined;
  }
  try {
    return readPngHeader(bytes.subarray(0, read), maxPixels);
  } catch (error) {
    if (!(error instanceof MaskError)) throw error;
    const group =
      error.kind === 'too-large'
        ? 'masks over --max-pixels'
        : error.kind === 'not-png'
          ? 'not PNG files'
          : 'corrupt PNG files';
    problems.add(group, `${path}: ${error.message}`);
    return undefined;
  }
}

/** A cli-progress bar over the pairs on a terminal; none elsewhere (CI logs, pipes, tests). */
function progressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  total: number,
): cliProgress.SingleBar | undefined {
  if (!stream.isTTY || total === 0) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      format:
        'eval [{bar}] {value}/{total} pairs  {percentage}%  {duration_formatted} (eta {eta_formatted})',
      stream,
      barsize: 30,
      hideCursor: false,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}
