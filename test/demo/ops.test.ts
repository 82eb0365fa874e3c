import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients; tfjs-layers does. Only the references below need them.
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { biasModel } from '../../src/demo/bias-model.js';
import { Random } from '../../src/demo/random.js';
import { residualConv3x3 } from '../../src/demo/residual-conv.js';
import { sigmoid } from '../../src/demo/sigmoid.js';
import { softmax } from '../../src/demo/softmax.js';

const randoms = (rng: Random, n: number, std = 1) =>
  Float32Array.from({ length: n }, () => rng.normal(0, std));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('residualConv3x3', () => {
  const rng = new Random(11);
  const shape = [2, 5, 7, 3] as const;
  const features = randoms(rng, 2 * 5 * 7 * 3);
  const x = tf.tensor4d(features, [...shape]);
  const filter = tf.tensor4d(randoms(rng, 81, 0.3), [3, 3, 3, 3]);
  const bias = tf.tensor1d(randoms(rng, 3));
  // The same model with tfjs ops; a weighted sum of the outputs makes every gradient differ.
  const weights = tf.tensor4d(randoms(rng, 2 * 5 * 7 * 3), [...shape]);
  const reference = (w: tf.Tensor4D, b: tf.Tensor1D) =>
    tf.add(x, tf.add(tf.conv2d(x, w, 1, 'same'), b)) as tf.Tensor4D;
  const model = residualConv3x3(features, shape);

  it('computes x + conv2d(x, filter, 1, "same") + bias', () => {
    expect(maxAbsDiff(model(filter, bias), reference(filter, bias))).toBeLessThan(1e-5);
  });

  it('has the gradient of tf.conv2d w.r.t. the filter and the bias', () => {
    const loss = (f: typeof model) => (w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(w as tf.Tensor4D, b as tf.Tensor1D), weights));
    const [dw, db] = tf.grads(loss(model))([filter, bias]);
    const [rw, rb] = tf.grads(loss(reference))([filter, bias]);
    expect(maxAbsDiff(dw, rw)).toBeLessThan(1e-4);
    expect(maxAbsDiff(db, rb)).toBeLessThan(1e-4);
  });

  it('rejects features that are not 3-channel NHWC of the given shape', () => {
    expect(() => residualConv3x3(new Float32Array(10), [1, 2, 5, 1])).toThrow(/3-channel/);
    expect(() => residualConv3x3(new Float32Array(10), [1, 2, 2, 3])).toThrow(RangeError);
  });
});

describe('softmax', () => {
  const rng = new Random(12);
  const x = tf.tensor3d(randoms(rng, 4 * 5 * 3, 3), [4, 5, 3]);
  const w = tf.tensor3d(randoms(rng, 4 * 5 * 3), [4, 5, 3]);

  it('equals tf.softmax over the last axis', () => {
    expect(maxAbsDiff(softmax(x), tf.softmax(x))).toBeLessThan(1e-6);
  });

  it("has tf.softmax's gradient", () => {
    const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(softmax(z), w)))(x);
    const r = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.softmax(z), w)))(x);
    expect(maxAbsDiff(g, r)).toBeLessThan(1e-6);
  });
});

describe('sigmoid', () => {
  const rng = new Random(13);
  const x = tf.tensor2d(randoms(rng, 30, 4), [5, 6]);
  const w = tf.tensor2d(randoms(rng, 30), [5, 6]);

  it('equals tf.sigmoid and has its gradient', () => {
    expect(maxAbsDiff(sigmoid(x), tf.sigmoid(x))).toBeLessThan(1e-6);
    const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(sigmoid(z), w)))(x);
    const r = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(z), w)))(x);
    expect(maxAbsDiff(g, r)).toBeLessThan(1e-6);
  });
});

describe('biasModel', () => {
  const rng = new Random(14);
  const features = randoms(rng, 24);
  const w = tf.tensor3d(randoms(rng, 24), [2, 3, 4]);
  const model = biasModel(features, [2, 3, 4]);

  it('adds the scalar b to every feature, with d/db the sum of the upstream gradient', () => {
    const b = tf.scalar(0.75);
    const reference = tf.add(tf.tensor3d(features, [2, 3, 4]), b);
    expect(maxAbsDiff(model(b), reference)).toBeLessThan(1e-6);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(model(v as tf.Scalar), w)))(b);
    expect(g.dataSync()[0]).toBeCloseTo(tf.sum(w).dataSync()[0], 5);
  });
});
