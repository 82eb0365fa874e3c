import type { Geometry } from '../../core/geometry.js';
import type { ClassSelection } from '../../core/options/common-options.js';
import type { Reduction } from '../../core/reduction.js';

/**
 * The resolved, already validated options of the tensor-path losses: one plain object per
 * loss, made once by the caller (the `lovasz/tfjs` wrappers) after the core's own checks. The
 * tensor-path functions trust it: they check nothing but what they need to stay in bounds, and
 * read no tensor back.
 *
 * Geometry (the core's type): the input holds `batch * pixels * channels` values, channels last
 * (`[B, ...spatial, C]`) or, with `nchw`, second (`[B, C, ...spatial]`); any number of spatial
 * axes, flattened into `pixels`. Labels hold `batch * pixels` values (`[B, ...spatial]`). The
 * tensors may have any shape of that size: the functions reshape them, and the gradient has
 * the input's shape.
 *
 * This interface holds the fields the class losses share (Lovász-Softmax and -Sigmoid,
 * {@link TensorSoftmaxPlan}; multilabel, {@link TensorMultilabelPlan}), whose rows are the
 * candidate classes (channels for multilabel) of {@link softmaxItemClasses}.
 *
 * @example
 * ```ts
 * const plan: TensorClassPlan = {
 *   geo: { batch: 2, pixels: 64 * 64, channels: 21, nchw: false },
 *   classes: 'present', perImage: false, ignore: 255, fromLogits: true,
 *   classWeights: null, reduction: 'mean',
 * };
 * ```
 */
export interface TensorClassPlan {
  /** Where the values sit. */
  geo: Geometry;
  /** 'present', 'all' or a list of distinct classes (multilabel: channels). */
  classes: ClassSelection;
  /** One loss per image, averaged (true), or one over the batch (false). */
  perImage: boolean;
  /** The void label, or null. */
  ignore: number | null;
  /** The input holds logits: the activation is fused. */
  fromLogits: boolean;
  /** One weight per class (multilabel: per channel), or null: all 1. */
  classWeights: Float64Array | null;
  /**
   * 'mean', 'sum', or 'none': [B] per-image losses with perImage, else [K] per-class losses,
   * one per candidate class (see {@link softmaxItemClasses}), 0 for a class not considered
   * (the core lists only the considered ones; their number depends on the data).
   */
  reduction: Reduction;
}

/**
 * The resolved options of the tensor-path Lovász-Softmax and Lovász-Sigmoid (the fields:
 * {@link TensorClassPlan}). `geo.channels` 1 is one channel of sigmoid probabilities (or
 * logits): `classes` is then a one-class list, `classWeights` holds one weight per label 0 and
 * 1, and fromLogits fuses the sigmoid; with more channels it fuses the softmax over channels.
 *
 * @example
 * ```ts
 * const plan: TensorSoftmaxPlan = {
 *   geo: { batch: 2, pixels: 64 * 64, channels: 21, nchw: false },
 *   classes: 'present', perImage: false, ignore: 255, fromLogits: true,
 *   classWeights: null, reduction: 'mean',
 * };
 * ```
 */
export interface TensorSoftmaxPlan extends TensorClassPlan {}

/**
 * The resolved options of the tensor-path Lovász hinge ({@link TensorSoftmaxPlan} explains
 * plans). Logits and labels hold `batch * pixels` values.
 *
 * @example
 * ```ts
 * const plan: TensorHingePlan = {
 *   geo: { batch: 4, pixels: 100 * 100 }, perImage: true, ignore: null,
 *   variant: 'elu+1', symmetric: false, reduction: 'mean',
 * };
 * ```
 */
export interface TensorHingePlan {
  geo: { batch: number; pixels: number };
  perImage: boolean;
  ignore: number | null;
  /** f of the sorted errors: 'relu' (max(e, 0)) or 'elu+1' (e + 1 for e > 0, else exp(e)). */
  variant: 'relu' | 'elu+1';
  /** Mean of the hinge and of the hinge of (-logits, 1 - labels). */
  symmetric: boolean;
  /** 'mean', 'sum' or 'none' ([B] with perImage, else [1]). */
  reduction: Reduction;
}

/**
 * The resolved options of the tensor-path multilabel Lovász loss (the fields:
 * {@link TensorClassPlan}): targets have the input's geometry (one 0/1/void target per pixel
 * and channel), fromLogits fuses an element-wise sigmoid, and 'none' without perImage gives
 * [C'] losses, one per candidate channel, 0 for a channel not considered.
 *
 * @example
 * ```ts
 * const plan: TensorMultilabelPlan = {
 *   geo: { batch: 2, pixels: 1024, channels: 5, nchw: false }, classes: 'all',
 *   perImage: false, ignore: 255, fromLogits: true, classWeights: null, reduction: 'mean',
 * };
 * ```
 */
export interface TensorMultilabelPlan extends TensorClassPlan {}

/**
 * The resolved options of the tensor-path softmax cross-entropy (from logits). 'none' gives
 * one loss per pixel, in the labels' shape, 0 where void.
 *
 * @example
 * ```ts
 * const plan: TensorXlossPlan = {
 *   geo: { batch: 2, pixels: 1024, channels: 21, nchw: true }, ignore: 255, reduction: 'mean',
 * };
 * ```
 */
export interface TensorXlossPlan {
  geo: Geometry;
  ignore: number | null;
  reduction: Reduction;
}

/**
 * The resolved options of the tensor-path binary cross-entropy (from logits, any shape; labels
 * of the same size). 'none' gives one loss per value, in the logits' shape, 0 where void.
 *
 * @example
 * ```ts
 * const plan: TensorBinaryXlossPlan = { ignore: null, reduction: 'sum' };
 * ```
 */
export interface TensorBinaryXlossPlan {
  ignore: number | null;
  reduction: Reduction;
}

/**
 * The candidate classes of a softmax plan, in increasing order: the classes that the rows of
 * the tensor path compute and that the [K] losses of reduction 'none' (without perImage)
 * follow. 'present' and 'all': every class (0 and 1 cannot occur: one channel needs a list).
 *
 * @example
 * ```ts
 * softmaxItemClasses({ geo: { channels: 4 }, classes: [3, 1] }) // [1, 3]
 * ```
 */
export function softmaxItemClasses(plan: {
  geo: { channels: number };
  classes: ClassSelection;
}): number[] {
  const { classes } = plan;
  if (typeof classes === 'string') return Array.from({ length: plan.geo.channels }, (_, i) => i);
  return [...classes].sort((a, b) => a - b);
}
