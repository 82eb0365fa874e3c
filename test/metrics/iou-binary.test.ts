import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iouBinary } from '../../src/index.js';
import { dimsArb, ignoreModeArb, labelsArb } from '../arbitraries.js';
import { relErr } from '../golden.js';
import { refIouBinary } from '../reference.js';

const caseArb = fc
  .record({
    dims: dimsArb,
    mode: ignoreModeArb,
    ignore: fc.constantFrom(255, -1),
    perImage: fc.boolean(),
    empty: fc.constantFrom(1, 0, 0.5),
  })
  .chain(({ dims, mode, ignore, perImage, empty }) => {
    const n = dims[0] * dims[1] * dims[2];
    return fc.record({
      preds: fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
      labels: labelsArb(n, 2, ignore, mode),
      shape: fc.constant(dims),
      options: fc.constant({ ignore, perImage, empty }),
    });
  });

describe('iouBinary', () => {
  it('agrees with the reference over shapes, void pixels, perImage and empty scores', () => {
    fc.assert(
      fc.property(caseArb, ({ preds, labels, shape, options }) => {
        const got = iouBinary(preds, labels, shape, options);
        expect(relErr(got, refIouBinary(preds, labels, shape, options))).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the documented example', () => {
    expect(iouBinary([1, 1, 0, 0], [1, 0, 0, 1], [1, 2, 2])).toBeCloseTo(100 / 3, 12);
  });

  it('iouBinary scores an empty union as `empty`', () => {
    expect(iouBinary([0, 0, 0, 0], [0, 0, 0, 0], [1, 2, 2])).toBe(100);
    expect(iouBinary([0, 0, 0, 0], [0, 0, 0, 0], [1, 2, 2], { empty: 0 })).toBe(0);
    expect(iouBinary([0, 0, 0, 0], [0, 0, 0, 0], [1, 2, 2], { empty: 0.25 })).toBe(25);
  });

  it('iouBinary of an empty batch scores `empty`', () => {
    expect(iouBinary([], [], [0, 3, 3])).toBe(100);
    expect(iouBinary([], [], [0, 3, 3], { perImage: false, empty: 0 })).toBe(0);
  });

  it('iouBinary does not count foreground predictions on void pixels', () => {
    // Pixel 1 is void: predicting 1 there adds nothing to the union.
    expect(iouBinary([1, 1, 0], [1, 255, 0], [1, 1, 3], { ignore: 255 })).toBe(100);
    expect(iouBinary([1, 1, 0], [1, 0, 0], [1, 1, 3])).toBe(50);
  });

  it('iouBinary averages per-image IoUs by default and pools the batch with perImage false', () => {
    // Image 0: 1 / 2; image 1: 1 / 1. Pooled: 2 / 3.
    const preds = [1, 1, 0, 1];
    const labels = [1, 0, 0, 1];
    expect(iouBinary(preds, labels, [2, 1, 2])).toBe(75);
    expect(iouBinary(preds, labels, [2, 1, 2], { perImage: false })).toBeCloseTo(200 / 3, 12);
  });

  it('iouBinary counts an image with an empty union as `empty` in the per-image mean', () => {
    expect(iouBinary([1, 0, 0, 0], [1, 1, 0, 0], [2, 1, 2], { empty: 0 })).toBe(25);
  });

  it('iouBinary accepts typed arrays', () => {
    expect(
      iouBinary(new Uint8Array([1, 1, 0, 0]), new Int32Array([1, 0, 0, 1]), [1, 2, 2]),
    ).toBeCloseTo(100 / 3, 12);
  });
});

describe('iouBinary rejects bad inputs', () => {
  const call =
    (...args: unknown[]) =>
    () =>
      (iouBinary as (...a: unknown[]) => unknown)(...args);

  it('rejects a prediction other than 0 or 1', () => {
    const f = call([1, 2], [1, 0], [1, 1, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iouBinary: 'preds' must be 0 or 1, got 2 at index 1$/);
  });

  it('rejects a prediction equal to the ignore label (only labels may be void)', () => {
    const f = call([255, 0], [1, 0], [1, 1, 2], { ignore: 255 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iouBinary: 'preds' must be 0 or 1, got 255 at index 0$/);
  });

  it('rejects a label other than 0, 1 or the ignore label', () => {
    const f = call([1, 0], [1, 3], [1, 1, 2], { ignore: 255 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^iouBinary: 'labels' must be 0 or 1 or the ignore label 255, got 3 at index 1$/,
    );
  });

  it('rejects labels of a different length than the shape', () => {
    const f = call([1, 0], [1], [1, 1, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iouBinary: 'labels' has 1 values but shape \[1, 1, 2\] needs 2$/);
  });

  it('rejects predictions of a different length than the shape', () => {
    const f = call([1, 0, 1], [1, 0], [1, 1, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^iouBinary: 'preds' has 3 values but shape \[1, 1, 2\] needs 2$/);
  });

  it('rejects a shape of the wrong rank', () => {
    const f = call([1, 0], [1, 0], [2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^iouBinary: 'shape' must be \[B, \.\.\.spatial\] \(rank >= 2\), got \[2\] \(rank 1\)$/,
    );
  });

  it('rejects a non-finite empty score', () => {
    const f = call([1, 0], [1, 0], [1, 1, 2], { empty: Number.NaN });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iouBinary: 'empty' must be a finite number, got NaN$/);
  });

  it('rejects an unknown option', () => {
    const f = call([1, 0], [1, 0], [1, 1, 2], { EMPTY: 1 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^iouBinary: unknown option 'EMPTY' \(did you mean 'empty'\? known options: 'empty', 'ignore', 'perImage'\)$/,
    );
  });

  it('rejects a non-boolean perImage', () => {
    const f = call([1, 0], [1, 0], [1, 1, 2], { perImage: 'false' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iouBinary: 'perImage' must be true or false, got 'false'$/);
  });

  it('rejects a non-integer ignore label', () => {
    const f = call([1, 0], [1, 0], [1, 1, 2], { ignore: [255] });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iouBinary: 'ignore' must be null or an integer label.*got \[255\]$/);
  });

  it('rejects predictions that are not an array', () => {
    const f = call('10', [1, 0], [1, 1, 2]);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^iouBinary: 'preds' must be an array or a typed array, got '10'$/);
  });
});
