import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { kerasBinaryIoU, kerasMeanIoU } from '../../src/layers/index.js';
import { expectThrows } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * The plain definition: per class, intersection and union of the two label lists over valid
 * pixels (label >= 0); the mean of I / U over classes with U > 0, in percent; 0 without any.
 */
function referenceMeanIoU(preds: number[], labels: number[], C: number): number {
  const ious: number[] = [];
  for (let c = 0; c < C; c++) {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] < 0) continue;
      const isLabel = labels[i] === c;
      const isPred = preds[i] === c;
      if (isLabel && isPred) inter++;
      if (isLabel || isPred) union++;
    }
    if (union > 0) ious.push(inter / union);
  }
  return ious.length === 0 ? 0 : (100 * ious.reduce((a, b) => a + b, 0)) / ious.length;
}

/** One-hot rows of labels (-1: an all-zero, void row) and scores whose argmax is `preds`. */
function tensors(preds: number[], labels: number[], C: number, shape: number[]) {
  const yTrue = new Float32Array(labels.length * C);
  const yPred = new Float32Array(labels.length * C);
  labels.forEach((y, i) => {
    if (y >= 0) yTrue[i * C + y] = 1;
    for (let c = 0; c < C; c++) yPred[i * C + c] = c === preds[i] ? 0.6 : 0.4 / C;
  });
  return { yTrue: tf.tensor(yTrue, [...shape, C]), yPred: tf.tensor(yPred, [...shape, C]) };
}

describe('kerasMeanIoU', () => {
  it('equals the plain per-batch mean IoU, void rows ignored, absent classes left out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 1e6 }),
        (C, P, seed) => {
          let s = seed;
          const next = () => {
            s = (s * 1103515245 + 12345) % 2147483648;
            return s / 2147483648;
          };
          const labels = Array.from({ length: P }, () => Math.floor(next() * (C + 1)) - 1);
          const preds = Array.from({ length: P }, () => Math.floor(next() * C));
          const { yTrue, yPred } = tensors(preds, labels, C, [1, P]);
          const value = kerasMeanIoU(C)(yTrue, yPred);
          expect(value.dataSync()[0]).toBeCloseTo(referenceMeanIoU(preds, labels, C), 4);
          tf.dispose([yTrue, yPred, value]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('takes [B, H, W, C] and any spatial rank; a batch without valid pixels scores 0', () => {
    const { yTrue, yPred } = tensors([0, 1, 1, 2], [0, 1, 2, 2], 3, [1, 2, 2]);
    const v = kerasMeanIoU(3)(yTrue, yPred);
    // class 0: 1/1, class 1: 1/2, class 2: 1/2 -> 66.67
    expect(v.dataSync()[0]).toBeCloseTo(200 / 3, 4);
    const empty = tensors([0, 1], [-1, -1], 2, [2]);
    expect(kerasMeanIoU(2)(empty.yTrue, empty.yPred).dataSync()[0]).toBe(0);
  });

  it("is named 'mIoU' (its logs key) unless told otherwise, and appears in fit's history", async () => {
    expect(kerasMeanIoU(3).name).toBe('mIoU');
    expect(kerasMeanIoU(3, { name: 'batch_mIoU' }).name).toBe('batch_mIoU');
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4, 2], units: 3, activation: 'softmax' })],
    });
    model.compile({
      optimizer: 'sgd',
      loss: 'categoricalCrossentropy',
      metrics: [kerasMeanIoU(3)],
    });
    const x = tf.randomNormal([4, 4, 2], 0, 1, 'float32', 3);
    const y = tf.oneHot(
      tf.tensor2d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], [4, 4], 'int32'),
      3,
    );
    const history = await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0 });
    expect(history.history.mIoU).toHaveLength(2);
    for (const v of history.history.mIoU) expect(v).toBeGreaterThanOrEqual(0);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects bad numClasses, options, shapes, non-one-hot targets and NaN predictions', () => {
    expectThrows(() => kerasMeanIoU(0), RangeError, ['kerasMeanIoU', "'numClasses'", '0']);
    expectThrows(() => kerasMeanIoU(2.5), RangeError, ["'numClasses'"]);
    expectThrows(() => kerasMeanIoU(3, { nmae: 'x' } as never), Error, ['kerasMeanIoU', 'nmae']);
    expectThrows(() => kerasMeanIoU(3, { name: '' }), TypeError, ["'name'"]);
    const metric = kerasMeanIoU(3);
    const four = tf.zeros([1, 2, 2, 4]);
    expectThrows(() => metric(four, four), RangeError, ["'yPred'", '3 channels', '[1, 2, 2, 4]']);
    const yPred = tf.zeros([1, 2, 2, 3]);
    const small = tf.zeros([1, 2, 1, 3]);
    expectThrows(() => metric(small, yPred), RangeError, [
      "'yTrue'",
      '[1, 2, 2, 3]',
      '[1, 2, 1, 3]',
    ]);
    const twos = tf.fill([1, 2, 2, 3], 2);
    expectThrows(() => metric(twos, yPred), RangeError, ['one-hot', '[2, 2, 2]', 'pixel 0']);
    const nan = tf.fill([1, 2, 2, 3], Number.NaN);
    expectThrows(() => metric(tf.oneHot(tf.zeros([1, 2, 2], 'int32'), 3), nan), RangeError, [
      "'yPred'",
      'NaN',
    ]);
    expectThrows(() => metric([1] as never, yPred), TypeError, ["'yTrue'", 'tf.Tensor']);
    tf.dispose([four, yPred, small, twos, nan]);
  });
});

describe('kerasBinaryIoU', () => {
  it('is the foreground IoU of the batch at threshold 0.5 (0 with fromLogits)', () => {
    const yTrue = tf.tensor([1, 1, 0, 0, 1], [1, 5, 1]);
    const probs = tf.tensor([0.9, 0.4, 0.6, 0.1, 0.5], [1, 5, 1]);
    // predicted fg: 0, 2 (0.5 is not > 0.5); I = 1, U = #{0, 1, 2, 4} = 4
    expect(kerasBinaryIoU()(yTrue, probs).dataSync()[0]).toBeCloseTo(25, 5);
    const logits = tf.tensor([2, -1, 0.5, -3, 0], [1, 5, 1]);
    expect(kerasBinaryIoU({ fromLogits: true })(yTrue, logits).dataSync()[0]).toBeCloseTo(25, 5);
    const none = tf.zeros([1, 5, 1]);
    expect(kerasBinaryIoU()(none, none).dataSync()[0]).toBe(100);
    expect(kerasBinaryIoU().name).toBe('binaryIoU');
    tf.dispose([yTrue, probs, logits, none]);
  });

  it('rejects more than one channel, other shapes, labels other than 0 and 1, bad options', () => {
    const metric = kerasBinaryIoU();
    const two = tf.zeros([1, 3, 2]);
    expectThrows(() => metric(two, two), RangeError, [
      'kerasBinaryIoU',
      'one channel',
      '[1, 3, 2]',
    ]);
    const one = tf.zeros([1, 3, 1]);
    const other = tf.zeros([1, 4, 1]);
    expectThrows(() => metric(other, one), RangeError, ["'yTrue'", '[1, 3, 1]', '[1, 4, 1]']);
    const twos = tf.fill([1, 3, 1], 2);
    expectThrows(() => metric(twos, one), RangeError, ['0 or 1', 'got 2']);
    expectThrows(() => kerasBinaryIoU({ fromLogits: 1 as never }), TypeError, ["'fromLogits'"]);
    tf.dispose([two, one, other, twos]);
  });
});
