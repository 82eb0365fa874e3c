/**
 * `lovasz/layers`: what a tfjs-layers user needs for model.compile and model.fit: the Keras
 * Lovász losses (also in `lovasz/tfjs`), batch IoU metrics for compile({ metrics }), a
 * Callback that writes the exact validation mIoU into fit's logs, and a loss schedule by
 * epochs. Needs @tensorflow/tfjs-layers (an optional peer dependency: only this entry imports
 * it) and @tensorflow/tfjs-core with a backend, or the @tensorflow/tfjs bundle.
 *
 * Keras losses take one-hot targets of the output's shape (tfjs-layers requires it); an
 * all-zero row marks a pixel to ignore.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { iouCallback, kerasLovaszSoftmax, kerasMeanIoU } from 'lovasz/layers';
 *
 * model.compile({ optimizer: 'adam', loss: kerasLovaszSoftmax(), metrics: [kerasMeanIoU(5)] });
 * const history = await model.fit(x, tf.oneHot(labels, 5), {
 *   epochs: 30,
 *   callbacks: [
 *     iouCallback({ x: xVal, y: labelsVal }, { numClasses: 5 }),
 *     tf.callbacks.earlyStopping({ monitor: 'val_mIoU', mode: 'max', patience: 4 }),
 *   ],
 * });
 * ```
 * @module lovasz/layers
 */
export {
  type KerasLoss,
  kerasLovaszHinge,
  kerasLovaszSigmoid,
  kerasLovaszSoftmax,
} from '../tfjs/keras-losses.js';
export {
  IouCallback,
  type IouCallbackOptions,
  type IouResult,
  type IouValidation,
  iouCallback,
} from './iou-callback.js';
export { type KerasBinaryIoUOptions, kerasBinaryIoU } from './keras-binary-iou.js';
export {
  type KerasLossPhase,
  type KerasLossSchedule,
  kerasLossSchedule,
} from './keras-loss-schedule.js';
export { type KerasMeanIoUOptions, type KerasMetric, kerasMeanIoU } from './keras-mean-iou.js';
