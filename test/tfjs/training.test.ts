/**
 * Short training loops with only tfjs-core loaded: adam on a small tensor of logits must drive
 * each loss down. Probabilities come from the logits through customGrad activations (the
 * Softmax and Sigmoid kernels have no registered gradient here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeEachBackend } from './backends.js';
import { onlyTfjsCoreLoaded } from './contract.js';
import { ALL_SPECS, softmaxOp } from './helpers.js';

const STEPS = 30;

describeEachBackend('training with lovasz/tfjs', () => {
  onlyTfjsCoreLoaded();

  for (const spec of ALL_SPECS) {
    it(`${spec.title} decreases over ${STEPS} adam steps on a tf.variable of logits`, () => {
      const s = spec.sample(21);
      const init = spec.logits ? spec.logits(21) : s.x;
      // Small initial logits: far from the labels, so that there is a loss to remove.
      const v = tf.variable(tf.tidy(() => tf.mul(tf.tensor(init, s.xShape), 0.1)));
      const y = tf.tensor(s.y, s.yShape, 'int32');
      const f = () => spec.loss(spec.activation ? spec.activation(v) : v, y);
      const opt = tf.train.adam(0.1);
      const losses: number[] = [];
      for (let i = 0; i < STEPS; i++) {
        const cost = opt.minimize(f, true)!;
        losses.push(cost.dataSync()[0]);
        cost.dispose();
      }
      const last = tf.tidy(() => f().dataSync()[0]);
      expect(losses[0]).toBeGreaterThan(0);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(last).toBeLessThan(losses[0]);
      // A real decrease, not float noise: at least a quarter of the initial loss is gone.
      expect(last).toBeLessThan(0.75 * losses[0]);
      opt.dispose();
      tf.dispose([v, y]);
    });
  }

  it('the customGrad softmax used for training matches tf.softmax and has the analytic gradient', () => {
    // Guards the helper the probability losses train through: its value is tf.softmax, and
    // for a loss sum(w * p) its gradient is p * (w - sum(w * p)).
    const x = tf.tensor([[0.5, -1, 2]]);
    const w = tf.tensor([[1, 0, -1]]);
    const p = softmaxOp(1)(x);
    const ref = tf.softmax(x);
    expect(Array.from(p.dataSync())).toEqual(Array.from(ref.dataSync()));
    const g = tf.grad((t: tf.Tensor) => softmaxOp(1)(t))(x, w);
    const pv = Array.from(ref.dataSync());
    const dot = pv[0] * 1 + pv[2] * -1;
    const expected = pv.map((q, i) => q * ([1, 0, -1][i] - dot));
    Array.from(g.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 6);
    });
    tf.dispose([x, w, p, ref, g]);
  });
});
