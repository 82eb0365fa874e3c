/**
 * The work on one pair of masks in `lovasz eval`, the same in the main thread (--jobs 1) and in
 * a worker: read both files, decode them, map their labels, check them, and count the pair
 * into a one-image ConfusionMatrix whose state is sent back to be merged in pair order.
 * @module
 */
import { readFileSync } from 'node:fs';
import { ConfusionMatrix, type ConfusionMatrixState } from '../metrics/confusion-matrix.js';
import { type LabelMask, MaskError, type MaskProblem, readLabelPng } from './eval-png.js';

/** What every pair is evaluated with (structured-cloneable, sent to each worker once). */
export interface PairConfig {
  classes: number;
  ignore: number | null;
  maxPixels: number;
  /** --palette entries [0xRRGGBB, class]. */
  palette: [number, number][] | null;
  /** --pred-map / --map lookup tables (label value -> label), or null. */
  predMap: Int32Array | null;
  gtMap: Int32Array | null;
}

/** One pair to evaluate; `index` is its place in the sorted pairs. */
export interface PairTask {
  index: number;
  pred: string;
  gt: string;
}

/** A problem found in a pair: its report group and its line. */
export interface PairProblem {
  group: string;
  line: string;
  /** A hint for the end of the report, if any. */
  note?: string;
}

/** The outcome of a pair: problems, or its counts and per-image scores. */
export interface PairResult {
  index: number;
  problems: PairProblem[];
  /** The pair's one-image matrix (absent when it had a problem). */
  state?: ConfusionMatrixState;
  /** Valid pixels, the image's mIoU over the classes in its labels (NaN with none), per-class IoU. */
  row?: { pixels: number; mIoU: number; iou: number[] };
}

const GROUP: Record<MaskProblem, string> = {
  'not-png': 'not PNG files',
  'too-large': 'masks over --max-pixels',
  colour: 'colour masks',
  truncated: 'truncated PNG files',
  corrupt: 'corrupt PNG files',
};

/** An evaluator of pairs: holds the scratch matrix, reused from pair to pair. */
export function pairEvaluator(config: PairConfig): (task: PairTask) => PairResult {
  const cm = new ConfusionMatrix(config.classes, { ignore: config.ignore, perImage: true });
  const palette = config.palette === null ? undefined : new Map(config.palette);
  return (task) => {
    const problems: PairProblem[] = [];
    const p = readMask(task.pred, config, config.predMap, palette, problems);
    const g = readMask(task.gt, config, config.gtMap, palette, problems);
    if (p === undefined || g === undefined) return { index: task.index, problems };
    if (p.width !== g.width || p.height !== g.height) {
      // Headers are compared before, so this is only a file that changed in between.
      problems.push({
        group: 'masks of different sizes',
        line: `${task.gt}: ${g.width}x${g.height}, prediction ${task.pred}: ${p.width}x${p.height}`,
      });
      return { index: task.index, problems };
    }
    cm.reset().update(p.labels, g.labels, [1, g.height, g.width]);
    return {
      index: task.index,
      problems,
      state: cm.toState(),
      row: { pixels: cm.count(), mIoU: cm.fineGrained().mIoUI, iou: cm.iou() },
    };
  };
}

/** Decodes, maps and checks one mask; records a problem and returns undefined if it fails. */
function readMask(
  path: string,
  config: PairConfig,
  map: Int32Array | null,
  palette: ReadonlyMap<number, number> | undefined,
  problems: PairProblem[],
): LabelMask | undefined {
  let mask: LabelMask;
  try {
    mask = readLabelPng(readFileSync(path), { maxPixels: config.maxPixels, palette });
  } catch (error) {
    if (error instanceof MaskError)
      problems.push({ group: GROUP[error.kind], line: `${path}: ${error.message}` });
    else {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.push({ group: 'unreadable files', line: `${path} (${code})` });
    }
    return undefined;
  }
  if (map !== null) mask = { ...mask, labels: mapLabels(mask.labels, map) };
  const { labels, width } = mask;
  const { classes, ignore } = config;
  const ign = ignore ?? -1;
  let first = -1;
  let bad = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < classes || v === ign) continue;
    if (first < 0) first = i;
    bad++;
  }
  if (first < 0) return mask;
  const x = first % width;
  const y = (first - x) / width;
  problems.push({
    group: `label values >= ${classes} that are not the ignore label (${ignore ?? 'none'})`,
    line: `${path}: value ${labels[first]} at pixel (x ${x}, y ${y})${bad > 1 ? `, ${bad} such pixels` : ''}`,
    // The common case of a void label the user forgot to name gets its fix spelled out.
    note:
      ignore === null && labels[first] === 255
        ? 'use --ignore 255 if 255 marks void pixels'
        : undefined,
  });
  return undefined;
}

/** The labels through a --map table, in place when they fit the array. */
function mapLabels(labels: Uint8Array | Uint16Array, map: Int32Array): Uint8Array | Uint16Array {
  let max = 0;
  for (let v = 0; v < (labels instanceof Uint8Array ? 256 : 65536); v++)
    if (map[v] > max) max = map[v];
  const out = max > 255 && labels instanceof Uint8Array ? new Uint16Array(labels.length) : labels;
  for (let i = 0; i < labels.length; i++) out[i] = map[labels[i]];
  return out;
}
