import * as tf from '@tensorflow/tfjs-core';
import { lovaszGrad as coreLovaszGrad } from '../core/lovasz-grad.js';
import { checkRank, checkTensor, valuesOf } from './tensor-input.js';

/**
 * Gradient of the Lovász extension of the Jaccard loss w.r.t. errors sorted decreasingly
 * (Algorithm 1 of Berman et al. 2018): d_i = J_i - J_(i-1), J_i = 1 - (G - a_i) / (G + b_i).
 * Computed in float64 on the CPU, returned as float32.
 *
 * Shapes: gtSorted [P] of 0 and 1 -> [P].
 * @example
 * ```ts
 * lovaszGrad(tf.tensor1d([1, 0, 1, 0])) // [0.5, 0.1667, 0.3333, 0]
 * ```
 */
export function lovaszGrad(gtSorted: tf.Tensor1D): tf.Tensor1D {
  const fn = 'lovaszGrad';
  checkTensor(fn, 'gtSorted', gtSorted);
  checkRank(fn, 'gtSorted', gtSorted, [1], '[P]');
  return tf.tensor1d(Float32Array.from(coreLovaszGrad(valuesOf(gtSorted))), 'float32');
}
