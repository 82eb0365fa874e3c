import * as tf from '@tensorflow/tfjs-core';

// The webgl TopK kernel hands the sort to the CPU (a download of the whole input) whenever the
// last axis is shorter than the first flag or k exceeds the second: with k = n that is always.
// Its GPU bitonic sort handles k = n and orders ties by index, like the core, so these flags are
// lifted for the duration of our own sort.
const WEBGL_TOPK_FLAGS: readonly [string, number][] = [
  ['TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD', 0],
  ['TOPK_K_CPU_HANDOFF_THRESHOLD', Number.MAX_SAFE_INTEGER],
];

/**
 * Sorts every row (the last axis) of `keys` decreasingly with tf.topk(keys, n, sorted).
 *
 * Shapes: keys [..., n] float32 -> values [..., n] and indices [..., n] (int32, the position
 * in the row each value came from). Ties keep increasing index order on cpu, wasm and webgl.
 */
export function sortDescending(keys: tf.Tensor): { values: tf.Tensor; indices: tf.Tensor } {
  const n = keys.shape[keys.rank - 1];
  if (tf.getBackend() !== 'webgl') return tf.topk(keys, n, true);
  const env = tf.env();
  const saved = WEBGL_TOPK_FLAGS.map(([name]) => env.getNumber(name));
  try {
    for (const [name, value] of WEBGL_TOPK_FLAGS) env.set(name, value);
    return tf.topk(keys, n, true);
  } finally {
    WEBGL_TOPK_FLAGS.forEach(([name], i) => {
      env.set(name, saved[i]);
    });
  }
}

/**
 * The flat position of every sorted entry in its [G, ..., n] tensor: row r's index i becomes
 * r * n + i. Used both to read per-pixel values in sorted order (tf.gather, forward only) and to
 * put per-rank values back in pixel order (tf.scatterND).
 *
 * Shapes: indices [..., n] int32 -> [N] int32, N = its size.
 */
export function flatPositions(indices: tf.Tensor): tf.Tensor1D {
  const n = indices.shape[indices.rank - 1];
  const rows = indices.size / n;
  const start = tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(n, 'int32'));
  return tf.reshape(tf.add(tf.reshape(indices, [rows, n]), tf.reshape(start, [rows, 1])), [-1]);
}

/** Values in sorted order: out[j] = values[flat[j]] (a forward-only gather). */
export function inSortedOrder(values: tf.Tensor, flat: tf.Tensor1D): tf.Tensor {
  return tf.reshape(tf.gather(tf.reshape(values, [-1]), flat), values.shape);
}

/**
 * Undoes the sort: out[flat[j]] = sorted[j]. flat is a permutation, so scatterND's summing of
 * duplicate indices never applies.
 */
export function inPixelOrder(sorted: tf.Tensor, flat: tf.Tensor1D): tf.Tensor {
  const n = flat.size;
  return tf.reshape(
    tf.scatterND(tf.reshape(flat, [n, 1]), tf.reshape(sorted, [n]), [n]),
    sorted.shape,
  );
}
