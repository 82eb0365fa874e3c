import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortDescending } from '../../src/index.js';
import { rng } from '../arbitraries.js';
import { sortedOrder } from '../reference.js';

/** The expected order: decreasing key, ties (and -0 vs +0) by increasing position. */
function expectedOrder(keys: ArrayLike<number>, n: number): number[] {
  return sortedOrder(Array.from(keys).slice(0, n));
}

/** Copies the result out of the sort's reusable buffers. */
function sortCopy(keys: Float32Array, n = keys.length): { order: number[]; keys: number[] } {
  const r = sortDescending(keys, n);
  return { order: Array.from(r.order), keys: Array.from(r.keys) };
}

const keyArb = fc.oneof(
  { arbitrary: fc.float({ noNaN: true }), weight: 4 },
  {
    arbitrary: fc.constantFrom(0, -0, 1, -1, 0.5, Number.POSITIVE_INFINITY, -Infinity, 2 ** -149),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: -4, max: 4 }).map((k) => k / 4), weight: 2 },
);

describe('sortDescending', () => {
  it('orders float32 keys decreasingly, ties by increasing position', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { maxLength: 300 }), (values) => {
        const keys = Float32Array.from(values);
        const got = sortCopy(keys);
        const order = expectedOrder(keys, keys.length);
        expect(got.order).toEqual(order);
        // -0 comes back as +0: they are the same number and the sort does not tell them apart.
        expect(got.keys).toEqual(order.map((i) => (keys[i] === 0 ? 0 : keys[i])));
      }),
      { numRuns: 500 },
    );
  });

  it('treats -0 and +0 as equal keys, ordered by position', () => {
    const got = sortCopy(Float32Array.from([-0, 0, -0, 1, -1, 0]));
    expect(got.order).toEqual([3, 0, 1, 2, 5, 4]);
    expect(got.keys.map((k) => Object.is(k, -0))).toEqual(new Array(6).fill(false));
  });

  it('puts +Infinity first and -Infinity last', () => {
    const got = sortCopy(
      Float32Array.from([-Infinity, 3, Number.POSITIVE_INFINITY, -3, -Infinity]),
    );
    expect(got.order).toEqual([2, 1, 3, 0, 4]);
    expect(got.keys).toEqual([Number.POSITIVE_INFINITY, 3, -3, -Infinity, -Infinity]);
  });

  it('orders negative keys by value, not by bit pattern', () => {
    const got = sortCopy(Float32Array.from([-2, -0.5, -1e30, -1e-30, -1]));
    expect(got.order).toEqual([3, 1, 4, 0, 2]);
  });

  it('gives the documented example', () => {
    expect(sortCopy(Float32Array.from([0.5, 2, 0.5, -1])).order).toEqual([1, 0, 2, 3]);
  });

  it('returns empty views for n = 0', () => {
    const r = sortDescending(new Float32Array(0), 0);
    expect(r.order.length).toBe(0);
    expect(r.keys.length).toBe(0);
  });

  it('returns the single key for n = 1', () => {
    expect(sortCopy(Float32Array.from([-7]))).toEqual({ order: [0], keys: [-7] });
  });

  it('sorts only the first n keys of a longer array', () => {
    const got = sortCopy(Float32Array.from([1, 3, 2, 100, -100]), 3);
    expect(got).toEqual({ order: [1, 2, 0], keys: [3, 2, 1] });
  });

  it('reads a subarray at its byte offset', () => {
    const whole = Float32Array.from([9, 9, 1, 3, 2]);
    expect(sortCopy(whole.subarray(2)).order).toEqual([1, 2, 0]);
  });

  it('does not modify the keys', () => {
    const keys = Float32Array.from([-0, 3, -1, 3, Number.POSITIVE_INFINITY]);
    const copy = keys.slice();
    sortDescending(keys, keys.length);
    expect(Array.from(keys).map((k) => Object.is(k, -0))).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(keys).toEqual(copy);
  });

  it('stays correct when its buffers are reused across growing and shrinking sizes', () => {
    const random = rng(7);
    for (const n of [5, 20_000, 3, 0, 1, 50_000, 17, 20_000]) {
      // Keys spread over signs and exponents so that every radix pass has work to do.
      const keys = Float32Array.from({ length: n }, () => {
        const x = random();
        return x < 0.1 ? Math.round(x * 40) / 4 : (random() - 0.5) * 2 ** (random() * 60 - 30);
      });
      const got = sortCopy(keys);
      expect(got.order).toEqual(expectedOrder(keys, n));
    }
  });

  it('is stable when every key is equal', () => {
    const got = sortCopy(new Float32Array(1000).fill(0.25));
    expect(got.order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
