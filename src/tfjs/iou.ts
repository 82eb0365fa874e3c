import type { Tensor } from '@tensorflow/tfjs-core';
import type { IouOptions } from '../core/options/iou-options.js';
import { iou as coreIou } from '../metrics/iou.js';
import { pixelTensors } from './tensor-geometry.js';
import { checkTensor, valuesOf } from './tensor-input.js';

/**
 * Per-class IoU of label masks, in percent, one entry per class in [0, numClasses) other than
 * `ignore` (see the core `iou`).
 *
 * Shapes: preds `[B, ...spatial]` (e.g. tf.argMax(probas, -1)), labels of the same shape or
 * with a trailing 1. Options: {@link IouOptions}.
 * @example
 * ```ts
 * iou(tf.argMax(probas, -1), labels, 21, { ignore: 255 })
 * ```
 */
export function iou(
  preds: Tensor,
  labels: Tensor,
  numClasses: number,
  options: IouOptions = {},
): number[] {
  const fn = 'iou';
  checkTensor(fn, 'preds', preds);
  checkTensor(fn, 'labels', labels);
  pixelTensors(fn, 'preds', preds, labels);
  return coreIou(valuesOf(preds), valuesOf(labels), preds.shape, numClasses, options);
}
