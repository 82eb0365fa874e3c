import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as core from '../../src/index.js';
import { binaryXloss } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { lossContract, onlyTfjsCoreLoaded } from './contract.js';
import { binaryXlossSpec, bits } from './helpers.js';

describeEachBackend('binaryXloss', () => {
  onlyTfjsCoreLoaded();
  lossContract(binaryXlossSpec);

  it('binaryXloss takes logits of any shape (rank 1 and rank 4) with labels of the same shape', () => {
    const values = [2, -1, 0.5, -3, 0, 4];
    const labels = [1, 0, 0, 1, 1, 0];
    const e = core.binaryXloss(values, labels);
    for (const shape of [[6], [1, 2, 3, 1]]) {
      const x = tf.tensor(values, shape);
      const y = tf.tensor(labels, shape, 'int32');
      const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => binaryXloss(t, y))(x);
      expect(grad.shape).toEqual(shape);
      expect(bits(value.dataSync())).toEqual(bits([e.loss]));
      expect(bits(grad.dataSync())).toEqual(bits(e.grad));
      tf.dispose([x, y, value, grad]);
    }
  });

  it('binaryXloss stays finite for large logits', () => {
    const x = tf.tensor([[[80, -80, 1e30, -1e30]]]);
    const y = tf.tensor([[[0, 1, 0, 1]]], undefined, 'int32');
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => binaryXloss(t, y))(x);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, value, grad]);
  });
});
