import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { resolveOptions } from '../core/options/option-spec.js';
import type { LovaszSigmoidOptions } from '../core/options/softmax-options.js';
import { checkOptionsFit, softmaxResolved } from '../core/softmax.js';
import { lossOp, lovaszItems } from './loss-op.js';
import { choosePath, kernelNeedsCore, type PathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { pixelTensors } from './tensor-geometry.js';
import { checkTensor } from './tensor-input.js';
import { lovaszSoftmaxOnDevice } from './tensor-path/softmax.js';
import { TFJS_SIGMOID_OPTIONS } from './tfjs-options.js';

/**
 * The Lovász-Sigmoid from logits, as a differentiable tf.Scalar: the Lovász-Softmax of
 * sigmoid(logits) against one class (default [1]), with the sigmoid fused so the gradient is
 * w.r.t. the logits and probabilities cannot be passed by mistake.
 *
 * With p = sigmoid(logit), fg = (label == 1) and e = |fg - p|, the loss is
 * sum_i e_pi(i) * d_i, pi ordering e decreasingly and d the Lovász gradient of fg in that
 * order (see the core `lovaszSigmoid`). Returns a tf.Scalar, or with reduction 'none' a
 * tf.Tensor1D of one loss per image (perImage) or per class considered.
 *
 * Shapes: logits `[B, ...spatial]`, labels of the same shape (or with a trailing 1) of 0, 1 or
 * `ignore`. Options: {@link LovaszSigmoidOptions} and {@link PathOption} (on webgl and webgpu
 * 'auto' computes it on the device, the sigmoid included).
 * @example
 * ```ts
 * import { lovaszSigmoid } from 'lovasz/tfjs';
 *
 * const loss = lovaszSigmoid(logits, labels, { ignore: 255 });
 * ```
 */
export function lovaszSigmoid(
  logits: Tensor,
  labels: Tensor,
  options?: LovaszSigmoidOptions & PathOption & { reduction?: 'mean' | 'sum' },
): Scalar;
export function lovaszSigmoid(
  logits: Tensor,
  labels: Tensor,
  options: LovaszSigmoidOptions & PathOption & { reduction: 'none' },
): Tensor1D;
// A reduction known only at run time: a scalar, or the 'none' losses.
export function lovaszSigmoid(
  logits: Tensor,
  labels: Tensor,
  options?: LovaszSigmoidOptions & PathOption,
): Tensor;
export function lovaszSigmoid(
  logits: Tensor,
  labels: Tensor,
  options: LovaszSigmoidOptions & PathOption = {},
): Tensor {
  const fn = 'lovaszSigmoid';
  rejectOut(fn, options);
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  const opts = resolveOptions(fn, TFJS_SIGMOID_OPTIONS, options);
  const geo = pixelTensors(fn, 'logits', logits, labels);
  const { path: _, kernel, ...rest } = opts;
  const resolved = { ...rest, layout: 'NHWC', fromLogits: true } as const;
  checkOptionsFit(fn, geo, resolved);
  if (choosePath(fn, opts.path, kernelNeedsCore(kernel)) === 'tensor' && logits.size > 0) {
    return lovaszSoftmaxOnDevice(logits, labels, { ...resolved, geo });
  }
  const core = { ...resolved, kernel, out: null };
  const items = lovaszItems(logits, geo, opts);
  return lossOp(
    logits,
    labels,
    (x, y, out) => softmaxResolved(fn, 'logits', x, y, geo, { ...core, out }),
    items,
  );
}
