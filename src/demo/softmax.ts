import { outputGradOp } from './cpu-op.js';

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
export const softmax = outputGradOp(
  (v, shape) => {
    const C = shape[shape.length - 1];
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
    return p;
  },
  (g, q, dx, shape) => {
    const C = shape[shape.length - 1];
    for (let i = 0; i < g.length; i += C) {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += g[i + c] * q[i + c];
      for (let c = 0; c < C; c++) dx[i + c] = q[i + c] * (g[i + c] - dot);
    }
  },
);
