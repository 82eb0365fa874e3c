import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import type { LovaszSigmoidOptions } from '../core/softmax.js';
import { lovaszSigmoid as coreSigmoid } from '../core/softmax.js';
import { rejectOut } from './core-only.js';
import { lossOp, perClassItems, perImageItems } from './loss-op.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';

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
 * Shapes: logits [B, H, W], labels [B, H, W] of 0, 1 or `ignore`. Defaults: classes [1],
 * perImage false, ignore null, classWeights null, reduction 'mean'.
 * @example
 * ```ts
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
  checkRank(fn, 'logits', logits, [3], '[B, H, W]');
  checkShapeIs(fn, 'labels', labels, logits.shape, "the shape of 'logits'");
  const y = valuesOf(labels);
  const items =
    options?.reduction !== 'none'
      ? undefined
      : options.perImage
        ? perImageItems(3)
        : perClassItems(3, 0, 1);
  return lossOp(logits, (x) => coreSigmoid(x, y, logits.shape, options), items);
}
