import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { type BinaryXlossOptions, binaryXloss as coreBinaryXloss } from '../core/binary-xloss.js';
import { rejectOut } from './core-only.js';
import { lossOp, perPixelItems } from './loss-op.js';
import { checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';

/**
 * Binary cross-entropy from logits (numerically stable), mean over valid pixels, as a
 * differentiable tf.Scalar: max(x, 0) - x y + log(1 + exp(-|x|)); gradient (sigmoid(x) - y) / n.
 *
 * Shapes: logits of any shape (e.g. [B, H, W]), labels of the same shape with values 0, 1 or
 * `ignore`. Defaults: ignore null, reduction 'mean' ('none': per-pixel losses of the shape of
 * `logits`).
 * @example
 * ```ts
 * const loss = binaryXloss(logits, labels, { ignore: 255 });
 * ```
 */
export function binaryXloss(
  logits: Tensor,
  labels: Tensor,
  options?: BinaryXlossOptions & { reduction?: 'mean' | 'sum' },
): Scalar;
export function binaryXloss(
  logits: Tensor,
  labels: Tensor,
  options: BinaryXlossOptions & { reduction: 'none' },
): Tensor;
export function binaryXloss(
  logits: Tensor,
  labels: Tensor,
  options: BinaryXlossOptions = {},
): Tensor {
  const fn = 'binaryXloss';
  rejectOut(fn, options);
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  checkShapeIs(fn, 'labels', labels, logits.shape, "the shape of 'logits'");
  const y = valuesOf(labels);
  const items = options?.reduction === 'none' ? perPixelItems(logits.shape, null) : undefined;
  return lossOp(logits, (x) => coreBinaryXloss(x, y, options), items);
}
