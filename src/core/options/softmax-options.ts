import type { Layout } from '../geometry.js';
import type { Reduction } from '../reduction.js';
import {
  booleanOption,
  type ClassSelection,
  classesOption,
  classWeightsOption,
  ignoreOption,
  type KernelChoice,
  kernelOption,
  layoutOption,
  outOption,
  reductionOption,
} from './common-options.js';
import { type OptionTable, omitOptions, type ResolvedOptions } from './option-spec.js';

/**
 * Options of `lovaszSoftmax` (and of the `lovasz/tfjs` lovaszSoftmax and kerasLovaszSoftmax).
 * Every field is optional; the defaults give the paper's Lovász-Softmax over the classes
 * present in the batch.
 *
 * @example
 * ```ts
 * const options: LovaszSoftmaxOptions = { classes: 'all', perImage: true, ignore: 255 };
 * ```
 */
export interface LovaszSoftmaxOptions {
  /**
   * The classes the loss averages over: 'present' (those that occur among the valid labels of
   * the image, or of the batch), 'all', or a list of class indices. With one channel of
   * sigmoid probabilities (Lovász-Sigmoid) it must be a one-class list such as [1]: the class
   * the channel predicts.
   * @default 'present'
   */
  classes?: ClassSelection;
  /**
   * The mean of per-image losses (true; an image with no valid pixel scores 0 and still
   * counts) or one loss over the batch (false).
   * @default false
   */
  perImage?: boolean;
  /**
   * Label value of void pixels, which take no part in the loss; null: none.
   * @default null
   */
  ignore?: number | null;
  /**
   * Layout of a prediction with channels: 'NHWC' (`[B, ...spatial, C]`, as TensorFlow.js) or
   * 'NCHW' (`[B, C, ...spatial]`, as PyTorch).
   * @default 'NHWC'
   */
  layout?: Layout;
  /**
   * The first argument holds logits: the softmax over channels (the sigmoid, with one
   * channel) is applied inside the loss and the gradient is returned w.r.t. the logits.
   * @default false
   */
  fromLogits?: boolean;
  /**
   * Per-class weights (one per class; with one channel, one per label 0 and 1), or null (all
   * 1): the mean over the classes considered becomes sum_c w_c L_c / sum_c w_c.
   * @default null
   */
  classWeights?: ArrayLike<number> | null;
  /**
   * 'mean', 'sum', or 'none': one loss per image with perImage, else one per class considered
   * (returned in `losses`, with `classes`).
   * @default 'mean'
   */
  reduction?: Reduction;
  /**
   * Which implementation computes the class losses: 'auto' takes the WebAssembly SIMD kernel
   * where it can run (WebAssembly SIMD present, memory that can grow, an int32 ignore label),
   * else the JavaScript one; 'wasm' requires the WebAssembly kernel and throws with the reason
   * when it cannot run; 'js' always takes the JavaScript one. Both return the same bits.
   * @default 'auto'
   */
  kernel?: KernelChoice;
}

/**
 * Options of `lovaszSigmoid`: those of {@link LovaszSoftmaxOptions} but fromLogits and layout
 * (the input is always logits `[B, ...spatial]`), with `classes` defaulting to [1] (the channel
 * predicts the foreground; [0] scores the background instead, [0, 1] both).
 *
 * @example
 * ```ts
 * const options: LovaszSigmoidOptions = { perImage: true, ignore: 255 };
 * ```
 */
export interface LovaszSigmoidOptions
  extends Omit<LovaszSoftmaxOptions, 'fromLogits' | 'layout' | 'classes'> {
  /**
   * The class the channel is compared with: [1] (it predicts the foreground), [0] (it scores
   * the background), or [0, 1] (both).
   * @default [1]
   */
  classes?: ClassSelection;
}

/**
 * Options of `lovaszMultilabel` (and of the `lovasz/tfjs` lovaszMultilabel).
 *
 * @example
 * ```ts
 * const options: LovaszMultilabelOptions = { fromLogits: true, classes: 'all', ignore: 255 };
 * ```
 */
export interface LovaszMultilabelOptions
  extends Pick<LovaszSoftmaxOptions, 'layout' | 'classWeights' | 'reduction' | 'kernel'> {
  /**
   * Channels averaged over: 'present' (those with a positive target), 'all', or a list.
   * @default 'present'
   */
  classes?: ClassSelection;
  /**
   * Mean of per-image losses (true) or one loss per channel over the batch (false).
   * @default false
   */
  perImage?: boolean;
  /**
   * Target value that marks a (pixel, channel) as void; null: none.
   * @default null
   */
  ignore?: number | null;
  /**
   * The first argument holds logits; the sigmoid (one per channel: the labels are
   * independent) is fused and differentiated.
   * @default false
   */
  fromLogits?: boolean;
}

/**
 * Options of `lovaszSoftmaxFlat`.
 *
 * @example
 * ```ts
 * import { lovaszSoftmaxFlat } from 'lovasz';
 *
 * lovaszSoftmaxFlat(probas, labels, 3, { classes: [1, 2] });
 * ```
 */
export interface LovaszSoftmaxFlatOptions {
  /**
   * As in {@link LovaszSoftmaxOptions.classes}.
   * @default 'present'
   */
  classes?: ClassSelection;
}

/** The options of `lovaszSoftmax`: the table every entry point resolves them from. */
export const SOFTMAX_OPTIONS = {
  classes: classesOption('present'),
  perImage: booleanOption('perImage', false),
  ignore: ignoreOption(null),
  layout: layoutOption,
  fromLogits: booleanOption('fromLogits', false),
  classWeights: classWeightsOption,
  reduction: reductionOption,
  kernel: kernelOption,
  out: outOption,
} as const satisfies OptionTable;

/** The options of `lovaszSigmoid`. */
export const SIGMOID_OPTIONS = {
  ...omitOptions(SOFTMAX_OPTIONS, ['layout', 'fromLogits']),
  classes: classesOption([1]),
} as const satisfies OptionTable;

/** The options of `lovaszMultilabel`. */
export const MULTILABEL_OPTIONS = SOFTMAX_OPTIONS;

/** The options of `lovaszSoftmaxFlat`. */
export const SOFTMAX_FLAT_OPTIONS = {
  classes: classesOption('present'),
} as const satisfies OptionTable;

/** Resolved options of the Lovász-Softmax family (softmax, sigmoid, multilabel). */
export type SoftmaxResolved = ResolvedOptions<typeof SOFTMAX_OPTIONS>;
