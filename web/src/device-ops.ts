/**
 * The demo's model pieces as plain tensor ops, for webgpu: the versions in src/demo compute on
 * the CPU with synchronous reads (fast on cpu and wasm), and webgpu's synchronous read goes
 * through an OffscreenCanvas that fails on some adapters (SwiftShader loses its device). These
 * read nothing back; their gradients are written out (tfjs-core registers none).
 */
import * as tf from '@tensorflow/tfjs-core';
import { biasModel } from '../../src/demo/bias-model.js';
import { sigmoid } from '../../src/demo/sigmoid.js';
import { softmax } from '../../src/demo/softmax.js';

/** Whether the page's model pieces must stay on the device (the active backend is webgpu). */
export function onWebgpu(): boolean {
  return tf.getBackend() === 'webgpu';
}

/**
 * logits = x + b for one scalar b (shape of x), d/db = sum(dy): src/demo's biasModel on
 * webgpu with tensor ops (the features uploaded once, freed by `dispose`), else that
 * biasModel itself.
 * @example
 *   const model = pageBiasModel(features, [B, H, W]);
 */
export function pageBiasModel(
  features: Float32Array,
  shape: readonly number[],
): { model: (b: tf.Scalar) => tf.Tensor; dispose: () => void } {
  if (!onWebgpu()) return { model: biasModel(features, shape), dispose: () => {} };
  const x = tf.tensor(features, [...shape], 'float32');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.add(x, args[0] as tf.Scalar),
    gradFunc: (dy: tf.Tensor) => tf.sum(dy),
  }));
  return { model: (b) => op(b), dispose: () => x.dispose() };
}

/** The sigmoid with dx = dy s (1 - s): tensor ops on webgpu, else src/demo's sigmoid. */
export function pageSigmoid<T extends tf.Tensor>(z: T): T {
  if (!onWebgpu()) return sigmoid(z);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const s = tf.sigmoid(args[0] as tf.Tensor);
    (args[1] as tf.GradSaveFunc)([s]);
    return {
      value: s,
      gradFunc: (dy: tf.Tensor, [q]: tf.Tensor[]) => tf.mul(dy, tf.mul(q, tf.sub(1, q))),
    };
  });
  return op(z) as T;
}

/**
 * The softmax over the last axis with dx = p (dy - sum(p dy)): tensor ops on webgpu, else
 * src/demo's softmax.
 */
export function pageSoftmax<T extends tf.Tensor>(z: T): T {
  if (!onWebgpu()) return softmax(z);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const p = tf.softmax(args[0] as tf.Tensor);
    (args[1] as tf.GradSaveFunc)([p]);
    return {
      value: p,
      gradFunc: (dy: tf.Tensor, [q]: tf.Tensor[]) =>
        tf.mul(q, tf.sub(dy, tf.sum(tf.mul(q, dy), -1, true))),
    };
  });
  return op(z) as T;
}
