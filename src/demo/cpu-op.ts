import * as tf from '@tensorflow/tfjs-core';
import { customOp } from '../tfjs/custom-op.js';

/**
 * A differentiable op of one tensor computed on the CPU in plain JavaScript, whose gradient
 * depends on its output only (as the sigmoid's and the softmax's do): `forward` maps the
 * input's values to the output's, `backward` fills dx from dy and the output.
 *
 * Shapes: any -> the input's shape. Differentiable w.r.t. the input.
 * @example
 *   const double = outputGradOp((v) => v.map((x) => 2 * x), (dy, _out, dx) => {
 *     for (let i = 0; i < dy.length; i++) dx[i] = 2 * dy[i];
 *   });
 */
export function outputGradOp(
  forward: (values: Float32Array, shape: readonly number[]) => Float32Array,
  backward: (
    dy: Float32Array,
    out: Float32Array,
    dx: Float32Array,
    shape: readonly number[],
  ) => void,
): <T extends tf.Tensor>(x: T) => T {
  const op = customOp((input: tf.Tensor) => {
    const value = tf.tensor(forward(input.dataSync() as Float32Array, input.shape), input.shape);
    return {
      value,
      saved: [value],
      backward: (dy, [out]) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(g.length);
        backward(g, out.dataSync() as Float32Array, dx, input.shape);
        return tf.tensor(dx, input.shape, 'float32');
      },
    };
  });
  return <T extends tf.Tensor>(x: T) => op(x) as T;
}
