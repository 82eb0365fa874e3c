import type { Tensor } from '@tensorflow/tfjs-core';
import type { IouBinaryOptions } from '../core/options/iou-options.js';
import { iouBinary as coreIouBinary } from '../metrics/iou-binary.js';
import { pixelTensors } from './tensor-geometry.js';
import { checkTensor, valuesOf } from './tensor-input.js';

/**
 * Foreground IoU of binary masks, in percent (see the core `iouBinary`).
 *
 * Shapes: preds `[B, ...spatial]` of 0 and 1 (e.g. tf.greater(logits, 0)), labels of the same
 * shape (or with a trailing 1) of 0, 1 or `ignore`. Options: {@link IouBinaryOptions}.
 * @example
 * ```ts
 * iouBinary(tf.cast(tf.greater(logits, 0), 'int32'), labels, { ignore: 255 })
 * ```
 */
export function iouBinary(preds: Tensor, labels: Tensor, options: IouBinaryOptions = {}): number {
  const fn = 'iouBinary';
  checkTensor(fn, 'preds', preds);
  checkTensor(fn, 'labels', labels);
  pixelTensors(fn, 'preds', preds, labels);
  return coreIouBinary(valuesOf(preds), valuesOf(labels), preds.shape, options);
}
