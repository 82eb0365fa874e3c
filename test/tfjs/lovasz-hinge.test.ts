import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as core from '../../src/index.js';
import { lovaszHinge } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { lossContract, onlyTfjsCoreLoaded } from './contract.js';
import { bits, hingeSpec } from './helpers.js';

describeEachBackend('lovaszHinge', () => {
  onlyTfjsCoreLoaded();
  lossContract(hingeSpec);

  it('lovaszHinge passes perImage through: one loss over the batch equals the core with perImage false', () => {
    const s = hingeSpec.sample(2);
    const x = tf.tensor(s.x, s.xShape);
    const y = tf.tensor(s.y, s.yShape, 'int32');
    const opts = { perImage: false, ignore: 255 };
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => lovaszHinge(t, y, opts))(x);
    const e = core.lovaszHinge(s.x, s.y, s.xShape, opts);
    expect(bits(value.dataSync())).toEqual(bits([e.loss]));
    expect(bits(grad.dataSync())).toEqual(bits(e.grad));
    // perImage changes the result on this sample, so the option really reaches the core.
    expect(e.loss).not.toBe(core.lovaszHinge(s.x, s.y, s.xShape, { ignore: 255 }).loss);
    tf.dispose([x, y, value, grad]);
  });

  it('lovaszHinge gives no gradient to ignored pixels and to pixels with a margin of at least 1', () => {
    // Errors e = 1 - s * logit: pixel 1 (label 1, logit 3) and pixel 2 (label 0, logit -1.5)
    // have e <= 0; pixel 3 is ignored.
    const x = tf.tensor([[[0.5, 3, -1.5, 2]]]);
    const y = tf.tensor([[[1, 1, 0, 255]]], undefined, 'int32');
    const g = tf.grad((t: tf.Tensor) => lovaszHinge(t, y, { ignore: 255 }))(x);
    const values = g.dataSync();
    expect(values[0]).toBeLessThan(0);
    expect(Array.from(values.slice(1))).toEqual([0, 0, 0]);
    tf.dispose([x, y, g]);
  });

  it('lovaszHinge of an image with every pixel ignored is 0 with a zero gradient', () => {
    const x = tf.tensor([[[0.5, -2]]]);
    const y = tf.tensor([[[255, 255]]], undefined, 'int32');
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => lovaszHinge(t, y, { ignore: 255 }))(
      x,
    );
    expect(value.dataSync()[0]).toBe(0);
    expect(Array.from(grad.dataSync())).toEqual([0, 0]);
    tf.dispose([x, y, value, grad]);
  });

  it('lovaszHinge of an empty batch ([0, 2, 2]) is 0 with an empty gradient of the same shape', () => {
    const x = tf.zeros([0, 2, 2]);
    const y = tf.zeros([0, 2, 2], 'int32');
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => lovaszHinge(t, y))(x);
    expect(value.dataSync()[0]).toBe(0);
    expect(grad.shape).toEqual([0, 2, 2]);
    tf.dispose([x, y, value, grad]);
  });

  it("lovaszHinge passes kernel through: 'js' and 'wasm' give the same bits", () => {
    const s = hingeSpec.sample(3);
    const x = tf.tensor(s.x, s.xShape);
    const y = tf.tensor(s.y, s.yShape, 'int32');
    const run = (kernel: 'js' | 'wasm') =>
      tf.valueAndGrad((t: tf.Tensor) => lovaszHinge(t, y, { ignore: 255, kernel, path: 'core' }))(
        x,
      );
    const js = run('js');
    const wasm = run('wasm');
    expect(bits(wasm.value.dataSync())).toEqual(bits(js.value.dataSync()));
    expect(bits(wasm.grad.dataSync())).toEqual(bits(js.grad.dataSync()));
    const e = core.lovaszHinge(s.x, s.y, s.xShape, { ignore: 255, kernel: 'js' });
    expect(bits(js.grad.dataSync())).toEqual(bits(e.grad));
    tf.dispose([x, y, js.value, js.grad, wasm.value, wasm.grad]);
  });

  it("lovaszHinge with path 'tensor' rejects a kernel, which only the core path has", () => {
    const x = tf.tensor([[[0.5, -2]]]);
    const y = tf.tensor([[[1, 0]]], undefined, 'int32');
    expect(() => lovaszHinge(x, y, { path: 'tensor', kernel: 'js' })).toThrow(
      /^lovaszHinge: path 'tensor' does not support kernel 'js'; use path 'core' or 'auto'$/,
    );
    expect(() => lovaszHinge(x, y, { path: 'tensor', kernel: 'gpu' as never })).toThrow(
      /^lovaszHinge: 'kernel' must be 'auto', 'wasm' or 'js', got 'gpu'$/,
    );
    tf.dispose([x, y]);
  });
});
