import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { resolveOptions } from '../core/options/option-spec.js';
import type { LovaszSoftmaxOptions } from '../core/options/softmax-options.js';
import { checkOptionsFit, softmaxResolved } from '../core/softmax.js';
import { lossOp, lovaszItems } from './loss-op.js';
import { choosePath, kernelNeedsCore, type PathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { predictionTensors } from './tensor-geometry.js';
import { checkTensor } from './tensor-input.js';
import { lovaszSoftmaxOnDevice } from './tensor-path/softmax.js';
import { TFJS_SOFTMAX_OPTIONS } from './tfjs-options.js';

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
 * reduction 'none' a tf.Tensor1D of one loss per image (perImage) or one per candidate class
 * (every class for 'present' and 'all', the listed ones for a list; 0 for a class the data
 * leaves out), the same shape on every path and backend.
 * With `fromLogits: true` the first argument holds logits and the softmax (the sigmoid, for
 * one channel) is fused: no gradient of tf.softmax is needed. Options:
 * {@link LovaszSoftmaxOptions} and {@link PathOption} (every option runs on either path).
 *
 * `path` chooses where it runs: 'core' downloads the tensors once per call and runs the exact
 * typed-array core; 'tensor' stays on the backend (tf.topk, tf.cumsum, tf.scatterND: the
 * options and shapes are checked, the values are not scanned, which would need a download);
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
// A reduction known only at run time: a scalar, or the 'none' losses.
export function lovaszSoftmax(
  probas: Tensor,
  labels: Tensor,
  options?: LovaszSoftmaxOptions & PathOption,
): Tensor;
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
  const { path: _, kernel, ...resolved } = opts;
  // An empty input has nothing to download: the core handles it.
  if (choosePath(fn, opts.path, kernelNeedsCore(kernel)) === 'tensor' && probas.size > 0) {
    return lovaszSoftmaxOnDevice(probas, labels, { ...resolved, geo });
  }
  const items = lovaszItems(probas, geo, opts);
  const core = { ...resolved, kernel, out: null };
  return lossOp(
    probas,
    labels,
    (x, y, out) => softmaxResolved(fn, 'probas', x, y, geo, { ...core, out }),
    items,
  );
}
