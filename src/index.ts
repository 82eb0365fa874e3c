/**
 * `lovasz`: the Lovász hinge, Lovász-Sigmoid and Lovász-Softmax losses (Berman, Rannen Triki,
 * Blaschko, CVPR 2018) and IoU metrics on plain typed arrays. No dependencies; never imports
 * TensorFlow.js (see `lovasz/tfjs` for that).
 *
 * Every loss takes the prediction, the labels and the shape of the prediction (row-major), and
 * returns a {@link LossResult}: the loss and its gradient with respect to the prediction, from
 * one pass, so that any framework can use it by feeding `grad` to its backward pass.
 *
 * @example
 * ```ts
 * import { iou, lovaszSoftmax } from 'lovasz';
 *
 * // 1 image of 1 x 2 pixels, 2 classes, NHWC softmax probabilities
 * const probas = Float32Array.from([0.9, 0.1, 0.3, 0.7]);
 * const labels = Int32Array.from([0, 1]);
 * const { loss, grad } = lovaszSoftmax(probas, labels, [1, 1, 2, 2]);
 * const perClass = iou([0, 1], labels, [1, 1, 2], 2); // [100, 100], percent
 * ```
 * @module lovasz
 */
export { binaryXloss } from './core/binary-xloss.js';
export type { NumericArray } from './core/check.js';
export {
  combinedLoss,
  type LossTerm,
  type LossTermOf,
  type LossTermOptions,
} from './core/combined-loss.js';
export type { Geometry, Layout } from './core/geometry.js';
export { lovaszHinge, lovaszHingeFlat } from './core/hinge.js';
export type { LossResult, OutOption } from './core/loss-result.js';
export { type LossPhase, lossSchedule } from './core/loss-schedule.js';
export { lovaszGrad } from './core/lovasz-grad.js';
export { lovaszMultilabel } from './core/multilabel.js';
export type { ClassSelection, KernelChoice } from './core/options/common-options.js';
export type {
  HingeKernel,
  HingeVariant,
  LovaszHingeOptions,
} from './core/options/hinge-options.js';
export type { IouBinaryOptions, IouOptions } from './core/options/iou-options.js';
export type {
  LovaszMultilabelOptions,
  LovaszSigmoidOptions,
  LovaszSoftmaxFlatOptions,
  LovaszSoftmaxOptions,
} from './core/options/softmax-options.js';
export type { BinaryXlossOptions, XlossOptions } from './core/options/xloss-options.js';
export type { Reduction } from './core/reduction.js';
export { lovaszSigmoid, lovaszSoftmax, lovaszSoftmaxFlat } from './core/softmax.js';
export { type SortedKeys, sortDescending } from './core/sort.js';
export { xloss } from './core/xloss.js';
export {
  ConfusionMatrix,
  type ConfusionMatrixOptions,
  type ConfusionMatrixState,
} from './metrics/confusion-matrix.js';
export type { FineGrainedMetrics, WorstCaseMetrics } from './metrics/fine-grained.js';
export { iou } from './metrics/iou.js';
export { iouBinary } from './metrics/iou-binary.js';
