import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { binaryXlossResolved } from '../core/binary-xloss.js';
import { resolveOptions } from '../core/options/option-spec.js';
import type { BinaryXlossOptions } from '../core/options/xloss-options.js';
import { lossOp, perPixelItems } from './loss-op.js';
import { rejectOut } from './reject-out.js';
import { checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';
import { TFJS_BINARY_XLOSS_OPTIONS } from './tfjs-options.js';

/**
 * Binary cross-entropy from logits (numerically stable), mean over valid pixels, as a
 * differentiable tf.Scalar: max(x, 0) - x y + log(1 + exp(-|x|)); gradient (sigmoid(x) - y) / n.
 *
 * Shapes: logits of any shape (e.g. `[B, ...spatial]`), labels of the same shape with values
 * 0, 1 or `ignore`. Options: {@link BinaryXlossOptions} ('none': per-pixel losses of the shape
 * of `logits`).
 * @example
 * ```ts
 * import { binaryXloss } from 'lovasz/tfjs';
 *
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
  const opts = resolveOptions(fn, TFJS_BINARY_XLOSS_OPTIONS, options);
  checkShapeIs(fn, 'labels', labels, logits.shape, "the shape of 'logits'");
  const y = valuesOf(labels);
  const resolved = { ...opts, out: null };
  const items = opts.reduction === 'none' ? perPixelItems(logits.shape, null) : undefined;
  return lossOp(logits, (x) => binaryXlossResolved(fn, x, y, resolved), items);
}
