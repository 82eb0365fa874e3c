import * as tf from '@tensorflow/tfjs-core';

/**
 * Softmax over the last axis, with a hand-written gradient, computed on the CPU in plain
 * JavaScript.
 *
 * Why not tf.softmax: on the tfjs cpu backend its broadcasting kernels make softmax and its
 * gradient cost about 0.4 s per step on the multiclass demo's [5, 200, 200, 3] outputs, more
 * than ten times this loop's cost. Gradient: dx = p * (dy - sum_c dy_c p_c).
 *
 * Shapes: x of any rank >= 1 -> same shape. Differentiable w.r.t. x.
 * @example
 *   softmax(tf.tensor2d([[0, Math.log(3)]])) // [[0.25, 0.75]]
 */
export function softmax<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const C = input.shape[input.rank - 1];
    const v = input.dataSync() as Float32Array;
    const p = new Float32Array(v.length);
    for (let i = 0; i < v.length; i += C) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (v[i + c] > max) max = v[i + c];
      let sum = 0;
      for (let c = 0; c < C; c++) {
        p[i + c] = Math.exp(v[i + c] - max);
        sum += p[i + c];
      }
      for (let c = 0; c < C; c++) p[i + c] /= sum;
    }
    const value = tf.tensor(p, input.shape, 'float32');
    save([value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy.dataSync() as Float32Array;
        const q = saved[0].dataSync() as Float32Array;
        const dx = new Float32Array(g.length);
        for (let i = 0; i < g.length; i += C) {
          let dot = 0;
          for (let c = 0; c < C; c++) dot += g[i + c] * q[i + c];
          for (let c = 0; c < C; c++) dx[i + c] = q[i + c] * (g[i + c] - dot);
        }
        return tf.tensor(dx, input.shape, 'float32');
      },
    };
  });
  return op(x) as T;
}
