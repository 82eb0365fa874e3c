import {
  type ClassSelection,
  checkArray,
  checkBoolean,
  checkClasses,
  checkIgnore,
  checkLabels,
  checkLayout,
  checkLength,
  checkNumClasses,
  checkOptionKeys,
  checkProbabilities,
  checkShape,
  formatShape,
  type Layout,
  type NumericArray,
} from './check.js';
import type { LossResult } from './loss-result.js';
import { sortDescending } from './sort.js';

/** Options of {@link lovaszSoftmax}. */
export interface LovaszSoftmaxOptions {
  /**
   * The classes the loss averages over: 'present' (default: those that occur among the valid
   * labels of the image, or of the batch), 'all', or a list of class indices. With a single
   * probability channel (Lovász-Sigmoid) it must be a one-class list such as [1].
   */
  classes?: ClassSelection;
  /** Mean of per-image losses (true) or one loss over the batch (false, default). */
  perImage?: boolean;
  /** Label value of void pixels; null (default): none. */
  ignore?: number | null;
  /** Layout of a rank-4 `probas`: 'NHWC' (default, as TensorFlow.js) or 'NCHW' (as PyTorch). */
  layout?: Layout;
}

/** Options of {@link lovaszSoftmaxFlat}. */
export interface LovaszSoftmaxFlatOptions {
  /** As in {@link LovaszSoftmaxOptions.classes}; default 'present'. */
  classes?: ClassSelection;
}

/** Where the probabilities of one image and one class sit in the input. */
interface Geometry {
  /** Number of probability channels (1: Lovász-Sigmoid). */
  channels: number;
  /** Pixels per image (H * W). */
  hw: number;
  nchw: boolean;
}

// Reused across calls: the float32 sort key of each valid pixel's error, the offset of its
// probability in the input (also its gradient's offset), and whether it is foreground.
let keyBuf = new Float32Array(0);
let offBuf = new Uint32Array(0);
let fgBuf = new Uint8Array(0);

function reserve(n: number): void {
  if (keyBuf.length >= n) return;
  const size = Math.max(n, Math.ceil(keyBuf.length * 1.5));
  keyBuf = new Float32Array(size);
  offBuf = new Uint32Array(size);
  fgBuf = new Uint8Array(size);
}

/** The error |fg - p| in float64, p read at float32 precision. */
function errorAt(probas: NumericArray, off: number, fg: number): number {
  const p = Math.fround(probas[off]);
  return fg ? Math.abs(1 - p) : Math.abs(p);
}

/**
 * Orders each run of equal float32 keys by the exact float64 error (then by position).
 *
 * The sort sees errors rounded to float32 (1 - p rounds when p < 0.5), and rounding is
 * monotone, so the only misordered pairs are inside runs of equal keys. Runs are almost
 * always of length one; true ties (equal exact errors) are already in position order,
 * because the radix sort is stable.
 */
function refineTies(order: Uint32Array, keys: Float32Array, n: number, probas: NumericArray): void {
  let r = 0;
  while (r < n - 1) {
    if (keys[r] !== keys[r + 1]) {
      r++;
      continue;
    }
    let end = r + 2;
    while (end < n && keys[end] === keys[r]) end++;
    let sorted = true;
    let prev = errorAt(probas, offBuf[order[r]], fgBuf[order[r]]);
    for (let i = r + 1; i < end && sorted; i++) {
      const e = errorAt(probas, offBuf[order[i]], fgBuf[order[i]]);
      sorted = e <= prev;
      prev = e;
    }
    if (!sorted) {
      const run = Array.from(order.subarray(r, end));
      const err = new Map(run.map((pos) => [pos, errorAt(probas, offBuf[pos], fgBuf[pos])]));
      run.sort((a, b) => err.get(b)! - err.get(a)! || a - b);
      order.set(run, r);
    }
    r = end;
  }
}

/**
 * The Lovász loss of one class over images [b0, b1): gathers the errors of the valid pixels,
 * sorts them, and in one pass accumulates the loss and writes `scale` times its gradient.
 */
function classLoss(
  probas: NumericArray,
  labels: NumericArray,
  geo: Geometry,
  b0: number,
  b1: number,
  channel: number,
  cls: number,
  ign: number,
  scale: number,
  grad: Float32Array,
): number {
  const { channels: C, hw: HW, nchw } = geo;
  reserve((b1 - b0) * HW);
  const step = nchw ? 1 : C;
  let k = 0;
  let total = 0;
  for (let b = b0; b < b1; b++) {
    const base = nchw ? (b * C + channel) * HW : b * HW * C + channel;
    const row = b * HW;
    for (let i = 0; i < HW; i++) {
      const y = labels[row + i];
      if (y === ign) continue;
      const off = base + i * step;
      const p = Math.fround(probas[off]);
      const fg = y === cls ? 1 : 0;
      total += fg;
      keyBuf[k] = fg ? Math.abs(1 - p) : Math.abs(p);
      offBuf[k] = off;
      fgBuf[k] = fg;
      k++;
    }
  }
  if (k === 0) return 0;
  const { order, keys } = sortDescending(keyBuf, k);
  refineTies(order, keys, k, probas);
  let loss = 0;
  let fgSeen = 0;
  let bgSeen = 0;
  for (let r = 0; r < k; r++) {
    const pos = order[r];
    const off = offBuf[pos];
    const p = Math.fround(probas[off]);
    const union = total + bgSeen;
    let d: number;
    let e: number;
    if (fgBuf[pos]) {
      d = 1 / union;
      fgSeen++;
      e = 1 - p;
      // d|1 - p|/dp = -sign(1 - p), with sign(0) = 0 as in the reference implementation.
      grad[off] = e > 0 ? -scale * d : e < 0 ? scale * d : 0;
    } else {
      d = union === 0 ? 1 : (total - fgSeen) / (union * (union + 1));
      bgSeen++;
      e = p;
      grad[off] = p > 0 ? scale * d : p < 0 ? -scale * d : 0;
    }
    loss += Math.abs(e) * d;
  }
  return loss;
}

/** The classes considered over images [b0, b1), or null when no pixel is valid. */
function classesOf(
  selection: ClassSelection,
  labels: NumericArray,
  numClasses: number,
  b0: number,
  b1: number,
  hw: number,
  ign: number,
): readonly number[] | null {
  const start = b0 * hw;
  const end = b1 * hw;
  if (selection !== 'present') {
    for (let i = start; i < end; i++)
      if (labels[i] !== ign) return selection === 'all' ? range(numClasses) : selection;
    return null;
  }
  const seen = new Uint8Array(numClasses);
  let any = false;
  for (let i = start; i < end; i++) {
    const y = labels[i];
    if (y === ign) continue;
    seen[y] = 1;
    any = true;
  }
  if (!any) return null;
  const present: number[] = [];
  for (let c = 0; c < numClasses; c++) if (seen[c]) present.push(c);
  return present;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function softmaxGroups(
  probas: NumericArray,
  labels: NumericArray,
  batch: number,
  geo: Geometry,
  selection: ClassSelection,
  perImage: boolean,
  ignore: number | null,
): LossResult {
  const grad = new Float32Array(probas.length);
  const groups = perImage ? batch : 1;
  if (groups === 0 || geo.hw === 0) return { loss: 0, grad };
  const ign = ignore === null ? Number.NaN : ignore;
  const sigmoid = geo.channels === 1;
  // With one channel the labels are binary (0, 1); otherwise they index the channels.
  const labelClasses = sigmoid ? 2 : geo.channels;
  const perGroup = batch / groups;
  let loss = 0;
  for (let g = 0; g < groups; g++) {
    const b0 = g * perGroup;
    const b1 = b0 + perGroup;
    const classes = classesOf(selection, labels, labelClasses, b0, b1, geo.hw, ign);
    if (classes === null || classes.length === 0) continue;
    const scale = 1 / (groups * classes.length);
    let groupLoss = 0;
    for (const c of classes) {
      groupLoss += classLoss(probas, labels, geo, b0, b1, sigmoid ? 0 : c, c, ign, scale, grad);
    }
    loss += groupLoss / classes.length;
  }
  return { loss: loss / groups, grad };
}

function checkSigmoidClasses(fn: string, value: unknown): ClassSelection {
  if (value === 'present' || value === 'all') {
    throw new RangeError(
      `${fn}: with a single probability channel (Lovász-Sigmoid), 'classes' must name the class ` +
        `the channel predicts, e.g. [1]; got '${value}'`,
    );
  }
  const classes = checkClasses(fn, value, 2);
  if (classes.length !== 1) {
    throw new RangeError(
      `${fn}: with a single probability channel (Lovász-Sigmoid), 'classes' must hold exactly one ` +
        `class, e.g. [1]; got [${(classes as number[]).join(', ')}]`,
    );
  }
  return classes;
}

const SOFTMAX_OPTIONS = ['classes', 'perImage', 'ignore', 'layout'] as const;

/**
 * Lovász-Softmax loss (and Lovász-Sigmoid) for segmentation, from probabilities
 * (Berman et al. 2018).
 *
 * For each class c considered, fg = (label == c), the errors are e = |fg - p_c| and the class
 * loss is sum_i e_pi(i) * d_i, pi ordering the errors decreasingly and d = {@link lovaszGrad}
 * of fg in that order. The loss is the mean of the class losses over the classes considered
 * (and, with perImage, the mean over images; an image with no valid pixel scores 0 and still
 * counts). d e / d p_c = sign(p_c - fg) (0 where p_c = fg). Ties are ordered by increasing
 * pixel index. Probabilities are read at float32 precision; all sums are float64.
 *
 * Shapes (`shape` is the shape of `probas`):
 * - [B, H, W, C] with layout 'NHWC' (default), or [B, C, H, W] with layout 'NCHW';
 * - [B, H, W]: one channel of sigmoid probabilities (Lovász-Sigmoid), compared with the single
 *   class listed in `classes` (use [1]); labels are then 0, 1 or `ignore`.
 * labels [B, H, W], integers in [0, C) or `ignore`. Returns the loss and d loss / d probas in
 * the layout of `probas`.
 * Defaults: classes 'present', perImage false, ignore null, layout 'NHWC'.
 * Zero valid pixels: loss 0 and a zero gradient.
 * @throws TypeError / RangeError naming the argument: bad shape or layout, length mismatch,
 *   probabilities outside [0, 1] (1e-6 slack) or not finite, labels not integers in [0, C)
 *   and not `ignore`, bad classes, 'present'/'all' with one channel, unknown options.
 * @example
 *   // 1 image of 1x2 pixels, 2 classes, NHWC
 *   lovaszSoftmax([0.9, 0.1, 0.3, 0.7], [0, 1], [1, 1, 2, 2]).loss
 */
export function lovaszSoftmax(
  probas: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: LovaszSoftmaxOptions = {},
): LossResult {
  const fn = 'lovaszSoftmax';
  checkOptionKeys(fn, options, SOFTMAX_OPTIONS);
  const perImage = checkBoolean(fn, 'perImage', options.perImage ?? false);
  const ignore = checkIgnore(fn, options.ignore ?? null);
  const layout = checkLayout(fn, options.layout ?? 'NHWC');
  checkArray(fn, 'probas', probas);
  checkArray(fn, 'labels', labels);
  const dims = checkShape(fn, 'shape', shape, [3, 4], '[B, H, W, C], [B, C, H, W] or [B, H, W]');
  let B: number;
  let H: number;
  let W: number;
  let C: number;
  if (dims.length === 3) {
    [B, H, W] = dims;
    C = 1;
  } else if (layout === 'NHWC') {
    [B, H, W, C] = dims;
  } else {
    [B, C, H, W] = dims;
  }
  if (C < 1) {
    throw new RangeError(
      `${fn}: 'probas' needs at least one channel, got shape ${formatShape(dims)} (${layout})`,
    );
  }
  checkLength(fn, 'probas', probas, B * H * W * C, `shape ${formatShape(dims)}`);
  checkLength(fn, 'labels', labels, B * H * W, `[B, H, W] = ${formatShape([B, H, W])}`);
  const classes =
    C === 1
      ? checkSigmoidClasses(fn, options.classes ?? 'present')
      : checkClasses(fn, options.classes ?? 'present', C);
  checkProbabilities(fn, 'probas', probas);
  checkLabels(fn, 'labels', labels, C === 1 ? 2 : C, ignore, C === 1 ? '0 or 1' : undefined);
  const geo: Geometry = { channels: C, hw: H * W, nchw: layout === 'NCHW' && dims.length === 4 };
  return softmaxGroups(probas, labels, B, geo, classes, perImage, ignore);
}

/**
 * Lovász-Softmax of one flat set of pixels: {@link lovaszSoftmax} of one image, no ignore label.
 *
 * Shapes: probas [P, numClasses] (row-major: the C probabilities of a pixel are adjacent),
 * labels [P] of integers in [0, numClasses). numClasses = 1 is the Lovász-Sigmoid (classes
 * must then be a one-class list such as [1]). Default: classes 'present'.
 * @example
 *   lovaszSoftmaxFlat([0.9, 0.1, 0.3, 0.7], [0, 1], 2).loss
 */
export function lovaszSoftmaxFlat(
  probas: NumericArray,
  labels: NumericArray,
  numClasses: number,
  options: LovaszSoftmaxFlatOptions = {},
): LossResult {
  const fn = 'lovaszSoftmaxFlat';
  checkOptionKeys(fn, options, ['classes']);
  const C = checkNumClasses(fn, numClasses);
  checkArray(fn, 'probas', probas);
  checkArray(fn, 'labels', labels);
  const P = labels.length;
  checkLength(fn, 'probas', probas, P * C, `[P, numClasses] = ${formatShape([P, C])}`);
  const classes =
    C === 1
      ? checkSigmoidClasses(fn, options.classes ?? 'present')
      : checkClasses(fn, options.classes ?? 'present', C);
  checkProbabilities(fn, 'probas', probas);
  checkLabels(fn, 'labels', labels, C === 1 ? 2 : C, null, C === 1 ? '0 or 1' : undefined);
  return softmaxGroups(
    probas,
    labels,
    1,
    { channels: C, hw: P, nchw: false },
    classes,
    false,
    null,
  );
}
