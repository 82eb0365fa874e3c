import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as core from '../../src/index.js';
import { lovaszGrad } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { bits, rng } from './helpers.js';

describeEachBackend('lovaszGrad', () => {
  it('lovaszGrad returns the core Lovász gradient rounded to float32, as a float32 [P] tensor', () => {
    const r = rng(6);
    const gt = Array.from({ length: 40 }, () => (r() < 0.4 ? 1 : 0));
    const t = tf.tensor1d(gt, 'int32');
    const before = tf.memory().numTensors;
    const d = lovaszGrad(t);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(d.shape).toEqual([40]);
    expect(d.dtype).toBe('float32');
    expect(bits(d.dataSync())).toEqual(bits(core.lovaszGrad(gt)));
    tf.dispose([t, d]);
  });

  it('lovaszGrad rejects values other than 0 and 1 (RangeError naming the value)', () => {
    const t = tf.tensor1d([1, 0, 2]);
    expect(() => lovaszGrad(t)).toThrow(RangeError);
    expect(() => lovaszGrad(t)).toThrow(/^lovaszGrad: 'gtSorted' .*2 at index 2/);
    t.dispose();
  });
});
