// examples/shapes-finetune/fast-conv-grad.mjs replaces the cpu backend's Conv2DBackpropFilter:
// its filter gradients must equal the stock kernel's (to float32 rounding: the order of the
// additions differs) on every shape, stride and padding the layers can ask for, and the stock
// kernel must come back when asked.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const modulePath = '../../examples/shapes-finetune/fast-conv-grad.mjs';
let restore: () => void = () => {};
let register: () => () => void;

beforeAll(async () => {
  await tf.setBackend('cpu');
  ({ registerFastConvGrad: register } = await import(/* @vite-ignore */ modulePath));
});
afterAll(() => restore());

/** The filter gradient of sum(conv2d(x, w) * dy), with whatever kernel is registered. */
function filterGrad(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  dy: tf.Tensor4D,
  stride: number,
  pad: 'same' | 'valid',
) {
  return tf.tidy(() => {
    const g = tf.grad((f: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, stride, pad), dy)),
    );
    return Array.from(g(w).dataSync());
  });
}

describe('registerFastConvGrad', () => {
  it('gives the stock filter gradient on random shapes, strides and paddings', () => {
    fc.assert(
      fc.property(
        fc.record({
          b: fc.integer({ min: 1, max: 3 }),
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          cin: fc.integer({ min: 1, max: 4 }),
          cout: fc.integer({ min: 1, max: 4 }),
          k: fc.constantFrom(1, 2, 3, 5),
          stride: fc.constantFrom(1, 2, 3),
          pad: fc.constantFrom('same' as const, 'valid' as const),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        ({ b, h, w, cin, cout, k, stride, pad, seed }) => {
          fc.pre(pad === 'same' || (k <= h && k <= w));
          const x = tf.randomNormal([b, h, w, cin], 0, 1, 'float32', seed) as tf.Tensor4D;
          const f = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
          const outShape = tf.tidy(() => tf.conv2d(x, f, stride, pad).shape);
          const dy = tf.randomNormal(outShape, 0, 1, 'float32', seed + 2) as tf.Tensor4D;
          const stock = filterGrad(x, f, dy, stride, pad);
          restore = register();
          const fast = filterGrad(x, f, dy, stride, pad);
          restore();
          restore = () => {};
          expect(fast).toHaveLength(stock.length);
          fast.forEach((v, i) => {
            const tol = 1e-5 * Math.max(1, Math.abs(stock[i]));
            expect(Math.abs(v - stock[i])).toBeLessThanOrEqual(tol);
          });
          tf.dispose([x, f, dy]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is deterministic and puts the stock kernel back', () => {
    const stock = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    restore = register();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).not.toBe(stock);
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    const a = filterGrad(x, f, dy, 2, 'same');
    const b = filterGrad(x, f, dy, 2, 'same');
    expect(new Float32Array(a)).toEqual(new Float32Array(b));
    restore();
    restore = () => {};
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).toBe(stock?.kernelFunc);
    tf.dispose([x, f, dy]);
  });
});
