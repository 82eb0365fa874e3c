import { activate, activationBackward } from './activation.js';
import {
  checkArray,
  checkFinite,
  checkLabels,
  checkLength,
  checkNumClasses,
  checkOut,
  type NumericArray,
} from './check.js';
import {
  formatShape,
  type Geometry,
  pixelGeometry,
  predictionGeometry,
  sizeOf,
} from './geometry.js';
import type { LossResult, OutOption } from './loss-result.js';
import { lovaszGroups } from './lovasz-groups.js';
import {
  type ClassSelection,
  checkClassesFit,
  checkWeightsFit,
  type KernelChoice,
} from './options/common-options.js';
import { resolveOptions } from './options/option-spec.js';
import {
  type LovaszSigmoidOptions,
  type LovaszSoftmaxFlatOptions,
  type LovaszSoftmaxOptions,
  SIGMOID_OPTIONS,
  SOFTMAX_FLAT_OPTIONS,
  SOFTMAX_OPTIONS,
  type SoftmaxResolved,
} from './options/softmax-options.js';
import type { Reduction } from './reduction.js';

/** With one channel of probabilities the selection must name the one class it predicts. */
function checkSigmoidClasses(fn: string, classes: ClassSelection): void {
  if (classes === 'present' || classes === 'all') {
    throw new RangeError(
      `${fn}: with a single probability channel (Lovász-Sigmoid), 'classes' must name the class ` +
        `the channel predicts, e.g. [1]; got '${classes}'`,
    );
  }
  checkClassesFit(fn, classes, 2);
  if (classes.length !== 1) {
    throw new RangeError(
      `${fn}: with a single probability channel (Lovász-Sigmoid), 'classes' must hold exactly one ` +
        `class, e.g. [1]; got [${classes.join(', ')}]`,
    );
  }
}

/**
 * Lovász-Softmax loss (and Lovász-Sigmoid) for segmentation, from probabilities or logits
 * (Berman et al. 2018).
 *
 * For each class c considered, fg = (label == c), the errors are e = |fg - p_c| and the class
 * loss is sum_i e_pi(i) * d_i, pi ordering the errors decreasingly and d = {@link lovaszGrad}
 * of fg in that order. The loss is the mean of the class losses over the classes considered
 * (weighted by `classWeights`: sum_c w_c L_c / sum_c w_c; with perImage, the mean over images
 * of the per-image losses, where an image with no valid pixel scores 0 and still counts).
 * d e / d p_c = sign(p_c - fg) (0 where p_c = fg). Ties are ordered by increasing pixel index.
 * Probabilities are read at float32 precision; all sums are float64.
 *
 * Shapes (`shape` is the shape of `probas`; any number of spatial axes, at least one):
 * - `[B, ...spatial, C]` with layout 'NHWC' (default), or `[B, C, ...spatial]` with layout
 *   'NCHW'; labels `[B, ...spatial]`, integers in [0, C) or `ignore`;
 * - `[B, ...spatial]`: one channel of sigmoid probabilities (Lovász-Sigmoid), compared with the
 *   single class listed in `classes` (use [1]); labels of the same shape, 0, 1 or `ignore`.
 * Which of the two a shape is follows one rule: the prediction is one channel of sigmoid
 * probabilities exactly when `labels` has as many values as it (an empty prediction is read
 * with channels). The pixels of an image are all its spatial positions, so `[B, D, H, W, C]`
 * gives the same bits as `[B, D * H, W, C]`. Returns the loss and d loss / d probas (or
 * d loss / d logits with fromLogits) in the layout of the input. Zero valid pixels: loss 0
 * and a zero gradient. Options: {@link LovaszSoftmaxOptions}.
 * @throws TypeError / RangeError naming the argument: bad shape or layout (with the layout
 *   that fits, when one does), length mismatch, probabilities outside [0, 1] (1e-6 slack) or
 *   not finite, labels not integers in [0, C) and not `ignore` (255 suggests `ignore: 255`),
 *   bad classes, 'present'/'all' with one channel, unknown options.
 * @example
 * ```ts
 * // 1 image of 1x2 pixels, 2 classes, NHWC
 * lovaszSoftmax([0.9, 0.1, 0.3, 0.7], [0, 1], [1, 1, 2, 2]).loss
 * // a volume [B, D, H, W, C] = [1, 2, 1, 1, 2]
 * lovaszSoftmax([0.9, 0.1, 0.3, 0.7], [0, 1], [1, 2, 1, 1, 2]).loss
 * ```
 */
export function lovaszSoftmax(
  probas: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: LovaszSoftmaxOptions & OutOption = {},
): LossResult {
  const fn = 'lovaszSoftmax';
  const opts = resolveOptions(fn, SOFTMAX_OPTIONS, options);
  checkArray(fn, 'probas', probas);
  checkArray(fn, 'labels', labels);
  const read = predictionGeometry(fn, 'probas', shape, opts.layout, labels.length);
  checkLength(fn, 'probas', probas, sizeOf(read.dims), `shape ${formatShape(read.dims)}`);
  let geo: Geometry = read;
  // Neither reading fitting the options, the channels one reports why.
  const alt = read.alternative;
  if (
    alt &&
    !fits(() => checkOptionsFit(fn, read, opts)) &&
    fits(() => checkOptionsFit(fn, alt, opts))
  ) {
    geo = alt;
  }
  return softmaxResolved(fn, 'probas', probas, labels, geo, opts);
}

/**
 * The Lovász-Sigmoid from logits: {@link lovaszSoftmax} of sigmoid(logits) against one class,
 * with the sigmoid fused (its gradient is w.r.t. the logits).
 *
 * With p = sigmoid(logit), fg = (label == 1) for class 1, errors e = |fg - p| and pi ordering
 * them decreasingly, the loss is sum_i e_pi(i) * d_i with d = {@link lovaszGrad} of fg in that
 * order; d loss / d logit = d * sign(p - fg) * p (1 - p).
 *
 * Shapes: logits `[B, ...spatial]` (`shape`), labels of the same shape with 0, 1 or `ignore`.
 * Options: {@link LovaszSigmoidOptions} (classes [1]: the channel predicts the foreground).
 * @example
 * ```ts
 * lovaszSigmoid([2, -1, 0.5, -3], [1, 0, 0, 1], [1, 2, 2]).loss
 * ```
 */
export function lovaszSigmoid(
  logits: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: LovaszSigmoidOptions & OutOption = {},
): LossResult {
  const fn = 'lovaszSigmoid';
  const opts = resolveOptions(fn, SIGMOID_OPTIONS, options);
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  const geo = pixelGeometry(fn, 'shape', shape);
  const what = `shape ${formatShape(shape)}`;
  checkLength(fn, 'logits', logits, geo.batch * geo.pixels, what);
  checkLength(fn, 'labels', labels, geo.batch * geo.pixels, what);
  const all: SoftmaxResolved = { ...opts, layout: 'NHWC', fromLogits: true };
  return softmaxResolved(fn, 'logits', logits, labels, geo, all);
}

/**
 * The Lovász-Softmax once the options and the geometry are resolved (by the public functions
 * above and by lovasz/tfjs): checks the options against the input and the values, applies the
 * fused activation and computes. `geo.channels` 1 is one channel of sigmoid probabilities.
 */
export function softmaxResolved(
  fn: string,
  arg: string,
  probas: NumericArray,
  labels: NumericArray,
  geo: Geometry,
  opts: SoftmaxResolved,
): LossResult {
  const C = geo.channels;
  const labelClasses = C === 1 ? 2 : C;
  checkOptionsFit(fn, geo, opts);
  const out = checkOut(fn, opts.out, probas.length, { [arg]: probas, labels });
  // Probabilities are checked by the class kernel (lovaszGroups), after the labels: the
  // WebAssembly one checks them while it stages them.
  if (opts.fromLogits) checkFinite(fn, arg, probas);
  checkLabels(fn, 'labels', labels, labelClasses, opts.ignore, C === 1 ? '0 or 1' : undefined);
  const p = opts.fromLogits ? activate(probas, geo) : probas;
  const plan = {
    selection: opts.classes,
    perImage: opts.perImage,
    ignore: opts.ignore,
    weights: opts.classWeights,
    reduction: opts.reduction,
    out,
    fn,
    kernel: opts.kernel,
    checkProbabilities: opts.fromLogits ? null : arg,
  };
  const result = softmaxGroups(p, labels, geo, plan);
  if (opts.fromLogits) activationBackward(p as Float32Array, result.grad, geo);
  return result;
}

/**
 * The options that depend on the input (the class list and the weights) against `geo`; the
 * tensor path of lovasz/tfjs calls it too, before it computes anything.
 */
export function checkOptionsFit(
  fn: string,
  geo: Geometry,
  opts: Pick<SoftmaxResolved, 'classes' | 'classWeights'>,
): void {
  const C = geo.channels;
  if (C === 1) checkSigmoidClasses(fn, opts.classes);
  else checkClassesFit(fn, opts.classes, C);
  checkWeightsFit(fn, opts.classWeights, C === 1 ? 2 : C);
}

function fits(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/** Counts of valid labels per class over images [b0, b1); every class has the same valid count. */
function labelCounts(
  labels: NumericArray,
  numClasses: number,
  b0: number,
  b1: number,
  hw: number,
  ign: number,
): { fg: Float64Array; valid: Float64Array } {
  const fg = new Float64Array(numClasses);
  let valid = 0;
  for (let i = b0 * hw; i < b1 * hw; i++) {
    const y = labels[i];
    if (y === ign) continue;
    fg[y]++;
    valid++;
  }
  return { fg, valid: new Float64Array(numClasses).fill(valid) };
}

function softmaxGroups(
  probas: NumericArray,
  labels: NumericArray,
  geo: Geometry,
  options: {
    selection: ClassSelection;
    perImage: boolean;
    ignore: number | null;
    weights: Float64Array | null;
    reduction: Reduction;
    out: Float32Array | null;
    fn: string;
    kernel: KernelChoice;
    /** The argument whose probabilities the kernel checks, or null (logits, checked). */
    checkProbabilities: string | null;
  },
): LossResult {
  const { selection, perImage, ignore, weights, reduction, out } = options;
  const sigmoid = geo.channels === 1;
  // With one channel the labels are binary (0, 1); otherwise they index the channels.
  const numClasses = sigmoid ? 2 : geo.channels;
  // Labels are validated: with no ignore label none is negative, so -1 matches no pixel (an
  // integer comparison, cheaper than one against NaN).
  const ign = ignore === null ? -1 : ignore;
  return lovaszGroups({
    probas,
    geo,
    batch: geo.batch,
    numClasses,
    selection,
    perImage,
    ign,
    weights,
    reduction,
    out,
    target: (c) => ({ labels, cls: c, channel: sigmoid ? 0 : c }),
    counts: (b0, b1) => labelCounts(labels, numClasses, b0, b1, geo.pixels, ign),
    fn: options.fn,
    kernel: options.kernel,
    wasmLabels: { values: labels, perChannel: false, ign },
    checkProbabilities: options.checkProbabilities,
  });
}

/**
 * Lovász-Softmax of one flat set of pixels: {@link lovaszSoftmax} of one image, no ignore label.
 *
 * Shapes: probas [P, numClasses] (row-major: the C probabilities of a pixel are adjacent),
 * labels [P] of integers in [0, numClasses). numClasses = 1 is the Lovász-Sigmoid (classes
 * must then be a one-class list such as [1]). Options: {@link LovaszSoftmaxFlatOptions}.
 * @example
 * ```ts
 * lovaszSoftmaxFlat([0.9, 0.1, 0.3, 0.7], [0, 1], 2).loss
 * ```
 */
export function lovaszSoftmaxFlat(
  probas: NumericArray,
  labels: NumericArray,
  numClasses: number,
  options: LovaszSoftmaxFlatOptions = {},
): LossResult {
  const fn = 'lovaszSoftmaxFlat';
  const { classes } = resolveOptions(fn, SOFTMAX_FLAT_OPTIONS, options);
  const C = checkNumClasses(fn, numClasses);
  checkArray(fn, 'probas', probas);
  checkArray(fn, 'labels', labels);
  const P = labels.length;
  checkLength(fn, 'probas', probas, P * C, `[P, numClasses] = ${formatShape([P, C])}`);
  const geo: Geometry = { batch: 1, pixels: P, channels: C, nchw: false };
  const opts: SoftmaxResolved = { ...SOFTMAX_DEFAULTS, classes };
  return softmaxResolved(fn, 'probas', probas, labels, geo, opts);
}

const SOFTMAX_DEFAULTS = resolveOptions('lovaszSoftmax', SOFTMAX_OPTIONS, undefined);
