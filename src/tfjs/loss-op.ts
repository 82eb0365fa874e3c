import * as tf from '@tensorflow/tfjs-core';
import type { LossResult } from '../core/loss-result.js';

/**
 * Wraps a core loss as a differentiable scalar op.
 *
 * The forward pass reads the input once, lets the core compute the loss and its gradient in
 * one pass, and keeps the gradient; the backward pass only scales it by dy. Nothing is
 * differentiated through tf.gather or tf.topk (their gradients are quadratic or missing on
 * some backends), so this works with only @tensorflow/tfjs-core and a backend loaded.
 */
export function lossOp(
  x: tf.Tensor,
  compute: (values: ArrayLike<number>) => LossResult,
): tf.Scalar {
  // customGrad passes the inputs, then the save function, as one rest list.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const { loss, grad } = compute(input.dataSync() as ArrayLike<number>);
    save([tf.tensor(grad, input.shape, 'float32')]);
    return {
      value: tf.scalar(loss, 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]),
    };
  });
  return op(x) as tf.Scalar;
}
