import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as core from '../../src/index.js';
import { iou, iouBinary } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { rng, snapshot } from './helpers.js';

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

describeEachBackend('metrics (iou, iouBinary)', () => {
  it('iou on tensors equals the core on the same arrays, for every option combination', () => {
    const { preds, labels } = masks(7, C);
    const p = tf.tensor(preds, SHAPE, 'int32');
    const y = tf.tensor(labels, SHAPE, 'int32');
    for (const perImage of [false, true])
      for (const ignore of [255, null]) {
        // Without an ignore label, 255 is out of range: map it to class 0.
        const yy =
          ignore === null
            ? tf.tensor(
                labels.map((v) => v % 255),
                SHAPE,
                'int32',
              )
            : y;
        const o = { perImage, ignore, empty: 0.5 };
        expect(iou(p, yy, C, o)).toEqual(core.iou(preds, yy.dataSync(), SHAPE, C, o));
        if (yy !== y) yy.dispose();
      }
    tf.dispose([p, y]);
  });

  it('iouBinary on tensors equals the core on the same arrays, for every option combination', () => {
    const { preds, labels } = masks(8, 2);
    const p = tf.tensor(preds, SHAPE, 'int32');
    const y = tf.tensor(labels, SHAPE, 'int32');
    for (const perImage of [false, true]) {
      const o = { perImage, ignore: 255, empty: 0 };
      expect(iouBinary(p, y, o)).toBe(core.iouBinary(preds, labels, SHAPE, o));
    }
    tf.dispose([p, y]);
  });

  it('iou accepts int32 predictions from tf.argMax of NHWC probabilities', () => {
    const r = rng(9);
    const probas = tf.tensor(
      Float32Array.from({ length: N * C }, () => r()),
      [...SHAPE, C],
    );
    const { labels } = masks(9, C);
    const y = tf.tensor(labels, SHAPE, 'int32');
    const p = tf.argMax(probas, -1);
    expect(p.dtype).toBe('int32');
    const got = iou(p, y, C, { ignore: 255 });
    expect(got).toEqual(core.iou(p.dataSync(), labels, SHAPE, C, { ignore: 255 }));
    expect(got).toHaveLength(C);
    tf.dispose([probas, y, p]);
  });

  it('iouBinary accepts bool predictions from tf.greater, and gives the int32 and float32 result', () => {
    const r = rng(10);
    const logits = tf.tensor(
      Float32Array.from({ length: N }, () => r() * 4 - 2),
      SHAPE,
    );
    const { labels } = masks(10, 2);
    const y = tf.tensor(labels, SHAPE, 'int32');
    const b = tf.greater(logits, 0);
    expect(b.dtype).toBe('bool');
    const asInt = tf.cast(b, 'int32');
    const asFloat = tf.cast(b, 'float32');
    const expected = core.iouBinary(Array.from(asInt.dataSync()), labels, SHAPE, { ignore: 255 });
    expect(iouBinary(b, y, { ignore: 255 })).toBe(expected);
    expect(iouBinary(asInt, y, { ignore: 255 })).toBe(expected);
    expect(iouBinary(asFloat, y, { ignore: 255 })).toBe(expected);
    // The metric is not trivially 0 or 100 on this sample.
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(100);
    tf.dispose([logits, y, b, asInt, asFloat]);
  });

  it('metrics give identical results for int32 and integer-valued float32 labels', () => {
    const { preds, labels } = masks(11, C);
    const p = tf.tensor(preds, SHAPE, 'int32');
    const yi = tf.tensor(labels, SHAPE, 'int32');
    const yf = tf.tensor(labels, SHAPE, 'float32');
    expect(iou(p, yf, C, { ignore: 255 })).toEqual(iou(p, yi, C, { ignore: 255 }));
    const bin = masks(12, 2);
    const pb = tf.tensor(bin.preds, SHAPE, 'int32');
    const ybi = tf.tensor(bin.labels, SHAPE, 'int32');
    const ybf = tf.tensor(bin.labels, SHAPE, 'float32');
    expect(iouBinary(pb, ybf, { ignore: 255 })).toBe(iouBinary(pb, ybi, { ignore: 255 }));
    tf.dispose([p, yi, yf, pb, ybi, ybf]);
  });

  it('metrics reject predictions that are not integers (RangeError naming preds and the value)', () => {
    const values = new Float32Array(N);
    values[4] = 0.5;
    const p = tf.tensor(values, SHAPE);
    const y = tf.zeros(SHAPE, 'int32');
    expect(() => iou(p, y, C)).toThrow(/^iou: 'preds' .*0\.5 at index 4/);
    expect(() => iouBinary(p, y)).toThrow(/^iouBinary: 'preds' .*0\.5 at index 4/);
    tf.dispose([p, y]);
  });

  it('metrics return plain numbers, create no tensor and never mutate their inputs', () => {
    const { preds, labels } = masks(13, 2);
    const p = tf.tensor(preds, SHAPE, 'int32');
    const y = tf.tensor(labels, SHAPE, 'int32');
    const p0 = snapshot(p);
    const y0 = snapshot(y);
    const before = tf.memory().numTensors;
    const a = iou(p, y, 2, { ignore: 255, perImage: true });
    const b = iouBinary(p, y, { ignore: 255 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.every((v) => typeof v === 'number')).toBe(true);
    expect(typeof b).toBe('number');
    expect(snapshot(p)).toEqual(p0);
    expect(snapshot(y)).toEqual(y0);
    tf.dispose([p, y]);
  });
});
