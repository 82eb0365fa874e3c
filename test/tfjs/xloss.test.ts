import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { xloss } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { lossContract, onlyTfjsCoreLoaded } from './contract.js';
import { bits, xlossNchwSpec, xlossNhwcSpec } from './helpers.js';

describeEachBackend('xloss', () => {
  onlyTfjsCoreLoaded();
  lossContract(xlossNhwcSpec);
  lossContract(xlossNchwSpec);

  it('xloss on NCHW logits gives the NHWC loss and the transposed NHWC gradient', () => {
    const s = xlossNhwcSpec.sample(5);
    const nhwc = tf.tensor(s.x, s.xShape);
    const nchw = tf.transpose(nhwc, [0, 3, 1, 2]);
    const y = tf.tensor(s.y, s.yShape, 'int32');
    const a = tf.valueAndGrad((t: tf.Tensor) => xloss(t, y, { ignore: 255 }))(nhwc);
    const b = tf.valueAndGrad((t: tf.Tensor) => xloss(t, y, { layout: 'NCHW', ignore: 255 }))(nchw);
    const back = tf.transpose(b.grad, [0, 2, 3, 1]);
    expect(bits(b.value.dataSync())).toEqual(bits(a.value.dataSync()));
    expect(bits(back.dataSync())).toEqual(bits(a.grad.dataSync()));
    tf.dispose([nhwc, nchw, y, a.value, a.grad, b.value, b.grad, back]);
  });

  it('xloss with ignore 255 gives the pixels labelled 255 a zero gradient', () => {
    const x = tf.tensor([
      [
        [
          [2, 0, -1],
          [0.5, 0.5, 3],
        ],
      ],
    ]);
    const y = tf.tensor([[[1, 255]]], undefined, 'int32');
    const g = tf.grad((t: tf.Tensor) => xloss(t, y, { ignore: 255 }))(x);
    const values = Array.from(g.dataSync());
    expect(values.slice(3)).toEqual([0, 0, 0]);
    expect(values.slice(0, 3).every((v) => v !== 0)).toBe(true);
    tf.dispose([x, y, g]);
  });

  it('xloss with ignore null (the default) rejects the label 255 (out of [0, C)), with the fix', () => {
    const y0 = tf.tensor([[[0, 255, 1]]], [1, 1, 3], 'int32');
    const x0 = tf.zeros([1, 1, 3, 3]);
    expect(() => xloss(x0, y0)).toThrow(/^xloss: 'labels' .*\[0, 3\).*255.*pass ignore: 255\)$/);
    tf.dispose([x0, y0]);
  });

  it('xloss with an explicit ignore null rejects the label 255', () => {
    const x = tf.zeros([1, 1, 1, 3]);
    const y = tf.tensor([[[255]]], undefined, 'int32');
    expect(() => xloss(x, y, { ignore: null })).toThrow(RangeError);
    expect(() => xloss(x, y, { ignore: null })).toThrow(/^xloss: 'labels' .*\[0, 3\).*255/);
    tf.dispose([x, y]);
  });
});
