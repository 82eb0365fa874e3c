import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lovaszGrad } from '../../src/index.js';
import { maxAbsDiff } from '../golden.js';
import { refLovaszGrad } from '../reference.js';

const bits = (maxLength: number) => fc.array(fc.constantFrom(0, 1), { maxLength });

describe('lovaszGrad', () => {
  it('matches Algorithm 1 of the paper on random ground truth', () => {
    fc.assert(
      fc.property(bits(200), (gt) => {
        const got = lovaszGrad(gt);
        expect(got).toBeInstanceOf(Float64Array);
        // The closed form and the difference of Jaccard values agree up to float64 rounding.
        expect(maxAbsDiff(got, refLovaszGrad(gt))).toBeLessThanOrEqual(1e-14);
      }),
      { numRuns: 300 },
    );
  });

  it('is non-negative and sums to the Jaccard loss of the whole set, 1', () => {
    fc.assert(
      fc.property(bits(200), (gt) => {
        fc.pre(gt.length > 0);
        const d = lovaszGrad(gt);
        expect(d.every((v) => v >= 0)).toBe(true);
        expect(Math.abs(d.reduce((s, v) => s + v, 0) - 1)).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it('gives the documented example', () => {
    const d = lovaszGrad([1, 0, 1, 0]);
    expect(Array.from(d)).toEqual([0.5, 1 / 6, 1 / 3, 0]);
  });

  it('puts all the weight on the first pixel when there is no foreground', () => {
    expect(Array.from(lovaszGrad([0, 0, 0]))).toEqual([1, 0, 0]);
  });

  it('returns an empty gradient for an empty input', () => {
    expect(lovaszGrad([]).length).toBe(0);
  });

  it('accepts typed arrays', () => {
    expect(Array.from(lovaszGrad(new Uint8Array([1, 0, 1, 0])))).toEqual([0.5, 1 / 6, 1 / 3, 0]);
  });

  it('stays exact on a million pixels, where differences of Jaccard values would cancel', () => {
    // With i pixels taken and b_i of them background, J_i = i / (G + b_i), so
    // d_i = (i (G + b_(i-1)) - (i - 1)(G + b_i)) / ((G + b_i)(G + b_(i-1))): integer numerator
    // and denominator below 2^53, hence one correctly rounded division per expected value.
    const n = 1_000_000;
    const gt = new Uint8Array(n);
    for (let i = 0; i < n; i += 2) gt[i] = 1;
    const d = lovaszGrad(gt);
    const G = n / 2;
    const bgAmongFirst = (i: number) => Math.floor(i / 2); // foreground on even positions
    let worst = 0;
    for (const r of [0, 1, 2, 3, 1001, 500_000, n - 3, n - 2]) {
      const i = r + 1;
      const num = i * (G + bgAmongFirst(i - 1)) - (i - 1) * (G + bgAmongFirst(i));
      const expected = num / ((G + bgAmongFirst(i)) * (G + bgAmongFirst(i - 1)));
      worst = Math.max(worst, Math.abs(d[r] - expected) / expected);
    }
    expect(worst).toBeLessThanOrEqual(1e-15);
    // The last pixel is background after every foreground pixel: it changes nothing.
    expect(d[n - 1]).toBe(0);
  });

  it('rejects a value other than 0 or 1, naming it and its index', () => {
    expect(() => lovaszGrad([0, 1, 2])).toThrow(RangeError);
    expect(() => lovaszGrad([0, 1, 2])).toThrow(
      /^lovaszGrad: 'gtSorted' must hold only 0 and 1, got 2 at index 2$/,
    );
  });

  it('rejects NaN in the ground truth', () => {
    expect(() => lovaszGrad([1, Number.NaN])).toThrow(RangeError);
    expect(() => lovaszGrad([1, Number.NaN])).toThrow(/'gtSorted'.*got NaN at index 1/);
  });

  it('rejects a non-array ground truth', () => {
    expect(() => lovaszGrad('1010' as unknown as number[])).toThrow(TypeError);
    expect(() => lovaszGrad('1010' as unknown as number[])).toThrow(
      /^lovaszGrad: 'gtSorted' must be an array or a typed array, got '1010'$/,
    );
  });
});
