import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { checkLayout, option } from '../core/check.js';
import { lovaszSoftmax as coreSoftmax, type LovaszSoftmaxOptions } from '../core/softmax.js';
import { coreOnly, rejectOut } from './core-only.js';
import { lossOp, perClassItems, perImageItems } from './loss-op.js';
import { choosePath, type PathOption } from './path.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';
import { lovaszSoftmaxTensor } from './tensor-path/softmax.js';

/** The [B, H, W] shape the labels of a probability tensor must have. */
export function labelShapeOf(shape: readonly number[], layout: unknown): number[] {
  if (shape.length === 3) return [...shape];
  return layout === 'NCHW' ? [shape[0], shape[2], shape[3]] : [shape[0], shape[1], shape[2]];
}

/** Options the tensor path does not compute (their plain values are fine). */
const SOFTMAX_CORE_ONLY = {
  fromLogits: false,
  classWeights: null,
  reduction: 'mean',
  kernel: 'auto',
};

/** How the losses of reduction 'none' map onto `probas` (per image, or per class). */
export function softmaxItems(probas: Tensor, options: LovaszSoftmaxOptions | undefined) {
  if (options?.reduction !== 'none') return undefined;
  if (options.perImage) return perImageItems(probas.rank);
  if (probas.rank === 3) return perClassItems(3, 0, 1);
  const nchw = options.layout === 'NCHW';
  return perClassItems(4, nchw ? 1 : 3, probas.shape[nchw ? 1 : 3] as number);
}

/**
 * Lovász-Softmax loss (and Lovász-Sigmoid) from probabilities, as a differentiable tf.Scalar.
 *
 * For each class c considered, fg = (label == c), e = |fg - p_c|, and the class loss is
 * sum_i e_pi(i) * d_i (pi orders e decreasingly, d is the Lovász gradient of fg in that order);
 * the loss is the mean over the classes considered (and over images with perImage).
 * Differentiable w.r.t. `probas`.
 *
 * Shapes: probas [B, H, W, C] (layout 'NHWC', default), [B, C, H, W] (layout 'NCHW'), or
 * [B, H, W] sigmoid probabilities (Lovász-Sigmoid: pass classes [1]); labels [B, H, W].
 * Returns a tf.Scalar, or with reduction 'none' a tf.Tensor1D of one loss per image (perImage)
 * or per class considered. With `fromLogits: true` the first argument holds logits and the
 * softmax (the sigmoid, for [B, H, W]) is fused: no gradient of tf.softmax is needed.
 * Defaults: classes 'present', perImage false, ignore null, layout 'NHWC', fromLogits false,
 * classWeights null, reduction 'mean', path 'auto' (the tensor path computes the defaults of
 * fromLogits, classWeights and reduction only).
 *
 * `path` chooses where it runs: 'core' downloads the tensors once per call and runs the exact
 * typed-array core; 'tensor' stays on the backend (tf.topk, tf.cumsum, tf.scatterND; see
 * `lovaszSoftmaxTensor`: it checks the options and shapes but does not scan the values);
 * 'auto' takes 'tensor' on webgl and webgpu, else 'core'.
 * @example
 * ```ts
 * const loss = lovaszSoftmax(tf.softmax(logits), labels, { ignore: 255 });
 * const onGpu = lovaszSoftmax(probas, labels, { ignore: 255, path: 'tensor' });
 * ```
 */
export function lovaszSoftmax(
  probas: Tensor,
  labels: Tensor,
  options?: LovaszSoftmaxOptions & PathOption & { reduction?: 'mean' | 'sum' },
): Scalar;
export function lovaszSoftmax(
  probas: Tensor,
  labels: Tensor,
  options: LovaszSoftmaxOptions & PathOption & { reduction: 'none' },
): Tensor1D;
export function lovaszSoftmax(
  probas: Tensor,
  labels: Tensor,
  options: LovaszSoftmaxOptions & PathOption = {},
): Tensor {
  const fn = 'lovaszSoftmax';
  checkTensor(fn, 'probas', probas);
  checkTensor(fn, 'labels', labels);
  checkRank(fn, 'probas', probas, [3, 4], '[B, H, W, C], [B, C, H, W] or [B, H, W]');
  const layout = checkLayout(fn, option(options?.layout, 'NHWC'));
  checkShapeIs(
    fn,
    'labels',
    labels,
    labelShapeOf(probas.shape, layout),
    `[B, H, W] of 'probas' (${probas.rank === 3 ? 'sigmoid' : layout})`,
  );
  rejectOut(fn, options);
  const chosen = choosePath<LovaszSoftmaxOptions>(fn, options);
  const rest = chosen.options;
  // The core checks the options' values on an empty batch (nothing read) before coreOnly
  // judges which path they allow, so a wrong value gets the core's message on either path.
  if (chosen.path === 'tensor')
    coreSoftmax(new Float32Array(0), [], [0, ...probas.shape.slice(1)], rest);
  const path = coreOnly(
    fn,
    chosen.path,
    options?.path === 'tensor',
    { ...rest },
    SOFTMAX_CORE_ONLY,
  );
  // An empty input has nothing to download: the core handles it.
  if (path === 'tensor' && probas.size > 0) return lovaszSoftmaxTensor(probas, labels, rest);
  const y = valuesOf(labels);
  return lossOp(probas, (x) => coreSoftmax(x, y, probas.shape, rest), softmaxItems(probas, rest));
}
