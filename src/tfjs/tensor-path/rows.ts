import * as tf from '@tensorflow/tfjs-core';
import type { Geometry } from '../../core/geometry.js';

/**
 * The row layout of the tensor-path class losses: [G, C, n], G groups (the images with
 * perImage, else one), C channels, n = (B / G) * pixels values per group, the images of a group
 * one after the other and each image's pixels in row-major order (the order the core's ties
 * follow).
 */

/** An input of geometry `geo` (any shape of its size) -> rows [G, C, n]. */
export function toRows(x: tf.Tensor, geo: Geometry, groups: number): tf.Tensor {
  const { batch: B, pixels: P, channels: C, nchw } = geo;
  const per = B / groups;
  const n = per * P;
  if (C === 1) return tf.reshape(x, [groups, 1, n]);
  if (!nchw) return tf.transpose(tf.reshape(x, [groups, n, C]), [0, 2, 1]);
  if (per === 1) return tf.reshape(x, [groups, C, n]);
  return tf.reshape(tf.transpose(tf.reshape(x, [groups, per, C, P]), [0, 2, 1, 3]), [groups, C, n]);
}

/** The inverse of {@link toRows}, into `shape`. */
export function fromRows(rows: tf.Tensor, geo: Geometry, groups: number, shape: number[]) {
  const { batch: B, pixels: P, channels: C, nchw } = geo;
  const per = B / groups;
  if (C === 1) return tf.reshape(rows, shape);
  if (!nchw) return tf.reshape(tf.transpose(rows, [0, 2, 1]), shape);
  if (per === 1) return tf.reshape(rows, shape);
  return tf.reshape(tf.transpose(tf.reshape(rows, [groups, C, per, P]), [0, 2, 1, 3]), shape);
}

/** Labels of `batch * pixels` values -> [G, 1, n] float32, in the rows' pixel order. */
export function labelRows(labels: tf.Tensor, groups: number): tf.Tensor {
  return tf.reshape(tf.cast(labels, 'float32'), [groups, 1, labels.size / groups]);
}

/**
 * The rows of the channels `channels` (K of them, repeats allowed): [G, C, n] -> [G, K, n].
 * null: every channel, in order (no copy).
 */
export function pickChannels(rows: tf.Tensor, channels: readonly number[] | null): tf.Tensor {
  if (channels === null) return rows;
  return tf.gather(rows, tf.tensor1d(channels as number[], 'int32'), 1);
}

/**
 * The transpose of {@link pickChannels} for gradients: [G, K, n] -> [G, C, n], each row added
 * into its channel (tf.scatterND sums repeats, as the gradient of a repeated read must).
 */
export function putChannels(
  rowsK: tf.Tensor,
  channels: readonly number[] | null,
  numChannels: number,
): tf.Tensor {
  if (channels === null) return rowsK;
  const [G, K, n] = rowsK.shape;
  const index = tf.tensor2d(channels as number[], [K, 1], 'int32');
  const scattered = tf.scatterND(index, tf.transpose(rowsK, [1, 0, 2]), [numChannels, G, n]);
  return tf.transpose(scattered, [1, 0, 2]);
}

/**
 * The activation `fromLogits` fuses, on rows [G, C, n]: the element-wise sigmoid (one channel,
 * or independent labels), else the softmax over axis 1 (max subtracted first).
 */
export function activateRows(rows: tf.Tensor, sigmoid: boolean): tf.Tensor {
  if (sigmoid) return tf.sigmoid(rows);
  const e = tf.exp(tf.sub(rows, tf.max(rows, 1, true)));
  return tf.div(e, tf.sum(e, 1, true));
}

/**
 * d loss / d logits from d loss / d p, through {@link activateRows} (rows [G, C, n]):
 * softmax dz_k = p_k (g_k - sum_j p_j g_j); sigmoid dz = g p (1 - p).
 */
export function activateRowsBackward(p: tf.Tensor, g: tf.Tensor, sigmoid: boolean): tf.Tensor {
  if (sigmoid) return tf.mul(g, tf.mul(p, tf.sub(tf.scalar(1), p)));
  return tf.mul(p, tf.sub(g, tf.sum(tf.mul(p, g), 1, true)));
}
