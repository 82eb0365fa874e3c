/**
 * `lovasz/tfjs`: the Lovász losses, cross-entropies and IoU metrics on TensorFlow.js tensors.
 * Needs @tensorflow/tfjs-core and a backend; every loss is differentiable w.r.t. its first
 * argument through an analytic gradient (tf.customGrad), so no other tfjs package is needed.
 *
 * The option types are those of the core entry `lovasz` (re-exported here), plus
 * {@link PathOption} on every loss: on webgl and webgpu the losses are computed on the device
 * (every option), elsewhere by the typed-array core. Predictions and labels take any number of
 * spatial axes (`[B, ...spatial, C]`, `[B, C, ...spatial]`, `[B, ...spatial]`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { lovaszSoftmax } from 'lovasz/tfjs';
 *
 * const logits = tf.variable(tf.randomNormal([2, 32, 32, 3])); // [B, H, W, C]
 * const labels = tf.randomUniformInt([2, 32, 32], 0, 3); // [B, H, W]
 * const optimizer = tf.train.adam(0.01);
 * for (let step = 0; step < 50; step++) {
 *   optimizer.minimize(() => lovaszSoftmax(logits, labels, { fromLogits: true }));
 * }
 * ```
 * @module lovasz/tfjs
 */
export type {
  BinaryXlossOptions,
  ClassSelection,
  ConfusionMatrixOptions,
  HingeVariant,
  IouBinaryOptions,
  IouOptions,
  Layout,
  LossPhase,
  LossTerm,
  LossTermOf,
  LossTermOptions,
  LovaszHingeOptions,
  LovaszMultilabelOptions,
  LovaszSigmoidOptions,
  LovaszSoftmaxOptions,
  Reduction,
  XlossOptions,
} from '../index.js';
export { lossSchedule } from '../index.js';
export { binaryXloss } from './binary-xloss.js';
export { combinedLoss } from './combined-loss.js';
export { TensorConfusionMatrix } from './confusion-matrix.js';
export { iou, iouAsync } from './iou.js';
export { iouBinary } from './iou-binary.js';
export {
  type KerasLoss,
  kerasLovaszHinge,
  kerasLovaszSigmoid,
  kerasLovaszSoftmax,
} from './keras-losses.js';
export { lovaszGrad } from './lovasz-grad.js';
export { lovaszHinge } from './lovasz-hinge.js';
export { lovaszMultilabel } from './lovasz-multilabel.js';
export { lovaszSigmoid } from './lovasz-sigmoid.js';
export { lovaszSoftmax } from './lovasz-softmax.js';
export type { LossPath, PathOption } from './path.js';
export { xloss } from './xloss.js';
