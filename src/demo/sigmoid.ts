import { outputGradOp } from './cpu-op.js';

/**
 * The logistic sigmoid 1 / (1 + exp(-x)), elementwise, with a hand-written gradient
 * dx = dy * s * (1 - s), computed in plain JavaScript.
 *
 * Why not tf.sigmoid: tfjs-core registers no gradients without tfjs-layers, and on the cpu
 * backend tf.sigmoid's gradient costs about 0.1 s per step on the binary demo's logits.
 *
 * Shapes: any -> same shape. Differentiable w.r.t. x.
 * @example
 *   sigmoid(tf.tensor1d([0, Math.log(3)])) // [0.5, 0.75]
 */
export const sigmoid = outputGradOp(
  (v) => {
    const s = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) s[i] = 1 / (1 + Math.exp(-v[i]));
    return s;
  },
  (g, q, dx) => {
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * q[i] * (1 - q[i]);
  },
);
