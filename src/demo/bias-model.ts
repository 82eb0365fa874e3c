import * as tf from '@tensorflow/tfjs-core';
import { customOp } from '../tfjs/custom-op.js';

/** The model of the binary demo: the bias b in, logits [B, H, W] out. */
export type BiasModel = (b: tf.Scalar) => tf.Tensor;

/**
 * The binary demo's model on fixed features x: logits = x + b, b one scalar, differentiable
 * w.r.t. b (d loss / d b = sum of d loss / d logits).
 *
 * Written as one small op rather than tf.add because tfjs-core registers no gradients (and
 * the cpu backend's broadcasting gradient of tf.add costs tens of ms per step at this size).
 *
 * Shapes: features any shape (flat Float32Array and its shape), b [] -> that shape.
 * @example
 *   const model = biasModel(features, [10, 200, 200]);
 *   const logits = model(bVariable);
 */
export function biasModel(features: Float32Array, shape: readonly number[]): BiasModel {
  const op = customOp((bias: tf.Tensor) => {
    const b = bias.dataSync()[0];
    const out = new Float32Array(features.length);
    for (let i = 0; i < out.length; i++) out[i] = features[i] + b;
    return {
      value: tf.tensor(out, [...shape], 'float32'),
      backward: (dy) => {
        const g = dy.dataSync() as Float32Array;
        let sum = 0;
        for (let i = 0; i < g.length; i++) sum += g[i];
        return tf.scalar(sum, 'float32');
      },
    };
  });
  return (b) => op(b);
}
