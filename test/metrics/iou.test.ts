import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iou } from '../../src/index.js';
import { dimsArb, ignoreModeArb, labelsArb } from '../arbitraries.js';
import { maxAbsDiff } from '../golden.js';
import { refIou } from '../reference.js';

const caseArb = fc
  .record({
    dims: dimsArb,
    C: fc.integer({ min: 1, max: 5 }),
    mode: ignoreModeArb,
    // 0 is a void label inside the class range: that class is then left out of the result.
    ignore: fc.constantFrom<number | null>(null, 255, 0),
    perImage: fc.boolean(),
    empty: fc.constantFrom(1, 0, 0.5),
  })
  .chain(({ dims, C, mode, ignore, perImage, empty }) => {
    const n = dims[0] * dims[1] * dims[2];
    const labelMode = ignore === null ? 'none' : mode;
    return fc.record({
      // A model may predict the void label too.
      preds: labelsArb(n, C, ignore ?? 0, labelMode === 'none' ? 'none' : 'some'),
      labels: labelsArb(n, C, ignore ?? 0, labelMode),
      shape: fc.constant(dims),
      numClasses: fc.constant(C),
      options: fc.constant({ ignore, perImage, empty }),
    });
  });

describe('iou', () => {
  it('agrees with the reference over shapes, classes, void labels, perImage and empty scores', () => {
    fc.assert(
      fc.property(caseArb, ({ preds, labels, shape, numClasses, options }) => {
        const got = iou(preds, labels, shape, numClasses, options);
        const expected = refIou(preds, labels, shape, numClasses, options);
        expect(got.length).toBe(expected.length);
        expect(maxAbsDiff(got, expected)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the documented example', () => {
    const got = iou([0, 1, 1, 0], [0, 1, 0, 0], [1, 2, 2], 2);
    expect(got[0]).toBeCloseTo(200 / 3, 12);
    expect(got[1]).toBe(50);
  });

  it('iou scores an empty union as `empty`', () => {
    // Class 2 appears in neither predictions nor labels.
    expect(iou([0, 1], [0, 1], [1, 1, 2], 3)).toEqual([100, 100, 100]);
    expect(iou([0, 1], [0, 1], [1, 1, 2], 3, { empty: 0 })).toEqual([100, 100, 0]);
  });

  it('iou of an empty batch scores `empty` for every class', () => {
    expect(iou([], [], [0, 2, 2], 3, { perImage: true, empty: 0.5 })).toEqual([50, 50, 50]);
    expect(iou([], [], [0, 2, 2], 2)).toEqual([100, 100]);
  });

  it('iou leaves the ignore class out of the result', () => {
    // ignore = 0: classes 1 and 2 only; pixels labelled 0 take no part.
    const got = iou([1, 2, 1, 0], [1, 2, 0, 0], [1, 2, 2], 3, { ignore: 0 });
    expect(got).toEqual([100, 100]);
  });

  it('iou counts a prediction of the void label as no class', () => {
    // The prediction 255 on a pixel labelled 1 is a miss for class 1, not a hit for anything.
    expect(iou([0, 255], [0, 1], [1, 1, 2], 2, { ignore: 255 })).toEqual([100, 0]);
  });

  it('iou does not count predictions on void pixels', () => {
    expect(iou([0, 1, 1], [0, 1, 255], [1, 1, 3], 2, { ignore: 255 })).toEqual([100, 100]);
  });

  it('iou averages per-image IoUs with perImage and pools the batch by default', () => {
    // Class 1: image 0 scores 1/2, image 1 scores 1; pooled 2/3.
    const preds = [1, 1, 0, 1];
    const labels = [1, 0, 0, 1];
    expect(iou(preds, labels, [2, 1, 2], 2, { perImage: true })[1]).toBe(75);
    expect(iou(preds, labels, [2, 1, 2], 2)[1]).toBeCloseTo(200 / 3, 12);
  });

  it('iou with one class scores it 100 when nothing is void', () => {
    expect(iou([0, 0, 0], [0, 0, 0], [1, 1, 3], 1)).toEqual([100]);
  });
});

describe('iou rejects bad inputs', () => {
  const call =
    (...args: unknown[]) =>
    () =>
      (iou as (...a: unknown[]) => unknown)(...args);

  it('rejects numClasses < 1', () => {
    const f = call([0], [0], [1, 1, 1], 0);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iou: 'numClasses' must be an integer >= 1, got 0$/);
  });

  it('rejects a numClasses that is not a number', () => {
    const f = call([0], [0], [1, 1, 1], '3');
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iou: 'numClasses' must be an integer >= 1, got '3'$/);
  });

  it('rejects a prediction outside [0, numClasses)', () => {
    const f = call([0, 3], [0, 1], [1, 1, 2], 3);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iou: 'preds' must be an integer in \[0, 3\), got 3 at index 1$/);
  });

  it('rejects a fractional label', () => {
    const f = call([0, 1], [0, 1.5], [1, 1, 2], 3, { ignore: 255 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^iou: 'labels' must be an integer in \[0, 3\) or the ignore label 255, got 1.5 at index 1$/,
    );
  });

  it('rejects labels of a different length than the shape', () => {
    const f = call([0, 1], [0, 1, 1], [1, 1, 2], 2);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iou: 'labels' has 3 values but shape \[1, 1, 2\] needs 2$/);
  });

  it('rejects a shape without a spatial axis (rank below 2)', () => {
    const f = call([0, 1], [0, 1], [2], 2);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^iou: 'shape' must be \[B, \.\.\.spatial\] \(rank >= 2\), got \[2\] \(rank 1\)$/,
    );
  });

  it('rejects a non-integer dimension', () => {
    const f = call([0, 1], [0, 1], [1, 0.5, 4], 2);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^iou: 'shape' must hold non-negative integers \[B, \.\.\.spatial\], got \[1, 0.5, 4\]$/,
    );
  });

  it('rejects a non-finite empty score', () => {
    const f = call([0, 1], [0, 1], [1, 1, 2], 2, { empty: Number.POSITIVE_INFINITY });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iou: 'empty' must be a finite number, got Infinity$/);
  });

  it('rejects an unknown option such as per_image', () => {
    const f = call([0, 1], [0, 1], [1, 1, 2], 2, { per_image: true });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^iou: unknown option 'per_image' \(did you mean 'perImage'\? known options: 'empty', 'ignore', 'perImage'\)$/,
    );
  });

  it('rejects a non-boolean perImage', () => {
    const f = call([0, 1], [0, 1], [1, 1, 2], 2, { perImage: 0 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iou: 'perImage' must be true or false, got 0$/);
  });

  it('rejects a non-integer ignore label', () => {
    const f = call([0, 1], [0, 1], [1, 1, 2], 2, { ignore: 'void' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iou: 'ignore' must be null or an integer label.*got 'void'$/);
  });

  it('rejects labels that are not an array', () => {
    const f = call([0, 1], 7, [1, 1, 2], 2);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iou: 'labels' must be an array or a typed array, got 7$/);
  });
});
