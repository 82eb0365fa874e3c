import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfusionMatrix, type ConfusionMatrixOptions, iou } from '../../src/index.js';
import { dimsArb, ignoreModeArb, labelsArb } from '../arbitraries.js';

/** Plain pixel accuracy and frequency-weighted IoU of label masks, in percent (0/0 is NaN). */
function refAccuracyAndFwIoU(
  preds: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  ignore: number | null,
): { accuracy: number; fwIoU: number } {
  let valid = 0;
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === ignore) continue;
    valid++;
    if (preds[i] === labels[i]) right++;
  }
  let fw = 0;
  for (let c = 0; c < numClasses; c++) {
    if (c === ignore) continue;
    let labelled = 0;
    let intersection = 0;
    let union = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === ignore) continue;
      const isLabel = labels[i] === c;
      const isPred = preds[i] === c;
      if (isLabel) labelled++;
      if (isLabel && isPred) intersection++;
      if (isLabel || isPred) union++;
    }
    if (labelled > 0) fw += (labelled / valid) * (intersection / union);
  }
  return { accuracy: (100 * right) / valid, fwIoU: 100 * fw };
}

/**
 * The mean over images of per-image mIoUs, each over the classes with a non-empty union in that
 * image, computed image by image with the core `iou`: empty = -1 marks the absent classes (a
 * real IoU is never negative). Images without a present class are left out; NaN for none.
 */
function refPerImageMean(
  preds: ArrayLike<number>,
  labels: ArrayLike<number>,
  [B, H, W]: readonly number[],
  numClasses: number,
  ignore: number | null,
): number {
  const per = H * W;
  let sum = 0;
  let images = 0;
  for (let b = 0; b < B; b++) {
    const p = Array.from(preds).slice(b * per, (b + 1) * per);
    const y = Array.from(labels).slice(b * per, (b + 1) * per);
    const present = iou(p, y, [1, H, W], numClasses, { ignore, empty: -1 }).filter((v) => v >= 0);
    if (present.length === 0) continue;
    sum += present.reduce((s, v) => s + v, 0) / present.length;
    images++;
  }
  return sum / images;
}

/** A batch of label masks with its shape, class count and options. */
const caseArb = fc
  .record({
    dims: dimsArb,
    C: fc.integer({ min: 1, max: 5 }),
    mode: ignoreModeArb,
    // 0 is a void label inside the class range: that class is then left out of the result.
    ignore: fc.constantFrom<number | null>(null, 255, 0),
    empty: fc.constantFrom(1, 0, 0.5),
  })
  .filter(({ C, ignore }) => !(C === 1 && ignore === 0))
  .chain(({ dims, C, mode, ignore, empty }) => {
    const n = dims[0] * dims[1] * dims[2];
    const labelMode = ignore === null ? 'none' : mode;
    return fc.record({
      // A model may predict the void label too.
      preds: labelsArb(n, C, ignore ?? 0, labelMode === 'none' ? 'none' : 'some'),
      labels: labelsArb(n, C, ignore ?? 0, labelMode),
      shape: fc.constant(dims),
      numClasses: fc.constant(C),
      ignore: fc.constant(ignore),
      empty: fc.constant(empty),
    });
  });

/** Strictly increasing cut points in [0, n], so that the pieces cover [0, n) in order. */
function cutsArb(n: number): fc.Arbitrary<number[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 4 })
    .map((cuts) => [0, ...cuts.sort((a, b) => a - b).filter((c) => c > 0 && c < n), n]);
}

function state(cm: ConfusionMatrix) {
  return {
    matrix: Array.from(cm.matrix()),
    count: cm.count(),
    iou: cm.iou(),
    pixelAccuracy: cm.pixelAccuracy(),
    fwIoU: cm.frequencyWeightedIoU(),
    perImage: cm.perImage ? cm.perImageMeanIoU() : null,
    images: cm.imageCount(),
  };
}

describe('ConfusionMatrix agrees with iou and with plain references', () => {
  it('ConfusionMatrix.iou equals iou on the whole batch exactly, with or without perImage', () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.boolean(),
        ({ preds, labels, shape, numClasses, ignore, empty }, perImage) => {
          const cm = new ConfusionMatrix(numClasses, { ignore, empty, perImage });
          cm.update(preds, labels, shape);
          expect(cm.iou()).toEqual(iou(preds, labels, shape, numClasses, { ignore, empty }));
          const ious = cm.iou();
          expect(cm.meanIoU()).toBe(ious.reduce((s, v) => s + v, 0) / ious.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('ConfusionMatrix.pixelAccuracy and frequencyWeightedIoU agree with a plain reference', () => {
    fc.assert(
      fc.property(caseArb, ({ preds, labels, shape, numClasses, ignore, empty }) => {
        const cm = new ConfusionMatrix(numClasses, { ignore, empty }).update(preds, labels, shape);
        const ref = refAccuracyAndFwIoU(preds, labels, numClasses, ignore);
        if (cm.count() === 0) {
          expect(cm.pixelAccuracy()).toBe(100 * empty);
          expect(cm.frequencyWeightedIoU()).toBe(100 * empty);
        } else {
          expect(Math.abs(cm.pixelAccuracy() - ref.accuracy)).toBeLessThanOrEqual(1e-12);
          expect(Math.abs(cm.frequencyWeightedIoU() - ref.fwIoU)).toBeLessThanOrEqual(1e-12);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('ConfusionMatrix.perImageMeanIoU equals the mean of per-image mIoUs computed image by image', () => {
    fc.assert(
      fc.property(caseArb, ({ preds, labels, shape, numClasses, ignore, empty }) => {
        const cm = new ConfusionMatrix(numClasses, { ignore, empty, perImage: true });
        cm.update(preds, labels, shape);
        const expected = refPerImageMean(preds, labels, shape, numClasses, ignore);
        if (Number.isNaN(expected)) {
          expect(cm.imageCount()).toBe(0);
          expect(cm.perImageMeanIoU()).toBe(100 * empty);
        } else {
          expect(Math.abs(cm.perImageMeanIoU() - expected)).toBeLessThanOrEqual(1e-12);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('ConfusionMatrix gives the same state for one batch or the same pixels in several updates', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.record({ c: fc.constant(c), cuts: cutsArb(c.preds.length) })),
        ({ c, cuts }) => {
          const options = { ignore: c.ignore, empty: c.empty };
          const whole = new ConfusionMatrix(c.numClasses, options).update(c.preds, c.labels);
          const split = new ConfusionMatrix(c.numClasses, options);
          for (let k = 0; k + 1 < cuts.length; k++) {
            split.update(c.preds.slice(cuts[k], cuts[k + 1]), c.labels.slice(cuts[k], cuts[k + 1]));
          }
          expect(state(split)).toEqual(state(whole));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ConfusionMatrix in perImage mode gives the same state for one batch or its images one by one', () => {
    fc.assert(
      fc.property(caseArb, ({ preds, labels, shape, numClasses, ignore, empty }) => {
        const [B, H, W] = shape;
        const options = { ignore, empty, perImage: true };
        const whole = new ConfusionMatrix(numClasses, options).update(preds, labels, shape);
        const split = new ConfusionMatrix(numClasses, options);
        for (let b = 0; b < B; b++) {
          const at = (v: number[]) => v.slice(b * H * W, (b + 1) * H * W);
          // Without a shape, one call is one image.
          split.update(at(preds), at(labels));
        }
        expect(state(split)).toEqual(state(whole));
      }),
      { numRuns: 300 },
    );
  });

  it('ConfusionMatrix does not depend on the order of the pixels or of the images', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => {
          const n = c.preds.length;
          const B = c.shape[0];
          return fc.record({
            c: fc.constant(c),
            pixels: fc.shuffledSubarray(
              Array.from({ length: n }, (_, i) => i),
              { minLength: n, maxLength: n },
            ),
            images: fc.shuffledSubarray(
              Array.from({ length: B }, (_, i) => i),
              { minLength: B, maxLength: B },
            ),
          });
        }),
        ({ c, pixels, images }) => {
          const options = { ignore: c.ignore, empty: c.empty };
          const a = new ConfusionMatrix(c.numClasses, options).update(c.preds, c.labels);
          const b = new ConfusionMatrix(c.numClasses, options).update(
            pixels.map((i) => c.preds[i]),
            pixels.map((i) => c.labels[i]),
          );
          expect(state(b)).toEqual(state(a));
          // Images in another order: same counts; the per-image mean is a float sum in
          // another order, equal up to rounding.
          const per = c.shape[1] * c.shape[2];
          const perImage = { ...options, perImage: true };
          const x = new ConfusionMatrix(c.numClasses, perImage).update(c.preds, c.labels, c.shape);
          const y = new ConfusionMatrix(c.numClasses, perImage);
          for (const g of images) {
            y.update(c.preds.slice(g * per, (g + 1) * per), c.labels.slice(g * per, (g + 1) * per));
          }
          expect(Array.from(y.matrix())).toEqual(Array.from(x.matrix()));
          expect(y.imageCount()).toBe(x.imageCount());
          expect(Math.abs(y.perImageMeanIoU() - x.perImageMeanIoU())).toBeLessThanOrEqual(1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ConfusionMatrix semantics', () => {
  it('ConfusionMatrix gives the documented example', () => {
    const cm = new ConfusionMatrix(2).update([0, 1, 1, 0], [0, 1, 0, 0], [1, 2, 2]);
    // Rows are labels, columns predictions: label 0 predicted 0 twice and 1 once.
    expect(Array.from(cm.matrix())).toEqual([2, 1, 0, 1]);
    expect(cm.count()).toBe(4);
    expect(cm.iou()[0]).toBeCloseTo(200 / 3, 12);
    expect(cm.iou()[1]).toBe(50);
    expect(cm.meanIoU()).toBeCloseTo((200 / 3 + 50) / 2, 12);
    expect(cm.pixelAccuracy()).toBe(75);
    // Frequencies 3/4 and 1/4.
    expect(cm.frequencyWeightedIoU()).toBeCloseTo(0.75 * (200 / 3) + 0.25 * 50, 12);
  });

  it('ConfusionMatrix.update skips pixels labelled ignore', () => {
    const cm = new ConfusionMatrix(2, { ignore: 255 }).update([0, 1, 1, 0], [0, 255, 255, 1]);
    expect(cm.count()).toBe(2);
    expect(Array.from(cm.matrix())).toEqual([1, 0, 1, 0]);
    expect(cm.pixelAccuracy()).toBe(50);
  });

  it('ConfusionMatrix counts a prediction of an outside ignore label as a miss in no column', () => {
    const cm = new ConfusionMatrix(2, { ignore: 255 }).update([0, 255, 255], [0, 1, 1]);
    expect(cm.count()).toBe(3);
    // The two pixels predicted 255 have no column: the matrix sums to less than count().
    expect(Array.from(cm.matrix())).toEqual([1, 0, 0, 0]);
    expect(cm.iou()).toEqual([100, 0]);
    expect(cm.pixelAccuracy()).toBeCloseTo(100 / 3, 12);
  });

  it('ConfusionMatrix with ignore inside the class range leaves that class out but keeps its column', () => {
    // ignore = 0: classes 1 and 2; a pixel labelled 1 predicted 0 is a miss for class 1.
    const cm = new ConfusionMatrix(3, { ignore: 0 }).update([1, 2, 1, 0, 0], [1, 2, 0, 0, 1]);
    expect(cm.count()).toBe(3);
    expect(Array.from(cm.matrix())).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1]);
    expect(cm.iou()).toEqual([50, 100]);
    expect(cm.iou()).toEqual(iou([1, 2, 1, 0, 0], [1, 2, 0, 0, 1], [1, 1, 5], 3, { ignore: 0 }));
  });

  it('ConfusionMatrix before any update scores every metric `100 * empty`', () => {
    const cm = new ConfusionMatrix(3, { perImage: true, empty: 0.5 });
    expect(cm.count()).toBe(0);
    expect(cm.imageCount()).toBe(0);
    expect(Array.from(cm.matrix())).toEqual(new Array(9).fill(0));
    expect(cm.iou()).toEqual([50, 50, 50]);
    expect(cm.meanIoU()).toBe(50);
    expect(cm.pixelAccuracy()).toBe(50);
    expect(cm.frequencyWeightedIoU()).toBe(50);
    expect(cm.perImageMeanIoU()).toBe(50);
    expect(new ConfusionMatrix(2).meanIoU()).toBe(100);
  });

  it('ConfusionMatrix of a single pixel', () => {
    const hit = new ConfusionMatrix(3, { empty: 0, perImage: true }).update([2], [2], [1, 1, 1]);
    expect(hit.iou()).toEqual([0, 0, 100]);
    expect(hit.pixelAccuracy()).toBe(100);
    expect(hit.frequencyWeightedIoU()).toBe(100);
    // Only class 2 is present in the image: its mIoU is 100, not the mean with absent classes.
    expect(hit.perImageMeanIoU()).toBe(100);
    const miss = new ConfusionMatrix(3, { perImage: true }).update([1], [2]);
    expect(miss.iou()).toEqual([100, 0, 0]);
    expect(miss.pixelAccuracy()).toBe(0);
    expect(miss.frequencyWeightedIoU()).toBe(0);
    expect(miss.perImageMeanIoU()).toBe(0);
  });

  it('ConfusionMatrix with every pixel ignored counts nothing and scores `100 * empty`', () => {
    const cm = new ConfusionMatrix(2, { ignore: 255, perImage: true, empty: 0 });
    cm.update([0, 1, 255, 1], [255, 255, 255, 255], [2, 1, 2]);
    expect(cm.count()).toBe(0);
    expect(cm.imageCount()).toBe(0);
    expect(Array.from(cm.matrix())).toEqual([0, 0, 0, 0]);
    expect(cm.iou()).toEqual([0, 0]);
    expect(cm.pixelAccuracy()).toBe(0);
    expect(cm.frequencyWeightedIoU()).toBe(0);
    expect(cm.perImageMeanIoU()).toBe(0);
  });

  it('ConfusionMatrix in perImage mode leaves images without valid pixels out of the mean', () => {
    const cm = new ConfusionMatrix(2, { ignore: 255, perImage: true });
    // Image 0: all void; image 1: class 1 half right (IoU 1/2), class 0 absent.
    cm.update([0, 0, 1, 1], [255, 255, 1, 0], [2, 1, 2]);
    expect(cm.imageCount()).toBe(1);
    expect(cm.perImageMeanIoU()).toBe(25);
  });

  it('ConfusionMatrix per-image mean differs from the dataset mIoU (small objects weigh more)', () => {
    // Image 0: a 1-pixel object of class 1 missed among 7 background pixels; image 1: perfect.
    const preds = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0];
    const labels = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0];
    const cm = new ConfusionMatrix(2, { perImage: true }).update(preds, labels, [2, 2, 4]);
    // Dataset: class 0 scores 11/12, class 1 scores 4/5.
    expect(cm.meanIoU()).toBeCloseTo(((11 / 12 + 4 / 5) / 2) * 100, 12);
    // Images: (7/8 + 0) / 2 and (1 + 1) / 2.
    expect(cm.perImageMeanIoU()).toBeCloseTo(((7 / 16 + 1) / 2) * 100, 12);
  });

  it('ConfusionMatrix.update without shape in perImage mode treats the call as one image', () => {
    const a = new ConfusionMatrix(2, { perImage: true }).update([1, 1, 0, 1], [1, 0, 0, 1]);
    const b = new ConfusionMatrix(2, { perImage: true }).update(
      [1, 1, 0, 1],
      [1, 0, 0, 1],
      [1, 2, 2],
    );
    expect(a.imageCount()).toBe(1);
    expect(a.perImageMeanIoU()).toBe(b.perImageMeanIoU());
  });

  it('ConfusionMatrix.update returns the matrix and reset forgets everything', () => {
    const cm = new ConfusionMatrix(2, { perImage: true });
    expect(cm.update([0, 1], [0, 0])).toBe(cm);
    expect(cm.update([1], [1]).count()).toBe(3);
    expect(cm.reset()).toBe(cm);
    expect(state(cm)).toEqual(state(new ConfusionMatrix(2, { perImage: true })));
    cm.update([1], [1]);
    expect(Array.from(cm.matrix())).toEqual([0, 0, 0, 1]);
  });

  it('ConfusionMatrix.matrix returns a copy', () => {
    const cm = new ConfusionMatrix(2).update([0], [0]);
    const m = cm.matrix();
    m[0] = 99;
    expect(cm.matrix()[0]).toBe(1);
    expect(cm.count()).toBe(1);
  });

  it('ConfusionMatrix accepts typed arrays of every kind', () => {
    const p = [0, 1, 2, 1];
    const y = [0, 1, 1, 2];
    const expected = state(new ConfusionMatrix(3).update(p, y));
    for (const T of [Int32Array, Uint8Array, Float32Array, Float64Array, Int16Array]) {
      expect(state(new ConfusionMatrix(3).update(T.from(p), T.from(y)))).toEqual(expected);
    }
  });

  it('ConfusionMatrix stays exact over 5M-pixel updates, past float32 and int24 range', () => {
    const n = 5_000_000;
    const preds = new Uint8Array(n);
    const labels = new Uint8Array(n);
    // Labels: class 1 on every third pixel; predictions: class 1 on every other pixel.
    for (let i = 0; i < n; i += 3) labels[i] = 1;
    for (let i = 0; i < n; i += 2) preds[i] = 1;
    const cm = new ConfusionMatrix(2);
    cm.update(preds, labels);
    const both = Math.ceil(n / 6);
    const label1 = Math.ceil(n / 3);
    const pred1 = Math.ceil(n / 2);
    const m1 = [n - label1 - pred1 + both, pred1 - both, label1 - both, both];
    expect(Array.from(cm.matrix())).toEqual(m1);
    expect(cm.iou()).toEqual(iou(preds, labels, [1, 1, n], 2));
    // Four updates: 20M pixels, beyond 2^24 where float32 counts would stop being exact.
    for (let k = 0; k < 3; k++) cm.update(preds, labels);
    expect(cm.count()).toBe(4 * n);
    expect(4 * n).toBeGreaterThan(2 ** 24);
    expect(Array.from(cm.matrix())).toEqual(m1.map((v) => 4 * v));
    expect(cm.iou()[1]).toBe(100 * (both / (label1 + pred1 - both)));
  });

  it('ConfusionMatrix never mutates its inputs', () => {
    const preds = Object.freeze([0, 1, 255, 2, 1, 0]);
    const labels = Int32Array.from([0, 255, 1, 2, 2, 0]);
    const shape = Object.freeze([2, 1, 3]);
    const copy = Int32Array.from(labels);
    const options = Object.freeze({ ignore: 255, perImage: true });
    const cm = new ConfusionMatrix(3, options);
    cm.update(preds, labels, shape);
    expect(labels).toEqual(copy);
    expect(options).toEqual({ ignore: 255, perImage: true });
  });
});

describe('ConfusionMatrix rejects bad inputs', () => {
  const make =
    (...args: unknown[]) =>
    () =>
      new (ConfusionMatrix as unknown as new (...a: unknown[]) => ConfusionMatrix)(...args);

  function updated(options: ConfusionMatrixOptions = {}): ConfusionMatrix {
    return new ConfusionMatrix(3, options).update([0, 1, 2, 1], [0, 1, 1, 2], [1, 2, 2]);
  }
  const call =
    (cm: ConfusionMatrix, ...args: unknown[]) =>
    () =>
      (cm.update as (...a: unknown[]) => unknown).apply(cm, args);

  it('rejects numClasses < 1', () => {
    const f = make(0);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^ConfusionMatrix: 'numClasses' must be an integer >= 1, got 0$/);
  });

  it('rejects a non-integer numClasses', () => {
    expect(make(2.5)).toThrow(RangeError);
    expect(make(2.5)).toThrow(/^ConfusionMatrix: 'numClasses' must be an integer >= 1, got 2.5$/);
    expect(make('3')).toThrow(/^ConfusionMatrix: 'numClasses' must be an integer >= 1, got '3'$/);
  });

  it('rejects an unknown option such as per_image', () => {
    const f = make(2, { per_image: true });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^ConfusionMatrix: unknown option 'per_image' \(.*known options: 'empty', 'ignore', 'perImage'\)$/,
    );
  });

  it('rejects options that are not an object', () => {
    const f = make(2, 255);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^ConfusionMatrix: 'options' must be an object, got 255$/);
  });

  it('rejects a non-boolean perImage, a non-integer ignore and a non-finite empty', () => {
    expect(make(2, { perImage: 1 })).toThrow(TypeError);
    expect(make(2, { perImage: 1 })).toThrow(
      /^ConfusionMatrix: 'perImage' must be true or false, got 1$/,
    );
    expect(make(2, { ignore: 'void' })).toThrow(TypeError);
    expect(make(2, { ignore: 'void' })).toThrow(
      /^ConfusionMatrix: 'ignore' must be null or an integer label.*got 'void'$/,
    );
    expect(make(2, { empty: Number.NaN })).toThrow(TypeError);
    expect(make(2, { empty: Number.NaN })).toThrow(
      /^ConfusionMatrix: 'empty' must be a finite number, got NaN$/,
    );
  });

  it('rejects an ignore label that leaves no class to score', () => {
    const f = make(1, { ignore: 0 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^ConfusionMatrix: 'ignore' 0 leaves no class to score with numClasses 1$/);
  });

  it('rejects a label out of range', () => {
    const f = call(new ConfusionMatrix(3, { ignore: 255 }), [0, 1], [0, 3]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^ConfusionMatrix.update: 'labels' must be an integer in \[0, 3\) or the ignore label 255, got 3 at index 1$/,
    );
  });

  it('rejects a prediction out of range, negative or fractional', () => {
    const cm = new ConfusionMatrix(3);
    expect(call(cm, [0, -1], [0, 1])).toThrow(RangeError);
    expect(call(cm, [0, -1], [0, 1])).toThrow(
      /^ConfusionMatrix.update: 'preds' must be an integer in \[0, 3\), got -1 at index 1$/,
    );
    expect(call(cm, [0.5, 1], [0, 1])).toThrow(
      /^ConfusionMatrix.update: 'preds' .*got 0.5 at index 0$/,
    );
    expect(call(cm, [0, Number.NaN], [0, 1])).toThrow(
      /^ConfusionMatrix.update: 'preds' .*got NaN at index 1$/,
    );
  });

  it('rejects preds and labels of different lengths', () => {
    const f = call(new ConfusionMatrix(2), [0, 1, 1], [0, 1]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^ConfusionMatrix.update: 'labels' has 2 values but 'preds' has 3$/);
  });

  it('rejects arrays that do not match the shape', () => {
    const f = call(new ConfusionMatrix(2), [0, 1], [0, 1], [1, 2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^ConfusionMatrix.update: 'preds' has 2 values but shape \[1, 2, 2\] needs 4$/,
    );
  });

  it('rejects a shape of the wrong rank, with a bad dimension, or not an array', () => {
    const cm = new ConfusionMatrix(2);
    expect(call(cm, [0, 1], [0, 1], [2])).toThrow(RangeError);
    expect(call(cm, [0, 1], [0, 1], [2])).toThrow(
      /^ConfusionMatrix.update: 'shape' must be \[B, \.\.\.spatial\] \(rank >= 2\), got \[2\] \(rank 1\)$/,
    );
    expect(call(cm, [0, 1], [0, 1], [1, -1, -2])).toThrow(
      /^ConfusionMatrix.update: 'shape' must hold non-negative integers \[B, \.\.\.spatial\], got \[1, -1, -2\]$/,
    );
    expect(call(cm, [0, 1], [0, 1], null)).toThrow(TypeError);
    expect(call(cm, [0, 1], [0, 1], null)).toThrow(
      /^ConfusionMatrix.update: 'shape' must be an array \[B, \.\.\.spatial\], got null$/,
    );
  });

  it('rejects inputs that are not arrays', () => {
    const f = call(new ConfusionMatrix(2), 'abc', [0, 1, 0]);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^ConfusionMatrix.update: 'preds' must be an array or a typed array, got 'abc'$/,
    );
    expect(call(new ConfusionMatrix(2), [0], undefined)).toThrow(
      /^ConfusionMatrix.update: 'labels' must be an array or a typed array, got undefined$/,
    );
  });

  it('rejects perImageMeanIoU without perImage', () => {
    const f = () => new ConfusionMatrix(2).perImageMeanIoU();
    expect(f).toThrow(Error);
    expect(f).toThrow(
      /^ConfusionMatrix.perImageMeanIoU: needs \{ perImage: true \} in the constructor, got perImage false$/,
    );
  });

  it('leaves the matrix unchanged after a throwing update', () => {
    for (const perImage of [false, true]) {
      const cm = updated({ ignore: 255, perImage });
      const before = state(cm);
      const n = 1000;
      const good = new Array<number>(n).fill(1);
      const badLast = good.slice();
      badLast[n - 1] = 7;
      // The bad value is the very last one: nothing before it may have been counted.
      expect(call(cm, good, badLast, [10, 10, 10])).toThrow(/got 7 at index 999/);
      expect(call(cm, badLast, good)).toThrow(/'preds' .*got 7 at index 999/);
      expect(call(cm, good, good, [10, 10, 9])).toThrow(RangeError);
      expect(call(cm, good, good.slice(1))).toThrow(RangeError);
      expect(state(cm)).toEqual(before);
    }
  });
});
