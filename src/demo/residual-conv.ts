import * as tf from '@tensorflow/tfjs-core';

/** The model of the multiclass demo: weights in, outputs [B, H, W, 3] out. */
export type ResidualConv = (filter: tf.Tensor4D, bias: tf.Tensor1D) => tf.Tensor4D;

/**
 * The multiclass demo's model on fixed features x: x + conv3x3(x) + bias, 3 -> 3 channels,
 * stride 1, zero 'same' padding; the same as tf.add(x, tf.add(tf.conv2d(x, filter, 1,
 * 'same'), bias)), differentiable w.r.t. filter and bias (x is data, not a parameter).
 *
 * Why not tf.conv2d: the tfjs cpu backend takes seconds per step for the filter gradient of a
 * [5, 200, 200, 3] input (the wasm backend has no such kernel), which would make the
 * 1000-step demo run for an hour; these loops, unrolled for 3 channels, take about 25 ms for
 * the forward and backward passes together.
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
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const w = (args[0] as tf.Tensor4D).dataSync() as Float32Array;
    const b = (args[1] as tf.Tensor1D).dataSync() as Float32Array;
    const out = new Float32Array(x.length);
    for (let n = 0; n < B; n++) {
      for (let h = 0; h < H; h++) {
        for (let col = 0; col < W; col++) {
          const o = ((n * H + h) * W + col) * 3;
          let a0 = x[o] + b[0];
          let a1 = x[o + 1] + b[1];
          let a2 = x[o + 2] + b[2];
          for (let dy = -1; dy <= 1; dy++) {
            if (h + dy < 0 || h + dy >= H) continue;
            for (let dx = -1; dx <= 1; dx++) {
              if (col + dx < 0 || col + dx >= W) continue;
              const i = o + (dy * W + dx) * 3;
              // Filter tap (dy, dx): a 3 x 3 block [in, out] at k.
              const k = ((dy + 1) * 3 + dx + 1) * 9;
              const x0 = x[i];
              const x1 = x[i + 1];
              const x2 = x[i + 2];
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
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        // Accumulated in float64: each entry sums up to B * H * W products.
        const dw = new Float64Array(81);
        const db = new Float64Array(3);
        for (let n = 0; n < B; n++) {
          for (let h = 0; h < H; h++) {
            for (let col = 0; col < W; col++) {
              const o = ((n * H + h) * W + col) * 3;
              const g0 = g[o];
              const g1 = g[o + 1];
              const g2 = g[o + 2];
              db[0] += g0;
              db[1] += g1;
              db[2] += g2;
              for (let ty = -1; ty <= 1; ty++) {
                if (h + ty < 0 || h + ty >= H) continue;
                for (let tx = -1; tx <= 1; tx++) {
                  if (col + tx < 0 || col + tx >= W) continue;
                  const i = o + (ty * W + tx) * 3;
                  const k = ((ty + 1) * 3 + tx + 1) * 9;
                  const x0 = x[i];
                  const x1 = x[i + 1];
                  const x2 = x[i + 2];
                  dw[k] += x0 * g0;
                  dw[k + 1] += x0 * g1;
                  dw[k + 2] += x0 * g2;
                  dw[k + 3] += x1 * g0;
                  dw[k + 4] += x1 * g1;
                  dw[k + 5] += x1 * g2;
                  dw[k + 6] += x2 * g0;
                  dw[k + 7] += x2 * g1;
                  dw[k + 8] += x2 * g2;
                }
              }
            }
          }
        }
        return [
          tf.tensor4d(Float32Array.from(dw), [3, 3, 3, 3], 'float32'),
          tf.tensor1d(Float32Array.from(db), 'float32'),
        ];
      },
    };
  });
  return (filter, bias) => op(filter, bias) as tf.Tensor4D;
}
