import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { resolveOptions } from '../core/options/option-spec.js';
import type { LovaszSoftmaxOptions } from '../core/options/softmax-options.js';
import { checkOptionsFit, softmaxResolved } from '../core/softmax.js';
import { lossOp, lovaszItems } from './loss-op.js';
import { choosePath, type PathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { predictionTensors } from './tensor-geometry.js';
import { checkTensor, valuesOf } from './tensor-input.js';
import { lovaszSoftmaxTensor } from './tensor-path/softmax.js';
import { TFJS_SOFTMAX_OPTIONS } from './tfjs-options.js';

/** Options only the core path computes (with their default values the tensor path runs). */
const SOFTMAX_CORE_ONLY = ['fromLogits', 'classWeights', 'reduction'] as const;

/**
 * Lovász-Softmax loss (and Lovász-Sigmoid) from probabilities, as a differentiable tf.Scalar.
 *
 * For each class c considered, fg = (label == c), e = |fg - p_c|, and the class loss is
 * sum_i e_pi(i) * d_i (pi orders e decreasingly, d is the Lovász gradient of fg in that order);
 * the loss is the mean over the classes considered (and over images with perImage).
 * Differentiable w.r.t. `probas`.
 *
 * Shapes (any number of spatial axes, at least one): probas `[B, ...spatial, C]` (layout
 * 'NHWC', default) or `[B, C, ...spatial]` (layout 'NCHW') with labels `[B, ...spatial]`; or
 * sigmoid probabilities `[B, ...spatial]` (Lovász-Sigmoid: pass classes [1]) with labels of the
 * same shape. The rule: probas are sigmoid probabilities exactly when the labels have their
 * shape. Labels may carry a trailing 1 (`[B, ...spatial, 1]`). Returns a tf.Scalar, or with
 * reduction 'none' a tf.Tensor1D of one loss per image (perImage) or per class considered.
 * With `fromLogits: true` the first argument holds logits and the softmax (the sigmoid, for
 * one channel) is fused: no gradient of tf.softmax is needed. Options:
 * {@link LovaszSoftmaxOptions} and {@link PathOption} (the tensor path computes the defaults
 * of fromLogits, classWeights and reduction only).
 *
 * `path` chooses where it runs: 'core' downloads the tensors once per call and runs the exact
 * typed-array core; 'tensor' stays on the backend (tf.topk, tf.cumsum, tf.scatterND; see
 * `lovaszSoftmaxTensor`: it checks the options and shapes but does not scan the values);
 * 'auto' takes 'tensor' on webgl and webgpu, else 'core'.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { lovaszSoftmax } from 'lovasz/tfjs';
 *
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
  rejectOut(fn, options);
  const opts = resolveOptions(fn, TFJS_SOFTMAX_OPTIONS, options);
  const geo = predictionTensors(fn, probas, labels, opts.layout);
  checkOptionsFit(fn, geo, opts);
  // The tensor path reads [B, H, W, C], [B, C, H, W] and [B, H, W] (sigmoid) inputs.
  const rank = geo.sigmoid ? 3 : 4;
  const shapeReason =
    probas.rank === rank && labels.rank === rank - (geo.sigmoid ? 0 : 1)
      ? null
      : `inputs of shape ${JSON.stringify(probas.shape)} with labels ${JSON.stringify(labels.shape)}`;
  const path = choosePath(
    fn,
    opts.path,
    opts,
    TFJS_SOFTMAX_OPTIONS,
    SOFTMAX_CORE_ONLY,
    shapeReason,
  );
  const { path: _, ...core } = opts;
  // An empty input has nothing to download: the core handles it.
  if (path === 'tensor' && probas.size > 0) return lovaszSoftmaxTensor(probas, labels, core);
  const y = valuesOf(labels);
  const resolved = { ...core, out: null };
  const items = lovaszItems(probas, geo, opts);
  return lossOp(probas, (x) => softmaxResolved(fn, 'probas', x, y, geo, resolved), items);
}
