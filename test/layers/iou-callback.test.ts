import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfusionMatrix } from '../../src/index.js';
import { iouCallback, kerasLovaszSoftmax, kerasMeanIoU } from '../../src/layers/index.js';
import { expectRejects, expectThrows, segmentationData, smallModel } from './helpers.js';

const [N, H, W, C] = [6, 6, 6, 3];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The exact metrics of the model's current predictions, computed independently. */
function reference(
  model: tf.LayersModel,
  x: tf.Tensor,
  labels: Int32Array,
  ignore: number | null = null,
) {
  const preds = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1));
  const cm = new ConfusionMatrix(C, { ignore, perImage: true });
  cm.update(preds.dataSync(), labels, preds.shape);
  preds.dispose();
  return { mIoU: cm.meanIoU(), pixelAccuracy: cm.pixelAccuracy(), perImage: cm.perImageMeanIoU() };
}

/** Records the reference metrics at every epoch end (weights are final by then). */
class Recorder extends tf.Callback {
  seen: ReturnType<typeof reference>[] = [];
  logsSeen: (number | undefined)[] = [];
  constructor(
    private readonly x: tf.Tensor,
    private readonly labels: Int32Array,
  ) {
    super();
  }
  override async onEpochEnd(_epoch: number, logs?: tf.Logs) {
    this.seen.push(reference(this.model, this.x, this.labels));
    this.logsSeen.push(logs?.val_mIoU as number | undefined);
  }
}

describe('iouCallback in model.fit', () => {
  it('writes val_mIoU equal to a ConfusionMatrix of the predictions, and the batch metric key', async () => {
    const train = segmentationData(8, H, W, C, 1);
    const val = segmentationData(N, H, W, C, 2);
    const model = smallModel(H, W, C);
    model.compile({
      optimizer: tf.train.adam(0.05),
      loss: kerasLovaszSoftmax(),
      metrics: [kerasMeanIoU(C)],
    });
    const yTrain = tf.oneHot(train.labels, C);
    const recorder = new Recorder(val.x, val.labelValues);
    const history = await model.fit(train.x, yTrain, {
      epochs: 4,
      batchSize: 4,
      verbose: 0,
      callbacks: [
        iouCallback({ x: val.x, y: val.labels }, { numClasses: C, batchSize: 4 }),
        tf.callbacks.earlyStopping({ monitor: 'val_mIoU', mode: 'max', patience: 10 }),
        recorder,
      ],
    });
    const h = history.history as Record<string, number[]>;
    expect(h.val_mIoU).toHaveLength(4);
    expect(h.val_pixelAccuracy).toHaveLength(4);
    expect(h.mIoU).toHaveLength(4); // the batch metric's key is its function name
    h.val_mIoU.forEach((v, i) => {
      expect(Math.abs(v - recorder.seen[i].mIoU)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(h.val_pixelAccuracy[i] - recorder.seen[i].pixelAccuracy)).toBeLessThanOrEqual(
        1e-6,
      );
    });
    // the model learned something, so the comparison was not of constant predictions
    expect(new Set(h.val_mIoU).size).toBeGreaterThan(1);
    tf.dispose([train.x, train.labels, val.x, val.labels, yTrain]);
    model.dispose();
  });

  for (const order of ['iouCallback first', 'earlyStopping first']) {
    it(`feeds tf.callbacks.earlyStopping (${order})`, async () => {
      const train = segmentationData(4, H, W, C, 3);
      const model = smallModel(H, W, C);
      model.compile({ optimizer: 'sgd', loss: kerasLovaszSoftmax() });
      const y = tf.oneHot(train.labels, C);
      const iou = iouCallback({ x: train.x, y: train.labels }, { numClasses: C });
      // A baseline no mIoU reaches: earlyStopping stops after `patience` epochs, but only if
      // it reads a val_mIoU each epoch (a missing value leaves its counter alone).
      const stop = tf.callbacks.earlyStopping({
        monitor: 'val_mIoU',
        mode: 'max',
        patience: 2,
        baseline: 101,
      });
      const recorder = new Recorder(train.x, train.labelValues);
      const callbacks =
        order === 'iouCallback first' ? [iou, stop, recorder] : [recorder, stop, iou];
      const history = await model.fit(train.x, y, {
        epochs: 6,
        batchSize: 4,
        verbose: 0,
        callbacks,
      });
      expect(history.history.val_mIoU).toHaveLength(2);
      // a callback before the iouCallback in the array already sees the value
      expect(recorder.logsSeen.every((v) => typeof v === 'number')).toBe(true);
      tf.dispose([train.x, train.labels, y]);
      model.dispose();
    });
  }

  it('takes a prefix, per-image mIoU and every; evaluates every `every` epochs', async () => {
    const train = segmentationData(4, H, W, C, 4);
    const val = segmentationData(N, H, W, C, 5);
    const model = smallModel(H, W, C);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const y = tf.oneHot(train.labels, C);
    const recorder = new Recorder(val.x, val.labelValues);
    const history = await model.fit(train.x, y, {
      epochs: 4,
      batchSize: 4,
      verbose: 0,
      callbacks: [
        iouCallback(
          { x: val.x, y: val.labels },
          { numClasses: C, prefix: 'test_', perImage: true, every: 2 },
        ),
        recorder,
      ],
    });
    const h = history.history as Record<string, number[]>;
    expect(h.test_mIoU).toHaveLength(2);
    expect(h.test_perImageMIoU).toHaveLength(2);
    expect(h.val_mIoU).toBeUndefined();
    expect(h.test_mIoU[1]).toBeCloseTo(recorder.seen[3].mIoU, 9);
    expect(h.test_perImageMIoU[1]).toBeCloseTo(recorder.seen[3].perImage, 9);
    tf.dispose([train.x, train.labels, val.x, val.labels, y]);
    model.dispose();
  });
});

describe('IouCallback.evaluate', () => {
  it('gives the same bits whatever the batch size, and leaks no tensor', async () => {
    const val = segmentationData(N, H, W, C, 6);
    const model = smallModel(H, W, C, 7);
    const before = tf.memory().numTensors;
    const results = [];
    for (const batchSize of [1, 4, 6, 100]) {
      results.push(
        await iouCallback(
          { x: val.x, y: val.labels },
          { numClasses: C, batchSize, perImage: true },
        ).evaluate(model),
      );
    }
    expect(tf.memory().numTensors).toBe(before);
    for (const r of results) expect(r).toEqual(results[0]);
    const ref = reference(model, val.x, val.labelValues);
    expect(results[0].mIoU).toBe(ref.mIoU);
    expect(results[0].perImageMIoU).toBe(ref.perImage);
    tf.dispose([val.x, val.labels]);
    model.dispose();
  });

  it('reads integer labels [N, H, W] and [N, H, W, 1] and one-hot targets alike', async () => {
    const val = segmentationData(N, H, W, C, 8);
    // one pixel in five void: 255 in the integer labels, an all-zero row in the one-hot ones
    const values = Int32Array.from(val.labelValues, (v, i) => (i % 5 === 0 ? 255 : v));
    const labels = tf.tensor3d(values, [N, H, W], 'int32');
    const labels1 = labels.reshape([N, H, W, 1]);
    const oneHot = tf.oneHot(labels, C); // 255 is out of range: an all-zero row
    const model = smallModel(H, W, C, 9);
    const a = await iouCallback({ x: val.x, y: labels }, { numClasses: C, ignore: 255 }).evaluate(
      model,
    );
    const b = await iouCallback({ x: val.x, y: labels1 }, { numClasses: C, ignore: 255 }).evaluate(
      model,
    );
    const c = await iouCallback({ x: val.x, y: oneHot }, { numClasses: C }).evaluate(model);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a.mIoU).toBe(reference(model, val.x, values, 255).mIoU);
    tf.dispose([val.x, val.labels, labels, labels1, oneHot]);
    model.dispose();
  });

  it('rejects a validation set whose labels do not fit the classes or the output', async () => {
    const val = segmentationData(N, H, W, C, 10);
    const model = smallModel(H, W, C);
    const before = tf.memory().numTensors;
    const big = tf.fill([N, H, W], 3, 'int32');
    await expectRejects(
      iouCallback({ x: val.x, y: big }, { numClasses: C }).evaluate(model),
      RangeError,
      ['iouCallback', "'validation.y'", 'got 3', 'numClasses is 3'],
    );
    const wide = tf.zeros([N, H, W + 1], 'int32');
    await expectRejects(
      iouCallback({ x: val.x, y: wide }, { numClasses: C }).evaluate(model),
      RangeError,
      ["'validation.y' [6, 6, 7]", "model's output [6, 6, 6, 3]"],
    );
    await expectRejects(
      iouCallback({ x: val.x, y: val.labels }, { numClasses: 4 }).evaluate(model),
      RangeError,
      ["model's output", '4 channels', '[6, 6, 6, 3]'],
    );
    const notOneHot = tf.fill([N, H, W, C], 0.5);
    await expectRejects(
      iouCallback({ x: val.x, y: notOneHot }, { numClasses: C }).evaluate(model),
      RangeError,
      ['one-hot'],
    );
    expect(tf.memory().numTensors).toBe(before + 3);
    // inside fit, the error ends training
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const y = tf.oneHot(val.labels, C);
    await expectRejects(
      model.fit(val.x, y, {
        epochs: 2,
        verbose: 0,
        callbacks: [iouCallback({ x: val.x, y: big }, { numClasses: C })],
      }),
      RangeError,
      ['numClasses is 3'],
    );
    tf.dispose([val.x, val.labels, big, wide, notOneHot, y]);
    model.dispose();
  });

  it('rejects bad validation tensors and options when made', () => {
    const x = tf.zeros([2, 4, 4, 1]);
    const y = tf.zeros([2, 4, 4], 'int32');
    expectThrows(() => iouCallback(null as never, { numClasses: 3 }), TypeError, ["'validation'"]);
    expectThrows(() => iouCallback({ x, y }, undefined as never), TypeError, [
      "'options'",
      'numClasses',
    ]);
    expectThrows(() => iouCallback({ x, y }, { numClasses: 0 }), RangeError, ["'numClasses'", '0']);
    expectThrows(() => iouCallback({ x: [1] as never, y }, { numClasses: 3 }), TypeError, [
      "'validation.x'",
      'tf.Tensor',
    ]);
    const y3 = tf.zeros([3, 4, 4], 'int32');
    expectThrows(() => iouCallback({ x, y: y3 }, { numClasses: 3 }), RangeError, [
      "'validation.y'",
      '2 inputs',
      '[3, 4, 4]',
    ]);
    expectThrows(() => iouCallback({ x, y }, { numClasses: 3, batchSize: 0 }), RangeError, [
      "'batchSize'",
    ]);
    expectThrows(() => iouCallback({ x, y }, { numClasses: 3, every: 1.5 }), RangeError, [
      "'every'",
    ]);
    expectThrows(() => iouCallback({ x, y }, { numClasses: 3, prefix: 1 as never }), TypeError, [
      "'prefix'",
    ]);
    expectThrows(() => iouCallback({ x, y }, { numClasses: 3, perimage: true } as never), Error, [
      'perimage',
    ]);
    tf.dispose([x, y, y3]);
  });
});
