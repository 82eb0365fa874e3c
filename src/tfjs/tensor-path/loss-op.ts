import * as tf from '@tensorflow/tfjs-core';
import { customOp } from '../custom-op.js';

/** A loss and how to get its gradient, as tensors (the forward half of {@link deviceLossOp}). */
export interface DeviceLoss {
  /** The loss: a float32 scalar, or one loss per item with reduction 'none'. */
  value: tf.Tensor;
  /** Tensors the backward pass needs (kept only while a tape records). */
  saved: tf.Tensor[];
  /**
   * d (dy . value) / d input, of the input's shape, from the upstream gradient dy (of the
   * value's shape) and the saved tensors. It may only use those tensors and plain values: the
   * forward pass's other tensors are gone by then.
   */
  backward(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor;
}

/**
 * Wraps a tensor computation of a loss as one differentiable op.
 *
 * tf.topk has no gradient and tf.gather's is quadratic on cpu and missing on wasm, so nothing
 * is differentiated through them: the forward pass computes the loss and saves what the
 * analytic gradient needs; the backward pass scales it by dy (per item with reduction 'none')
 * and maps it back to the input (through the fused softmax or sigmoid with fromLogits).
 * customGrad runs the forward pass inside a tidy, which frees every intermediate, and keeps the
 * saved tensors only while a tape is recording. Nothing is read back.
 */
export function deviceLossOp(x: tf.Tensor, compute: (x: tf.Tensor) => DeviceLoss): tf.Tensor {
  return customOp(compute)(x);
}

/**
 * The value and an all-zero gradient of an input without values (B = 0 or no pixels): there is
 * nothing to sort, and tf.topk of an empty row is not defined on every backend.
 */
export function emptyLoss(x: tf.Tensor, valueShape: number[]): tf.Tensor {
  return deviceLossOp(x, (t) => ({
    value: tf.zeros(valueShape),
    saved: [],
    backward: () => tf.zeros(t.shape),
  }));
}
