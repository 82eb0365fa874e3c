import * as tf from '@tensorflow/tfjs-core';
import { customOp } from '../tfjs/custom-op.js';

/** The model of the multiclass demo: weights in, outputs [B, H, W, 3] out. */
export type ResidualConv = (filter: tf.Tensor4D, bias: tf.Tensor1D) => tf.Tensor4D;

/**
 * The multiclass demo's model on fixed features x: x + conv3x3(x) + bias, 3 -> 3 channels,
 * stride 1, zero 'same' padding; the same as tf.add(x, tf.add(tf.conv2d(x, filter, 1,
 * 'same'), bias)), differentiable w.r.t. filter and bias (x is data, not a parameter).
 *
 * Why not tf.conv2d: the tfjs cpu backend takes seconds per step for the filter gradient of a
 * [5, 200, 200, 3] input (the wasm backend has no such kernel), which would make the
 * 1000-step demo run for an hour; these loops, unrolled for 3 channels over zero-padded
 * features, take about 20 ms of CPU for the forward and backward passes together.
 *
 * Shapes: features [B, H, W, 3] (NHWC, as a flat Float32Array and its shape); filter
 * [3, 3, 3, 3] (as tf.conv2d: [height, width, in, out]); bias [3] -> [B, H, W, 3].
 * @example
 *   const model = residualConv3x3(features, [5, 200, 200, 3]);
 *   const outputs = model(filterVariable, biasVariable);
 */
export function residualConv3x3(
  features: Float32Array,
  shape: readonly [number, number, number, number],
): ResidualConv {
  const [B, H, W, C] = shape;
  if (C !== 3 || features.length !== B * H * W * C) {
    throw new RangeError(
      `residualConv3x3: expected 3-channel features of shape [B, H, W, 3], got ${features.length} values for [${shape.join(', ')}]`,
    );
  }
  const x = features;
  // x with a border of zeros (the 'same' padding), so the loops need no bounds checks.
  const Hp = H + 2;
  const Wp = W + 2;
  const xp = new Float32Array(B * Hp * Wp * 3);
  for (let n = 0; n < B; n++) {
    for (let h = 0; h < H; h++) {
      const row = (n * H + h) * W * 3;
      xp.set(x.subarray(row, row + W * 3), ((n * Hp + h + 1) * Wp + 1) * 3);
    }
  }
  const op = customOp((weights: tf.Tensor, bias: tf.Tensor) => {
    const w = weights.dataSync() as Float32Array;
    const b = bias.dataSync() as Float32Array;
    const out = new Float32Array(x.length);
    for (let n = 0; n < B; n++) {
      for (let h = 0; h < H; h++) {
        let o = (n * H + h) * W * 3;
        // Top-left corner of the pixel's 3 x 3 window in xp.
        let p = (n * Hp + h) * Wp * 3;
        for (let col = 0; col < W; col++, o += 3, p += 3) {
          let a0 = x[o] + b[0];
          let a1 = x[o + 1] + b[1];
          let a2 = x[o + 2] + b[2];
          for (let ty = 0; ty < 3; ty++) {
            let i = p + ty * Wp * 3;
            // Filter tap (ty, tx): a 3 x 3 block [in, out] at k.
            let k = ty * 27;
            for (let tx = 0; tx < 3; tx++, i += 3, k += 9) {
              const x0 = xp[i];
              const x1 = xp[i + 1];
              const x2 = xp[i + 2];
              a0 += x0 * w[k] + x1 * w[k + 3] + x2 * w[k + 6];
              a1 += x0 * w[k + 1] + x1 * w[k + 4] + x2 * w[k + 7];
              a2 += x0 * w[k + 2] + x1 * w[k + 5] + x2 * w[k + 8];
            }
          }
          out[o] = a0;
          out[o + 1] = a1;
          out[o + 2] = a2;
        }
      }
    }
    return {
      value: tf.tensor4d(out, [B, H, W, 3], 'float32'),
      backward: (dy) => {
        const g = dy.dataSync() as Float32Array;
        const dw = new Float32Array(81);
        // One pass per filter tap, its 3 x 3 block summed in float64 locals (each entry sums
        // B * H * W products).
        for (let t = 0; t < 9; t++) {
          const ty = Math.floor(t / 3);
          const tx = t % 3;
          let s00 = 0;
          let s01 = 0;
          let s02 = 0;
          let s10 = 0;
          let s11 = 0;
          let s12 = 0;
          let s20 = 0;
          let s21 = 0;
          let s22 = 0;
          for (let n = 0; n < B; n++) {
            for (let h = 0; h < H; h++) {
              let o = (n * H + h) * W * 3;
              let i = ((n * Hp + h + ty) * Wp + tx) * 3;
              for (let col = 0; col < W; col++, o += 3, i += 3) {
                const g0 = g[o];
                const g1 = g[o + 1];
                const g2 = g[o + 2];
                const x0 = xp[i];
                const x1 = xp[i + 1];
                const x2 = xp[i + 2];
                s00 += x0 * g0;
                s01 += x0 * g1;
                s02 += x0 * g2;
                s10 += x1 * g0;
                s11 += x1 * g1;
                s12 += x1 * g2;
                s20 += x2 * g0;
                s21 += x2 * g1;
                s22 += x2 * g2;
              }
            }
          }
          dw.set([s00, s01, s02, s10, s11, s12, s20, s21, s22], t * 9);
        }
        let db0 = 0;
        let db1 = 0;
        let db2 = 0;
        for (let o = 0; o < g.length; o += 3) {
          db0 += g[o];
          db1 += g[o + 1];
          db2 += g[o + 2];
        }
        return [tf.tensor4d(dw, [3, 3, 3, 3], 'float32'), tf.tensor1d([db0, db1, db2], 'float32')];
      },
    };
  });
  return (filter, bias) => op(filter, bias) as tf.Tensor4D;
}
