import * as tf from '@tensorflow/tfjs-core';

/** A loss and its gradient w.r.t. the input, both as tensors. */
export interface TensorLoss {
  /** The scalar loss, float32. */
  loss: tf.Scalar;
  /** d loss / d input, float32, of the input's shape. */
  grad: tf.Tensor;
}

/**
 * Wraps a tensor computation of a loss and its gradient as one differentiable scalar op.
 *
 * tf.topk has no gradient and tf.gather's is quadratic on cpu and missing on wasm, so nothing
 * is differentiated through them: the forward pass computes the loss and the whole gradient
 * with tensor ops and saves the gradient; the backward pass only scales it by dy. customGrad
 * runs the forward pass inside a tidy, which frees every intermediate, and keeps a clone of
 * the saved gradient only while a tape is recording.
 */
export function tensorLossOp(x: tf.Tensor, compute: (x: tf.Tensor) => TensorLoss): tf.Scalar {
  // customGrad passes the inputs, then the save function, as one rest list.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const { loss, grad } = compute(input);
    save([grad]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]),
    };
  });
  return op(x) as tf.Scalar;
}
