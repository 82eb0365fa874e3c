// The async twins of iou and TensorConfusionMatrix.update: the same checks and the same
// numbers as the synchronous calls, from `await tensor.data()`.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { iou, iouAsync, TensorConfusionMatrix } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { rng } from './helpers.js';

const [B, H, W, C] = [3, 4, 5, 4];

function masks(seed: number) {
  const r = rng(seed);
  const n = B * H * W;
  const preds = Int32Array.from({ length: n }, () => Math.floor(r() * C));
  const labels = Int32Array.from({ length: n }, () => (r() < 0.125 ? 255 : Math.floor(r() * C)));
  return {
    preds: tf.tensor3d(preds, [B, H, W], 'int32'),
    labels: tf.tensor3d(labels, [B, H, W], 'int32'),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describeEachBackend('async twins', () => {
  it('iouAsync equals iou, bit for bit', async () => {
    for (const seed of [1, 2, 3]) {
      const { preds, labels } = masks(seed);
      for (const options of [{ ignore: 255 }, { ignore: 255, perImage: true, empty: 0 }]) {
        expect(await iouAsync(preds, labels, C, options)).toEqual(iou(preds, labels, C, options));
      }
      tf.dispose([preds, labels]);
    }
  });

  it('updateAsync counts what update counts, and returns the matrix', async () => {
    const options = { ignore: 255, perImage: true };
    const a = new TensorConfusionMatrix(C, options);
    const b = new TensorConfusionMatrix(C, options);
    for (const seed of [4, 5]) {
      const { preds, labels } = masks(seed);
      expect(await a.updateAsync(preds, labels)).toBe(a);
      b.update(preds, labels);
      tf.dispose([preds, labels]);
    }
    expect(Array.from(a.matrix())).toEqual(Array.from(b.matrix()));
    expect(a.meanIoU()).toBe(b.meanIoU());
    expect(a.perImageMeanIoU()).toBe(b.perImageMeanIoU());
  });

  it('reject bad inputs with the name of the function, and leave the matrix alone', async () => {
    const { preds, labels } = masks(6);
    const flat = tf.zeros([B * H * W], 'int32');
    const err = await rejection(iouAsync(flat, flat, C));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toContain("iouAsync: 'preds' must be [B, ...spatial] (rank >= 2)");
    const other = tf.zeros([B, H, W + 1], 'int32');
    expect((await rejection(iouAsync(preds, other, C))).message).toContain(
      "iouAsync: 'labels' must have shape [3, 4, 5]",
    );
    const cm = new TensorConfusionMatrix(C);
    const e2 = await rejection(cm.updateAsync(preds, other));
    expect(e2.message).toContain("TensorConfusionMatrix.updateAsync: 'labels'");
    const big = tf.fill([B, H, W], 9, 'int32');
    const e3 = await rejection(cm.updateAsync(preds, big));
    expect(e3.message).toContain('TensorConfusionMatrix.updateAsync');
    expect(cm.count()).toBe(0);
    expect((await rejection(cm.updateAsync([1] as never, labels))).message).toContain(
      "'preds' must be a tf.Tensor",
    );
    tf.dispose([preds, labels, flat, other, big]);
  });
});
