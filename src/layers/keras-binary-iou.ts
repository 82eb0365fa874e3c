import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from '../core/geometry.js';
import { booleanOption, stringOption } from '../core/options/common-options.js';
import { type OptionTable, resolveOptions } from '../core/options/option-spec.js';
import { checkTensor } from '../tfjs/tensor-input.js';
import { type KerasMetric, named } from './keras-mean-iou.js';

/**
 * Options of {@link kerasBinaryIoU}.
 *
 * @example
 * ```ts
 * kerasBinaryIoU({ fromLogits: true, name: 'fgIoU' });
 * ```
 */
export interface KerasBinaryIoUOptions {
  /**
   * yPred holds logits (threshold 0) rather than probabilities (threshold 0.5).
   * @default false
   */
  fromLogits?: boolean;
  /**
   * The metric's key in fit's logs and history.
   * @default 'binaryIoU'
   */
  name?: string;
}

/** The options of {@link kerasBinaryIoU}. */
export const KERAS_BINARY_IOU_OPTIONS = {
  fromLogits: booleanOption('fromLogits', false),
  name: stringOption('name', 'binaryIoU', true),
} as const satisfies OptionTable;

/**
 * The foreground IoU of a batch of binary masks, in percent, as a metric for model.compile:
 * yTrue [B, ...spatial, 1] of 0 and 1, yPred of the same shape holding sigmoid probabilities
 * (a pixel is predicted foreground when p > 0.5) or, with fromLogits, logits (when x > 0).
 *
 * With I = #(pixels labelled 1 and predicted 1) and U = #(pixels labelled 1 or predicted 1)
 * over the whole batch, the value is 100 * I / U, or 100 when U = 0 (nothing to find, nothing
 * found). tfjs-layers averages it over the batches of an epoch, so the epoch value
 * approximates the dataset IoU. Defaults: fromLogits false, name 'binaryIoU'.
 * @example
 * ```ts
 * import { kerasBinaryIoU, kerasLovaszHinge } from 'lovasz/layers';
 *
 * model.compile({
 *   optimizer: 'adam',
 *   loss: kerasLovaszHinge(),
 *   metrics: [kerasBinaryIoU({ fromLogits: true })],
 * });
 * ```
 */
export function kerasBinaryIoU(options: KerasBinaryIoUOptions = {}): KerasMetric {
  const fn = 'kerasBinaryIoU';
  const { fromLogits, name } = resolveOptions(fn, KERAS_BINARY_IOU_OPTIONS, options);
  const threshold = fromLogits ? 0 : 0.5;
  const metric = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    checkTensor(fn, 'yTrue', yTrue);
    checkTensor(fn, 'yPred', yPred);
    if (yPred.rank < 2 || yPred.shape[yPred.rank - 1] !== 1) {
      throw new RangeError(
        `${fn}: 'yPred' must have one channel ([B, ...spatial, 1]), got shape ${formatShape(yPred.shape)}`,
      );
    }
    if (yTrue.rank !== yPred.rank || yTrue.shape.some((d, i) => d !== yPred.shape[i])) {
      throw new RangeError(
        `${fn}: 'yTrue' must have the shape of 'yPred' ${formatShape(yPred.shape)}, got ${formatShape(yTrue.shape)}`,
      );
    }
    const labels = yTrue.dataSync();
    const preds = yPred.dataSync();
    let inter = 0;
    let union = 0;
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i];
      if (y !== 0 && y !== 1) {
        throw new RangeError(`${fn}: 'yTrue' must hold 0 or 1, got ${y} at pixel ${i}`);
      }
      const p = preds[i];
      if (Number.isNaN(p)) throw new RangeError(`${fn}: 'yPred' has a NaN at pixel ${i}`);
      const fg = p > threshold;
      if (y === 1 || fg) union++;
      if (y === 1 && fg) inter++;
    }
    return tf.scalar(union === 0 ? 100 : (100 * inter) / union);
  };
  return named(metric, name);
}
