import { activate, activationBackward } from './activation.js';
import {
  type ClassSelection,
  checkArray,
  checkBoolean,
  checkClasses,
  checkFinite,
  checkIgnore,
  checkLabels,
  checkLayout,
  checkLength,
  checkNumClasses,
  checkOptionKeys,
  checkOut,
  checkShape,
  formatShape,
  type Layout,
  type NumericArray,
  option,
} from './check.js';
import type { Geometry } from './geometry.js';
import { checkKernel, type HingeKernel } from './hinge.js';
import type { LossResult, OutOption } from './loss-result.js';
import { lovaszGroups } from './lovasz-groups.js';
import { checkClassWeights, checkReduction, type Reduction } from './reduction.js';

/**
 * Options of {@link lovaszSoftmax} (and of the `lovasz/tfjs` lovaszSoftmax and
 * kerasLovaszSoftmax). Every field is optional; the defaults give the paper's Lovász-Softmax
 * over the classes present in the batch.
 *
 * @example
 * ```ts
 * const options: LovaszSoftmaxOptions = { classes: 'all', perImage: true, ignore: 255 };
 * ```
 */
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
  /**
   * The first argument holds logits: the softmax over channels (the sigmoid, with one channel)
   * is applied inside the loss and its gradient is returned w.r.t. the logits. Default false.
   */
  fromLogits?: boolean;
  /**
   * Per-class weights (one per class; with one channel, one per label 0 and 1): the mean over
   * the classes considered becomes sum_c w_c L_c / sum_c w_c. Default null (all 1).
   */
  classWeights?: ArrayLike<number> | null;
  /**
   * 'mean' (default), 'sum', or 'none': one loss per image with perImage, else one per class
   * considered (returned in `losses`, with `classes`).
   */
  reduction?: Reduction;
  /**
   * Which implementation computes the class losses: 'auto' (default) takes the WebAssembly
   * kernel where WebAssembly SIMD is available (and the ignore label is an int32), else the
   * JavaScript one; 'wasm' requires the WebAssembly kernel and throws with the reason when it
   * cannot run; 'js' always takes the JavaScript one. Both return the same bits.
   */
  kernel?: HingeKernel;
}

/**
 * Options of {@link lovaszSoftmaxFlat}.
 *
 * @example
 * ```ts
 * lovaszSoftmaxFlat(probas, labels, 3, { classes: [1, 2] });
 * ```
 */
export interface LovaszSoftmaxFlatOptions {
  /** As in {@link LovaszSoftmaxOptions.classes}; default 'present'. */
  classes?: ClassSelection;
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

const SOFTMAX_OPTIONS = [
  'classes',
  'perImage',
  'ignore',
  'layout',
  'fromLogits',
  'classWeights',
  'reduction',
  'kernel',
  'out',
] as const;

/**
 * Lovász-Softmax loss (and Lovász-Sigmoid) for segmentation, from probabilities or logits
 * (Berman et al. 2018).
 *
 * For each class c considered, fg = (label == c), the errors are e = |fg - p_c| and the class
 * loss is sum_i e_pi(i) * d_i, pi ordering the errors decreasingly and d = {@link lovaszGrad}
 * of fg in that order. The loss is the mean of the class losses over the classes considered
 * (weighted by `classWeights`; with perImage, the mean over images of the per-image losses,
 * where an image with no valid pixel scores 0 and still counts). d e / d p_c = sign(p_c - fg)
 * (0 where p_c = fg). Ties are ordered by increasing pixel index. Probabilities are read at
 * float32 precision; all sums are float64.
 *
 * Shapes (`shape` is the shape of `probas`):
 * - [B, H, W, C] with layout 'NHWC' (default), or [B, C, H, W] with layout 'NCHW';
 * - [B, H, W]: one channel of sigmoid probabilities (Lovász-Sigmoid), compared with the single
 *   class listed in `classes` (use [1]); labels are then 0, 1 or `ignore`.
 * labels [B, H, W], integers in [0, C) or `ignore`. Returns the loss and d loss / d probas (or
 * d loss / d logits with fromLogits) in the layout of the input.
 * Defaults: classes 'present', perImage false, ignore null, layout 'NHWC', fromLogits false,
 * classWeights null, reduction 'mean'. Zero valid pixels: loss 0 and a zero gradient.
 * @throws TypeError / RangeError naming the argument: bad shape or layout, length mismatch,
 *   probabilities outside [0, 1] (1e-6 slack) or not finite, labels not integers in [0, C)
 *   and not `ignore`, bad classes, 'present'/'all' with one channel, unknown options.
 * @example
 * ```ts
 * // 1 image of 1x2 pixels, 2 classes, NHWC
 * lovaszSoftmax([0.9, 0.1, 0.3, 0.7], [0, 1], [1, 1, 2, 2]).loss
 * ```
 */
export function lovaszSoftmax(
  probas: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: LovaszSoftmaxOptions & OutOption = {},
): LossResult {
  return softmaxLoss('lovaszSoftmax', 'probas', probas, labels, shape, options, 'present');
}

/**
 * Options of {@link lovaszSigmoid}: those of {@link lovaszSoftmax} but fromLogits and layout
 * (the input is always logits [B, H, W]). `classes` defaults to [1]: the channel predicts the
 * foreground; [0] scores the background instead, [0, 1] both.
 *
 * @example
 * ```ts
 * const options: LovaszSigmoidOptions = { perImage: true, ignore: 255 };
 * ```
 */
export type LovaszSigmoidOptions = Omit<LovaszSoftmaxOptions, 'fromLogits' | 'layout'>;

/**
 * The Lovász-Sigmoid from logits: {@link lovaszSoftmax} of sigmoid(logits) against one class,
 * with the sigmoid fused (its gradient is w.r.t. the logits).
 *
 * With p = sigmoid(logit), fg = (label == 1) for class 1, errors e = |fg - p| and pi ordering
 * them decreasingly, the loss is sum_i e_pi(i) * d_i with d = {@link lovaszGrad} of fg in that
 * order; d loss / d logit = d * sign(p - fg) * p (1 - p).
 *
 * Shapes: logits [B, H, W], labels [B, H, W] of 0, 1 or `ignore`; `shape` = [B, H, W].
 * Defaults: classes [1] (the channel predicts the foreground), perImage false, ignore null,
 * classWeights null, reduction 'mean'.
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
  checkOptionKeys(fn, options, [
    'classes',
    'perImage',
    'ignore',
    'classWeights',
    'reduction',
    'kernel',
    'out',
  ]);
  checkShape(fn, 'shape', shape, [3], '[B, H, W]');
  return softmaxLoss(fn, 'logits', logits, labels, shape, { ...options, fromLogits: true }, [1]);
}

function softmaxLoss(
  fn: string,
  arg: string,
  probas: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: LovaszSoftmaxOptions & OutOption,
  defaultClasses: ClassSelection,
): LossResult {
  checkOptionKeys(fn, options, SOFTMAX_OPTIONS);
  const perImage = checkBoolean(fn, 'perImage', option(options?.perImage, false));
  const ignore = checkIgnore(fn, options.ignore ?? null);
  const layout = checkLayout(fn, option(options?.layout, 'NHWC'));
  const fromLogits = checkBoolean(fn, 'fromLogits', option(options?.fromLogits, false));
  const reduction = checkReduction(fn, option(options?.reduction, 'mean'));
  const kernel = checkKernel(fn, option(options?.kernel, 'auto'));
  checkArray(fn, arg, probas);
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
      `${fn}: '${arg}' needs at least one channel, got shape ${formatShape(dims)} (${layout})`,
    );
  }
  checkLength(fn, arg, probas, B * H * W * C, `shape ${formatShape(dims)}`);
  checkLength(fn, 'labels', labels, B * H * W, `[B, H, W] = ${formatShape([B, H, W])}`);
  const labelClasses = C === 1 ? 2 : C;
  const selection =
    C === 1
      ? checkSigmoidClasses(fn, option(options?.classes, defaultClasses))
      : checkClasses(fn, option(options?.classes, defaultClasses), C);
  const weights = checkClassWeights(fn, options.classWeights, labelClasses);
  const out = checkOut(fn, options.out, probas.length, { [arg]: probas, labels });
  // The probabilities are checked by the class kernel (lovaszGroups), after the labels.
  if (fromLogits) checkFinite(fn, arg, probas);
  checkLabels(fn, 'labels', labels, labelClasses, ignore, C === 1 ? '0 or 1' : undefined);
  const nchw = layout === 'NCHW' && dims.length === 4;
  const geo: Geometry = { batch: B, pixels: H * W, channels: C, nchw };
  const p = fromLogits ? activate(probas, geo) : probas;
  const kernelPlan = { fn, kernel, checkProbabilities: fromLogits ? null : arg };
  const plan = { selection, perImage, ignore, weights, reduction, out, ...kernelPlan };
  const result = softmaxGroups(p, labels, B, geo, plan);
  if (fromLogits) activationBackward(p as Float32Array, result.grad, geo);
  return result;
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
  batch: number,
  geo: Geometry,
  options: {
    selection: ClassSelection;
    perImage: boolean;
    ignore: number | null;
    weights: Float64Array | null;
    reduction: Reduction;
    out: Float32Array | null;
    fn: string;
    kernel: HingeKernel;
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
    batch,
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
 * must then be a one-class list such as [1]). Default: classes 'present'.
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
  checkOptionKeys(fn, options, ['classes']);
  const C = checkNumClasses(fn, numClasses);
  checkArray(fn, 'probas', probas);
  checkArray(fn, 'labels', labels);
  const P = labels.length;
  checkLength(fn, 'probas', probas, P * C, `[P, numClasses] = ${formatShape([P, C])}`);
  const classes =
    C === 1
      ? checkSigmoidClasses(fn, option(options?.classes, 'present'))
      : checkClasses(fn, option(options?.classes, 'present'), C);
  checkLabels(fn, 'labels', labels, C === 1 ? 2 : C, null, C === 1 ? '0 or 1' : undefined);
  const geo = { batch: 1, pixels: P, channels: C, nchw: false };
  const plan = {
    perImage: false,
    ignore: null,
    weights: null,
    reduction: 'mean',
    out: null,
    fn,
    kernel: 'auto',
    checkProbabilities: 'probas',
  } as const;
  return softmaxGroups(probas, labels, 1, geo, { selection: classes, ...plan });
}
