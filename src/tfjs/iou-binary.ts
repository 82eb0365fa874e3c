import type { Tensor } from '@tensorflow/tfjs-core';
import { iouBinary as coreIouBinary, type IouBinaryOptions } from '../metrics/iou-binary.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';

/**
 * Foreground IoU of binary masks, in percent (see the core `iouBinary`).
 *
 * Shapes: preds [B, H, W] of 0 and 1 (e.g. tf.greater(logits, 0)), labels [B, H, W] of 0, 1 or
 * `ignore`. Defaults: empty 1, ignore null, perImage true.
 * @example
 * ```ts
 * iouBinary(tf.cast(tf.greater(logits, 0), 'int32'), labels, { ignore: 255 })
 * ```
 */
export function iouBinary(preds: Tensor, labels: Tensor, options: IouBinaryOptions = {}): number {
  const fn = 'iouBinary';
  checkTensor(fn, 'preds', preds);
  checkTensor(fn, 'labels', labels);
  checkRank(fn, 'preds', preds, [3], '[B, H, W]');
  checkShapeIs(fn, 'labels', labels, preds.shape, "the shape of 'preds'");
  return coreIouBinary(valuesOf(preds), valuesOf(labels), preds.shape, options);
}
