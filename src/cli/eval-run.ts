import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import cliProgress from 'cli-progress';
import { writeFileAtomic } from '../demo/write-atomic.js';
import { ConfusionMatrix } from '../metrics/confusion-matrix.js';
import type { CliIo } from './cli-io.js';
import {
  type LabelMask,
  MaskError,
  PNG_HEADER_BYTES,
  type PngHeader,
  readLabelPng,
  readPngHeader,
} from './eval-png.js';

/** Options of {@link runEval}, as `lovasz eval` parses them. */
export interface EvalOptions {
  /** Directory of predicted label masks (PNG). */
  pred: string;
  /** Directory of ground-truth label masks (PNG), paired with `pred` by file name. */
  gt: string;
  /** Number of classes N >= 1: labels are in [0, N) or `ignore`. */
  classes: number;
  /** Label of void pixels (skipped in the ground truth, a miss in predictions); null: none. */
  ignore: number | null;
  /** Also compute the mean over images of each image's mIoU. */
  perImage: boolean;
  /** Where to write the results as JSON, or undefined. */
  json?: string;
}

/**
 * The results of `lovasz eval`, as --json writes them. Percentages; `iou` has one entry per
 * class in [0, numClasses) other than `ignore`, in class order (see ConfusionMatrix.iou).
 */
export interface EvalResults {
  images: number;
  numClasses: number;
  iou: number[];
  mIoU: number;
  pixelAccuracy: number;
  fwIoU: number;
  /** Only with --per-image. */
  perImageMIoU?: number;
}

/**
 * A failed evaluation: every problem found, grouped by kind, each group naming its files.
 * The command prints the whole message and exits 1; no JSON is written.
 */
export class EvalFailure extends Error {}

/** How many files each group of problems lists before "... and N more". */
const LISTED = 20;

/** Collects the problems of one phase; `throwIfAny` ends the run with all of them. */
class Problems {
  private readonly groups = new Map<string, string[]>();
  private readonly notes = new Set<string>();

  add(group: string, line: string): void {
    const lines = this.groups.get(group);
    if (lines) lines.push(line);
    else this.groups.set(group, [line]);
  }

  /** A hint printed once after the groups. */
  note(text: string): void {
    this.notes.add(text);
  }

  get size(): number {
    let n = 0;
    for (const lines of this.groups.values()) n += lines.length;
    return n;
  }

  throwIfAny(): void {
    if (this.size === 0) return;
    const out = [`lovasz eval: ${this.size} problem${this.size === 1 ? '' : 's'}; no results`];
    for (const [group, lines] of this.groups) {
      out.push(`  ${group} (${lines.length}):`);
      for (const line of lines.slice(0, LISTED)) out.push(`    ${line}`);
      if (lines.length > LISTED) out.push(`    ... and ${lines.length - LISTED} more`);
    }
    for (const text of this.notes) out.push(`  (${text})`);
    throw new EvalFailure(out.join('\n'));
  }
}

/**
 * Evaluates the predicted masks in `options.pred` against the ground truth in `options.gt`
 * (PNG files paired by name; see eval-png.ts for how labels are read), streaming one pair at a
 * time into a ConfusionMatrix, so memory stays flat whatever the number of files. Prints the
 * per-class IoU, mIoU, pixel accuracy, frequency-weighted IoU (and per-image mIoU) on
 * io.stdout, a progress bar on io.stderr when it is a terminal, and writes --json atomically.
 *
 * Three phases, each reporting all of its problems at once (an EvalFailure, before any JSON):
 * 1. listing: unreadable directories, non-PNG file names, files missing on either side, no files;
 * 2. headers (the first 29 bytes of each file): non-PNG content, RGB colour PNGs, masks whose
 *    sizes differ between pred and gt, unreadable files;
 * 3. pixels: corrupt PNG data, label values >= classes that are not `ignore` (with the first
 *    offending value and pixel of each file).
 * Hidden files (names starting with '.') and subdirectories are skipped.
 * @example
 *   const results = await runEval(
 *     { pred: 'out/pred', gt: 'data/gt', classes: 21, ignore: 255, perImage: false },
 *     process,
 *   );
 */
export async function runEval(
  options: EvalOptions,
  io: CliIo,
  signal?: AbortSignal,
): Promise<EvalResults> {
  const { pred, gt, classes, ignore, perImage, json } = options;
  // First, so that a bad --ignore (one leaving no class) fails before any file is read.
  const cm = new ConfusionMatrix(classes, { ignore, perImage });
  if (json !== undefined) checkJsonTarget(json);

  // Phase 1: pairing, from the directory listings alone.
  const listing = new Problems();
  const predNames = listMasks(pred, '--pred', listing);
  const gtNames = listMasks(gt, '--gt', listing);
  const gtSet = new Set(gtNames);
  const predSet = new Set(predNames);
  for (const name of predNames) {
    if (!gtSet.has(name))
      listing.add(`predictions without ground truth in ${gt}`, join(pred, name));
  }
  for (const name of gtNames) {
    if (!predSet.has(name))
      listing.add(`ground truth without prediction in ${pred}`, join(gt, name));
  }
  const names = predNames.filter((name) => gtSet.has(name));
  if (names.length === 0 && listing.size === 0) {
    listing.add('nothing to evaluate', `no .png files in ${pred} and ${gt}`);
  }
  listing.throwIfAny();

  // Phase 2: headers, so that size and format errors come before minutes of decoding.
  const headers = new Problems();
  for (const name of names) {
    const p = header(join(pred, name), headers);
    const g = header(join(gt, name), headers);
    if (p && g && (p.width !== g.width || p.height !== g.height)) {
      headers.add(
        'masks of different sizes',
        `${name}: ${p.width}x${p.height} in ${pred}, ${g.width}x${g.height} in ${gt}`,
      );
    }
  }
  headers.throwIfAny();

  // Phase 3: pixels, one pair at a time.
  const pixels = new Problems();
  const bar = progressBar(io.stderr, names.length);
  try {
    for (const [i, name] of names.entries()) {
      if (signal?.aborted) throw signal.reason;
      const p = mask(join(pred, name), classes, ignore, pixels);
      const g = mask(join(gt, name), classes, ignore, pixels);
      // Once anything is wrong there are no results, but the scan goes on to list every file.
      if (p && g && pixels.size === 0) cm.update(p.labels, g.labels, [1, g.height, g.width]);
      bar?.update(i + 1);
      // Let Ctrl-C (and the bar's timer) in between files.
      if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    bar?.stop();
  }
  pixels.throwIfAny();

  const results: EvalResults = {
    images: names.length,
    numClasses: classes,
    iou: cm.iou(),
    mIoU: cm.meanIoU(),
    pixelAccuracy: cm.pixelAccuracy(),
    fwIoU: cm.frequencyWeightedIoU(),
  };
  if (perImage) results.perImageMIoU = cm.perImageMeanIoU();
  io.stdout.write(formatResults(results, ignore));
  if (json !== undefined) writeFileAtomic(json, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

/** Fails early when --json could not be written at the end (its directory is missing). */
function checkJsonTarget(json: string): void {
  const dir = dirname(json);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {}
  if (!isDir) throw new EvalFailure(`cannot write --json ${json}: no directory ${dir}`);
  try {
    if (statSync(json).isDirectory()) {
      throw new EvalFailure(`cannot write --json ${json}: it is a directory`);
    }
  } catch (error) {
    if (error instanceof EvalFailure) throw error;
  }
}

/** The mask file names of a directory, sorted; problems go to `problems`. */
function listMasks(dir: string, flag: string, problems: Problems): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    problems.add(`unreadable ${flag} directory`, `${dir} (${code})`);
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    // Follow symlinks: datasets are often assembled from links.
    const isFile = entry.isFile() || (entry.isSymbolicLink() && safeIsFile(join(dir, entry.name)));
    if (!isFile) continue;
    if (/\.png$/i.test(entry.name)) names.push(entry.name);
    else problems.add(`files that are not .png in ${flag}`, join(dir, entry.name));
  }
  return names.sort();
}

function safeIsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads a file's PNG header, or records why it cannot and returns undefined. */
function header(path: string, problems: Problems): PngHeader | undefined {
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
    return readPngHeader(bytes.subarray(0, read));
  } catch (error) {
    if (!(error instanceof MaskError)) throw error;
    problems.add(
      error.kind === 'colour' ? 'colour PNGs' : 'not PNG files',
      `${path}: ${error.message}`,
    );
    return undefined;
  }
}

/**
 * Decodes a mask and checks its labels; records the first label that is neither in [0, N) nor
 * `ignore` (value and pixel) and how many such pixels there are, or a decoding error.
 */
function mask(
  path: string,
  classes: number,
  ignore: number | null,
  problems: Problems,
): LabelMask | undefined {
  let m: LabelMask;
  try {
    m = readLabelPng(readFileSync(path));
  } catch (error) {
    if (!(error instanceof MaskError)) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.add('unreadable files', `${path} (${code})`);
    } else problems.add('unreadable PNG data', `${path}: ${error.message}`);
    return undefined;
  }
  const { labels, width } = m;
  const ign = ignore ?? -1;
  let first = -1;
  let bad = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < classes || v === ign) continue;
    if (first < 0) first = i;
    bad++;
  }
  if (first < 0) return m;
  const x = first % width;
  const y = (first - x) / width;
  problems.add(
    `label values >= ${classes} that are not the ignore label (${ignore ?? 'none'})`,
    `${path}: value ${labels[first]} at pixel (x ${x}, y ${y})` +
      (bad > 1 ? `, ${bad} such pixels` : ''),
  );
  // The common case of a void label the user forgot to name gets its fix spelled out.
  if (ignore === null && labels[first] === 255) {
    problems.note('use --ignore 255 if 255 marks void pixels');
  }
  return undefined;
}

/** A cli-progress bar over the files on a terminal; none elsewhere (CI logs, pipes, tests). */
function progressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  total: number,
): cliProgress.SingleBar | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      format:
        'eval [{bar}] {value}/{total} masks  {percentage}%  {duration_formatted} (eta {eta_formatted})',
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

/** The printed report: per-class IoU, then the summary metrics, in percent. */
export function formatResults(results: EvalResults, ignore: number | null): string {
  const lines = [
    `${results.images} image${results.images === 1 ? '' : 's'}, ${results.numClasses} classes` +
      (ignore === null ? '' : `, ignore ${ignore}`),
    '',
    'class   IoU (%)',
  ];
  let k = 0;
  for (let c = 0; c < results.numClasses; c++) {
    if (c === ignore) continue;
    lines.push(`${String(c).padStart(5)}   ${results.iou[k++].toFixed(2).padStart(7)}`);
  }
  const row = (name: string, value: number) => `${name.padEnd(24)}${value.toFixed(2).padStart(7)}`;
  lines.push('', row('mIoU', results.mIoU));
  lines.push(row('pixel accuracy', results.pixelAccuracy));
  lines.push(row('frequency-weighted IoU', results.fwIoU));
  if (results.perImageMIoU !== undefined) lines.push(row('per-image mIoU', results.perImageMIoU));
  return `${lines.join('\n')}\n`;
}
