import * as tf from '@tensorflow/tfjs-core';
import { checkNumClasses } from '../core/check.js';
import { formatShape } from '../core/geometry.js';
import { stringOption } from '../core/options/common-options.js';
import { type OptionTable, resolveOptions } from '../core/options/option-spec.js';
import { checkTensor } from '../tfjs/tensor-input.js';
import { argmaxRows, checkLastAxis, labelsFromOneHot } from './one-hot.js';

/**
 * A metric as tfjs-layers' model.compile({ metrics }) takes it: targets and predictions of
 * the model's output shape in, a tf.Scalar out. Its function `name` is its key in fit's logs
 * and `history.history`.
 *
 * @example
 * ```ts
 * const metric: KerasMetric = kerasMeanIoU(5);
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: [metric] });
 * ```
 */
export type KerasMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/**
 * Options of {@link kerasMeanIoU}.
 *
 * @example
 * ```ts
 * kerasMeanIoU(5, { name: 'batch_mIoU' });
 * ```
 */
export interface KerasMeanIoUOptions {
  /**
   * The metric's key in fit's logs and history (the function's `name`).
   * @default 'mIoU'
   */
  name?: string;
}

/** The options of {@link kerasMeanIoU}. */
export const KERAS_MEAN_IOU_OPTIONS = {
  // A non-empty string: it becomes a logs key.
  name: stringOption('name', 'mIoU', true),
} as const satisfies OptionTable;

/** Gives `f` the name tfjs-layers reads as the metric's logs key. */
export function named<F extends object>(f: F, name: string): F {
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

/**
 * The mean IoU of a batch, in percent, as a metric for model.compile: yTrue one-hot
 * [B, ...spatial, C] (an all-zero row marks a pixel to ignore), yPred [B, ...spatial, C]
 * softmax probabilities or logits (the predicted class is the argmax either way, the first on
 * ties). C must be `numClasses`.
 *
 * With I_c = #(valid pixels labelled c and predicted c) and U_c = #(valid pixels labelled c or
 * predicted c) over the batch, the value is the mean of 100 * I_c / U_c over the classes with
 * U_c > 0 (a class absent from both the batch's labels and its predictions has no IoU, as in
 * Keras' MeanIoU; a batch without valid pixels scores 0). Counts are exact integers.
 *
 * tfjs-layers averages a metric over the batches of an epoch (weighted by batch size), so the
 * epoch value in the logs approximates the dataset mIoU but is not it: a mean of per-batch
 * ratios, and measured while the weights change. For the exact validation mIoU per epoch use
 * {@link iouCallback}. The values are read synchronously (one read of yTrue and yPred per
 * batch). Default name 'mIoU' (so fit's logs have `mIoU`, and `val_mIoU` with validationData:
 * give the callback another prefix or the metric another name when using both).
 * @example
 * ```ts
 * import { kerasLovaszSoftmax, kerasMeanIoU } from 'lovasz/layers';
 *
 * model.compile({
 *   optimizer: tf.train.adam(1e-3),
 *   loss: kerasLovaszSoftmax(),
 *   metrics: [kerasMeanIoU(5)],
 * });
 * const history = await model.fit(x, yOneHot, { epochs: 3 });
 * history.history.mIoU; // one value per epoch
 * ```
 */
export function kerasMeanIoU(numClasses: number, options: KerasMeanIoUOptions = {}): KerasMetric {
  const fn = 'kerasMeanIoU';
  const C = checkNumClasses(fn, numClasses);
  const { name } = resolveOptions(fn, KERAS_MEAN_IOU_OPTIONS, options);
  const metric = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    checkTensor(fn, 'yTrue', yTrue);
    checkTensor(fn, 'yPred', yPred);
    checkLastAxis(fn, 'yPred', yPred.shape, C, 'probabilities or logits');
    if (yTrue.rank !== yPred.rank || yTrue.shape.some((d, i) => d !== yPred.shape[i])) {
      throw new RangeError(
        `${fn}: 'yTrue' must be one-hot targets of the shape of 'yPred' ${formatShape(yPred.shape)}, got ${formatShape(yTrue.shape)}`,
      );
    }
    const labels = labelsFromOneHot(fn, 'yTrue', yTrue.dataSync(), C);
    const preds = argmaxRows(fn, 'yPred', yPred.dataSync(), C);
    return tf.scalar(meanIoUOf(preds, labels, C));
  };
  return named(metric, name);
}

/** Mean over classes with a non-empty union of 100 * I / U; labels equal to C are void. */
function meanIoUOf(preds: Int32Array, labels: Int32Array, C: number): number {
  const inter = new Float64Array(C);
  const union = new Float64Array(C);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y === C) continue;
    const p = preds[i];
    union[y]++;
    if (p === y) inter[y]++;
    else union[p]++;
  }
  let sum = 0;
  let n = 0;
  for (let c = 0; c < C; c++) {
    if (union[c] === 0) continue;
    sum += inter[c] / union[c];
    n++;
  }
  return n === 0 ? 0 : (100 * sum) / n;
}
