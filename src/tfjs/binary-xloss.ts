import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { binaryXlossResolved } from '../core/binary-xloss.js';
import { resolveOptions } from '../core/options/option-spec.js';
import type { BinaryXlossOptions } from '../core/options/xloss-options.js';
import { lossOp, perPixelItems } from './loss-op.js';
import { choosePath, type PathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { checkShapeIs, checkTensor } from './tensor-input.js';
import { binaryXlossOnDevice } from './tensor-path/xloss.js';
import { TFJS_BINARY_XLOSS_OPTIONS } from './tfjs-options.js';

/**
 * Binary cross-entropy from logits (numerically stable), mean over valid pixels, as a
 * differentiable tf.Scalar: max(x, 0) - x y + log(1 + exp(-|x|)); gradient (sigmoid(x) - y) / n.
 *
 * Shapes: logits of any shape (e.g. `[B, ...spatial]`), labels of the same shape with values
 * 0, 1 or `ignore`. Options: {@link BinaryXlossOptions} ('none': per-pixel losses of the shape
 * of `logits`) and {@link PathOption}.
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
  options?: BinaryXlossOptions & PathOption & { reduction?: 'mean' | 'sum' },
): Scalar;
export function binaryXloss(
  logits: Tensor,
  labels: Tensor,
  options: BinaryXlossOptions & PathOption & { reduction: 'none' },
): Tensor;
// A reduction known only at run time: a scalar, or the 'none' losses.
export function binaryXloss(
  logits: Tensor,
  labels: Tensor,
  options?: BinaryXlossOptions & PathOption,
): Tensor;
export function binaryXloss(
  logits: Tensor,
  labels: Tensor,
  options: BinaryXlossOptions & PathOption = {},
): Tensor {
  const fn = 'binaryXloss';
  rejectOut(fn, options);
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  const opts = resolveOptions(fn, TFJS_BINARY_XLOSS_OPTIONS, options);
  checkShapeIs(fn, 'labels', labels, logits.shape, "the shape of 'logits'");
  const { path: _, ...resolved } = opts;
  if (choosePath(fn, opts.path) === 'tensor' && logits.size > 0) {
    return binaryXlossOnDevice(logits, labels, resolved);
  }
  const core = { ...resolved, out: null };
  const items =
    opts.reduction === 'none' ? perPixelItems(logits.shape, logits.shape, null) : undefined;
  return lossOp(
    logits,
    labels,
    (x, y, out) => binaryXlossResolved(fn, x, y, { ...core, out }),
    items,
  );
}
