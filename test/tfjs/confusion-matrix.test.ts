import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConfusionMatrix } from '../../src/index.js';
import { TensorConfusionMatrix } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { expectRejected, rng, snapshot } from './helpers.js';

const SHAPE = [3, 4, 5];
const N = 60;
const C = 4;

/** Predictions and labels in [0, C), about one label in eight void (255). */
function masks(seed: number, classes: number) {
  const r = rng(seed);
  const preds = Int32Array.from({ length: N }, () => Math.floor(r() * classes));
  const labels = Int32Array.from({ length: N }, () =>
    r() < 0.125 ? 255 : Math.floor(r() * classes),
  );
  return { preds, labels };
}

function state(cm: ConfusionMatrix) {
  return {
    matrix: Array.from(cm.matrix()),
    count: cm.count(),
    iou: cm.iou(),
    meanIoU: cm.meanIoU(),
    pixelAccuracy: cm.pixelAccuracy(),
    fwIoU: cm.frequencyWeightedIoU(),
    perImage: cm.perImageMeanIoU(),
    images: cm.imageCount(),
  };
}

describeEachBackend('TensorConfusionMatrix', () => {
  it('TensorConfusionMatrix.update on tensors equals ConfusionMatrix.update on the same arrays', () => {
    const options = { ignore: 255, perImage: true, empty: 0.5 };
    const t = new TensorConfusionMatrix(C, options);
    const core = new ConfusionMatrix(C, options);
    for (const seed of [1, 2, 3]) {
      const { preds, labels } = masks(seed, C);
      const p = tf.tensor(preds, SHAPE, 'int32');
      const y = tf.tensor(labels, SHAPE, 'int32');
      t.update(p, y);
      core.update(preds, labels, SHAPE);
      tf.dispose([p, y]);
    }
    expect(state(t)).toEqual(state(core));
    expect(t.count()).toBeGreaterThan(0);
    expect(t).toBeInstanceOf(ConfusionMatrix);
  });

  it('TensorConfusionMatrix.update accepts tf.argMax output, float32 labels and bool masks', () => {
    const r = rng(4);
    const probas = tf.tensor(
      Float32Array.from({ length: N * C }, () => r()),
      [...SHAPE, C],
    );
    const { labels } = masks(4, C);
    const p = tf.argMax(probas, -1);
    expect(p.dtype).toBe('int32');
    const yf = tf.tensor(labels, SHAPE, 'float32');
    const t = new TensorConfusionMatrix(C, { ignore: 255 }).update(p, yf);
    const core = new ConfusionMatrix(C, { ignore: 255 }).update(snapshot(p), labels, SHAPE);
    expect(Array.from(t.matrix())).toEqual(Array.from(core.matrix()));
    expect(t.iou()).toEqual(core.iou());

    const logits = tf.tensor(
      Float32Array.from({ length: N }, () => r() * 4 - 2),
      SHAPE,
    );
    const b = tf.greater(logits, 0);
    expect(b.dtype).toBe('bool');
    const yb = tf.tensor(
      Int32Array.from({ length: N }, () => (r() < 0.5 ? 1 : 0)),
      SHAPE,
      'int32',
    );
    const tb = new TensorConfusionMatrix(2).update(b, yb);
    const cb = new ConfusionMatrix(2).update(snapshot(b), snapshot(yb), SHAPE);
    expect(Array.from(tb.matrix())).toEqual(Array.from(cb.matrix()));
    expect(tb.frequencyWeightedIoU()).toBe(cb.frequencyWeightedIoU());
    tf.dispose([probas, p, yf, logits, b, yb]);
  });

  it('TensorConfusionMatrix.update also takes plain arrays, as the core does', () => {
    const { preds, labels } = masks(5, C);
    const t = new TensorConfusionMatrix(C, { ignore: 255, perImage: true });
    const core = new ConfusionMatrix(C, { ignore: 255, perImage: true });
    expect(t.update(preds, labels, SHAPE)).toBe(t);
    core.update(preds, labels, SHAPE);
    expect(state(t)).toEqual(state(core));
  });

  it('TensorConfusionMatrix.update creates no tensor and never mutates its inputs', () => {
    const { preds, labels } = masks(6, C);
    const p = tf.tensor(preds, SHAPE, 'int32');
    const y = tf.tensor(labels, SHAPE, 'int32');
    const p0 = snapshot(p);
    const y0 = snapshot(y);
    const before = tf.memory().numTensors;
    const cm = new TensorConfusionMatrix(C, { ignore: 255, perImage: true });
    cm.update(p, y).update(p, y);
    state(cm);
    expect(tf.memory().numTensors).toBe(before);
    expect(snapshot(p)).toEqual(p0);
    expect(snapshot(y)).toEqual(y0);
    tf.dispose([p, y]);
  });

  it('TensorConfusionMatrix.update rejects bad tensors, names itself and leaves the matrix unchanged', () => {
    const { preds, labels } = masks(7, C);
    const p = tf.tensor(preds, SHAPE, 'int32');
    const y = tf.tensor(labels, SHAPE, 'int32');
    const cm = new TensorConfusionMatrix(C, { ignore: 255 }).update(p, y);
    const before = Array.from(cm.matrix());
    const flat = tf.tensor(preds, [N], 'int32');
    const other = tf.tensor(labels.slice(0, 40), [2, 4, 5], 'int32');
    const frac = tf.tensor(new Float32Array(N).fill(0.5), SHAPE);
    const disposed = tf.zeros(SHAPE, 'int32');
    disposed.dispose();
    const name = 'TensorConfusionMatrix.update';
    expectRejected(() => cm.update(flat, flat), RangeError, [
      `${name}: 'preds' must be [B, ...spatial] (rank >= 2), got shape [60] (rank 1)`,
    ]);
    expectRejected(() => cm.update(p, other), RangeError, [
      `${name}: 'labels' must have shape [3, 4, 5] or [3, 4, 5, 1] (the shape of 'preds'), got [2, 4, 5]`,
    ]);
    expectRejected(() => cm.update(frac, y), RangeError, [
      `${name}: 'preds' must be an integer in [0, 4) or the ignore label 255, got 0.5 at index 0`,
    ]);
    expectRejected(() => cm.update(p, labels), TypeError, [
      `${name}: 'labels' must be a tf.Tensor, got Int32Array`,
    ]);
    expectRejected(() => cm.update(disposed, y), TypeError, [
      `${name}: 'preds' is a disposed tf.Tensor`,
    ]);
    expectRejected(() => cm.update(p, y, SHAPE), TypeError, [
      `${name}: 'shape' must be left out with tensors (it is read from 'preds'), got [3, 4, 5]`,
    ]);
    expectRejected(() => cm.update(preds, labels.slice(1)), RangeError, [
      `${name}: 'labels' has 59 values but 'preds' has 60`,
    ]);
    expectRejected(() => new TensorConfusionMatrix(0), RangeError, [
      "TensorConfusionMatrix: 'numClasses' must be an integer >= 1, got 0",
    ]);
    expect(Array.from(cm.matrix())).toEqual(before);
    tf.dispose([p, y, flat, other, frac]);
  });
});
