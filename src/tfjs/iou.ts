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

/**
 * {@link iou} that reads the tensors with `await tensor.data()` instead of dataSync, so that on
 * webgl/webgpu the page keeps running while the GPU finishes (the same checks, the same
 * result). The tensors must stay undisposed until the promise settles.
 *
 * Shapes: preds `[B, ...spatial]`, labels of the same shape or with a trailing 1. Options:
 * {@link IouOptions}.
 * @example
 * ```ts
 * const preds = tf.argMax(probas, -1);
 * const perClass = await iouAsync(preds, labels, 21, { ignore: 255 });
 * preds.dispose();
 * ```
 */
export async function iouAsync(
  preds: Tensor,
  labels: Tensor,
  numClasses: number,
  options: IouOptions = {},
): Promise<number[]> {
  const fn = 'iouAsync';
  checkTensor(fn, 'preds', preds);
  checkTensor(fn, 'labels', labels);
  pixelTensors(fn, 'preds', preds, labels);
  const shape = preds.shape;
  const [p, y] = await Promise.all([preds.data(), labels.data()]);
  return coreIou(p, y, shape, numClasses, options);
}
