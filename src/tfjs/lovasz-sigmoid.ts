import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { resolveOptions } from '../core/options/option-spec.js';
import type { LovaszSigmoidOptions } from '../core/options/softmax-options.js';
import { softmaxResolved } from '../core/softmax.js';
import { lossOp, perClassItems, perImageItems } from './loss-op.js';
import { rejectOut } from './reject-out.js';
import { pixelTensors } from './tensor-geometry.js';
import { checkTensor, valuesOf } from './tensor-input.js';
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
 * `ignore`. Options: {@link LovaszSigmoidOptions}.
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
  options?: LovaszSigmoidOptions & { reduction?: 'mean' | 'sum' },
): Scalar;
export function lovaszSigmoid(
  logits: Tensor,
  labels: Tensor,
  options: LovaszSigmoidOptions & { reduction: 'none' },
): Tensor1D;
export function lovaszSigmoid(
  logits: Tensor,
  labels: Tensor,
  options: LovaszSigmoidOptions = {},
): Tensor {
  const fn = 'lovaszSigmoid';
  rejectOut(fn, options);
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  const opts = resolveOptions(fn, TFJS_SIGMOID_OPTIONS, options);
  const geo = pixelTensors(fn, 'logits', logits, labels);
  const y = valuesOf(labels);
  const resolved = { ...opts, layout: 'NHWC', fromLogits: true, out: null } as const;
  const items =
    opts.reduction !== 'none'
      ? undefined
      : opts.perImage
        ? perImageItems(logits.rank)
        : perClassItems(logits.rank, 0, 1);
  return lossOp(logits, (x) => softmaxResolved(fn, 'logits', x, y, geo, resolved), items);
}
