import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LovaszHingeOptions, lovaszHinge, lovaszHingeFlat } from '../../src/index.js';
import {
  bitIdentical,
  dimsArb,
  ignoreModeArb,
  ignoreValueArb,
  labelsArb,
  rng,
} from '../arbitraries.js';

type Shape = [number, number, number];

/** The same call on both kernels, which must agree to the bit (losses included). */
function expectSameBits(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: readonly number[],
  options: LovaszHingeOptions = {},
): void {
  const js = lovaszHinge(logits, labels, shape, { ...options, kernel: 'js' });
  const wasm = lovaszHinge(logits, labels, shape, { ...options, kernel: 'wasm' });
  expect(bitIdentical(wasm, js)).toBe(true);
  expect(wasm.losses && Array.from(wasm.losses)).toEqual(js.losses && Array.from(js.losses));
}

/** Random logits N(0, s) (float32) and fair 0/1 labels, as the benchmark draws them. */
function randomCase(
  shape: Shape,
  seed: number,
  spread = 1,
): { logits: Float32Array; labels: Int32Array } {
  const rand = rng(seed);
  const n = shape[0] * shape[1] * shape[2];
  const logits = new Float32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rand() < 0.5 ? 1 : 0;
    logits[i] = (rand() + rand() + rand() - 1.5) * 2 * spread;
  }
  return { logits, labels };
}

/** Builds an array of one type from plain values. */
type ArrayOf = (values: number[]) => ArrayLike<number>;
const ARRAY_TYPES: Record<string, ArrayOf> = {
  Array: (v) => v.slice(),
  Int8Array: (v) => Int8Array.from(v),
  Uint8Array: (v) => Uint8Array.from(v),
  Uint8ClampedArray: (v) => Uint8ClampedArray.from(v),
  Int16Array: (v) => Int16Array.from(v),
  Uint16Array: (v) => Uint16Array.from(v),
  Int32Array: (v) => Int32Array.from(v),
  Uint32Array: (v) => Uint32Array.from(v),
  Float32Array: (v) => Float32Array.from(v),
  Float64Array: (v) => Float64Array.from(v),
};
const LABEL_TYPES = Object.values(ARRAY_TYPES);
const LOGIT_TYPES = [ARRAY_TYPES.Array, ARRAY_TYPES.Float32Array, ARRAY_TYPES.Float64Array];

const kernelCaseArb = fc
  .record({
    dims: dimsArb,
    perImage: fc.boolean(),
    mode: ignoreModeArb,
    ignore: ignoreValueArb,
    reduction: fc.constantFrom('mean', 'sum', 'none') as fc.Arbitrary<'mean' | 'sum' | 'none'>,
    labelType: fc.constantFrom(...LABEL_TYPES),
    logitType: fc.constantFrom(...LOGIT_TYPES),
    tied: fc.boolean(),
  })
  // Only label arrays that can hold the ignore label (no 255 in an Int8Array, no -1 unsigned).
  .filter(({ ignore, labelType }) => labelType([ignore])[0] === ignore)
  .chain(({ dims, mode, ignore, tied, ...rest }) => {
    const n = dims[0] * dims[1] * dims[2];
    // Tied logits make equal keys, where only the tie rule (pixel order) decides.
    const logit = tied
      ? fc.constantFrom(-1, -0.5, -0, 0, 0.5, 1, 2)
      : fc.double({ min: -4, max: 4, noNaN: true });
    return fc.record({
      shape: fc.constant(dims),
      ignore: fc.constant(ignore),
      rest: fc.constant(rest),
      logits: fc.array(logit, { minLength: n, maxLength: n }),
      labels: labelsArb(n, 2, ignore, mode),
    });
  });

describe("lovaszHinge kernel 'wasm' and kernel 'js'", () => {
  it('return the same bits over random shapes, ties, ignore labels, reductions and array types', () => {
    fc.assert(
      fc.property(kernelCaseArb, ({ shape, ignore, rest, logits, labels }) => {
        const { perImage, reduction, labelType, logitType } = rest;
        expectSameBits(logitType(logits), labelType(labels), shape, {
          perImage,
          ignore,
          reduction,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('return the same bits on 3 images of 200x200 pixels, random and nearly all correct', () => {
    const { logits, labels } = randomCase([3, 200, 200], 7);
    expectSameBits(logits, labels, [3, 200, 200]);
    expectSameBits(logits, labels, [3, 200, 200], { perImage: false, reduction: 'sum' });
    for (let i = 0; i < logits.length; i++) if (i % 10 !== 0) logits[i] = (2 * labels[i] - 1) * 3;
    expectSameBits(logits, labels, [3, 200, 200], { ignore: 0 });
  });

  it('return the same bits when every error is tied, where pixel order breaks the ties', () => {
    const n = 5000;
    const labels = Int32Array.from({ length: n }, (_, i) => ((i * 7919) % 3 === 0 ? 1 : 0));
    expectSameBits(new Float32Array(n), labels, [1, 50, 100]);
    expectSameBits(new Float32Array(n).fill(0.25), labels, [2, 25, 100]);
  });

  it('return the same bits with errors spread over every float32 exponent', () => {
    const rand = rng(3);
    const n = 20000;
    const logits = Float32Array.from(
      { length: n },
      () => (rand() - 0.5) * 2 ** (rand() * 250 - 125),
    );
    const labels = Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
    expectSameBits(logits, labels, [4, 50, 100]);
  });

  it('return the same bits as the WebAssembly memory grows and is reused by smaller calls', () => {
    const shapes: Shape[] = [
      [1, 3, 3],
      [2, 100, 120],
      [1, 4, 5],
      [1, 300, 310],
      [3, 17, 19],
    ];
    shapes.forEach((shape, seed) => {
      const { logits, labels } = randomCase(shape, seed);
      expectSameBits(logits, labels, shape, { ignore: 255 });
    });
  });

  it('return the same bits when images span several 16384-pixel staging chunks and end mid-chunk', () => {
    const shape: Shape = [2, 131, 257]; // 33667 pixels per image: 2 chunks and 899 (not 4k)
    const { logits, labels } = randomCase(shape, 13);
    expectSameBits(logits, labels, shape);
    expectSameBits(logits, labels, shape, { perImage: false, reduction: 'none' });
    // Plain arrays are staged element by element.
    expectSameBits(Array.from(logits), Array.from(labels), shape, { ignore: 255 });
  });

  it('lovaszHingeFlat takes the WebAssembly kernel and gives the bits of kernel js', () => {
    const { logits, labels } = randomCase([1, 40, 50], 11);
    const flat = lovaszHingeFlat(logits, labels);
    expect(bitIdentical(flat, lovaszHinge(logits, labels, [1, 40, 50], { kernel: 'js' }))).toBe(
      true,
    );
  });
});

describe("lovaszHinge kernel 'wasm' rejects bad values exactly as kernel 'js' does", () => {
  const messageOf = (f: () => unknown): string => {
    try {
      f();
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
    return 'no error';
  };
  const both = (
    logits: ArrayLike<number>,
    labels: ArrayLike<number>,
    options: LovaszHingeOptions = {},
  ) => {
    const shape = [1, 1, logits.length];
    const js = messageOf(() => lovaszHinge(logits, labels, shape, { ...options, kernel: 'js' }));
    const wasm = messageOf(() =>
      lovaszHinge(logits, labels, shape, { ...options, kernel: 'wasm' }),
    );
    const auto = messageOf(() => lovaszHinge(logits, labels, shape, options));
    expect(wasm).toBe(js);
    expect(auto).toBe(js);
    return js;
  };

  it.each(['Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array'] as const)(
    'names a label other than 0, 1 or the ignore label in an %s',
    (type) => {
      const labels = globalThis[type].from([0, 1, 2, 1]);
      expect(both([1, 2, 3, 4], labels)).toBe(
        "RangeError: lovaszHinge: 'labels' must be 0 or 1, got 2 at index 2",
      );
      expect(both([1, 2, 3, 4], labels, { ignore: 5 })).toMatch(/got 2 at index 2$/);
    },
  );

  it('does not take 2^32 - 1 in a Uint32Array for the ignore label -1 it wraps to', () => {
    const labels = Uint32Array.from([0, 2 ** 32 - 1, 1]);
    expect(both([1, 2, 3], labels)).toMatch(/'labels' must be 0 or 1, got 4294967295 at index 1$/);
    expect(both([1, 2, 3], labels, { ignore: -1 })).toMatch(/got 4294967295 at index 1$/);
  });

  it('names a fractional label in a Float32Array, which int32 conversion would truncate', () => {
    expect(both([1, 2, 3], Float32Array.from([0, 0.5, 1]))).toMatch(/got 0.5 at index 1$/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'names a logit of %s in a Float32Array or a Float64Array',
    (bad) => {
      for (const type of [Float32Array, Float64Array]) {
        const logits = type.from([0.5, -1, bad, 2]);
        expect(both(logits, Int32Array.from([1, 0, 1, 1]))).toMatch(
          /^RangeError: lovaszHinge: 'logits' must be finite, got (NaN|-?Infinity) at index 2$/,
        );
      }
    },
  );

  it('reports the first bad logit before a bad label, as the checks run in that order', () => {
    const msg = both(Float32Array.from([1, Number.NaN]), Int32Array.from([7, 0]));
    expect(msg).toMatch(/'logits' must be finite, got NaN at index 1$/);
  });

  it('ignores a pixel whose label is the ignore label in an integer typed array', () => {
    const labels = Int16Array.from([1, -1, 0, -1]);
    const r = lovaszHinge([0.5, 9, -0.5, -9], labels, [1, 2, 2], { ignore: -1, kernel: 'wasm' });
    expect(Array.from(r.grad.filter((_, i) => i % 2 === 1))).toEqual([0, 0]);
    expect(
      bitIdentical(
        r,
        lovaszHinge([0.5, 9, -0.5, -9], labels, [1, 2, 2], { ignore: -1, kernel: 'js' }),
      ),
    ).toBe(true);
  });

  it('agrees with kernel js on a float64 logit too large for float32 (an infinite key)', () => {
    const logits = Float64Array.from([1e300, -2, 0.5]);
    const labels = Int32Array.from([0, 1, 1]);
    const js = lovaszHinge(logits, labels, [1, 1, 3], { kernel: 'js' });
    const auto = lovaszHinge(logits, labels, [1, 1, 3]);
    expect(Object.is(auto.loss, js.loss)).toBe(true);
    expect(Array.from(auto.grad)).toEqual(Array.from(js.grad));
  });

  it('leaves the inputs unchanged', () => {
    const { logits, labels } = randomCase([2, 30, 30], 5);
    const before = [Float32Array.from(logits), Int32Array.from(labels)];
    lovaszHinge(logits, labels, [2, 30, 30], { kernel: 'wasm' });
    expect(logits).toEqual(before[0]);
    expect(labels).toEqual(before[1]);
  });
});

describe("lovaszHinge option 'kernel'", () => {
  const logits = [2, -1, 0.5, -3];
  const labels = [1, 0, 0, 1];
  const shape = [1, 2, 2];

  it("rejects a value other than 'auto', 'wasm' or 'js'", () => {
    expect(() => lovaszHinge(logits, labels, shape, { kernel: 'simd' as never })).toThrow(
      /^lovaszHinge: 'kernel' must be 'auto', 'wasm' or 'js', got 'simd'$/,
    );
    expect(() => lovaszHinge(logits, labels, shape, { kernel: null as never })).toThrow(RangeError);
  });

  it("throws with kernel 'wasm' for a variant the WebAssembly kernel does not compute", () => {
    expect(() => lovaszHinge(logits, labels, shape, { kernel: 'wasm', variant: 'elu+1' })).toThrow(
      /^lovaszHinge: kernel 'wasm' cannot run this call: it computes variant 'relu' only, got 'elu\+1'$/,
    );
    expect(() => lovaszHinge(logits, labels, shape, { kernel: 'wasm', symmetric: true })).toThrow(
      /kernel 'wasm' cannot run this call: it does not compute the symmetric hinge$/,
    );
  });

  it("throws with kernel 'wasm' for an ignore label beyond int32, which 'auto' computes in JS", () => {
    const big = 2 ** 31;
    expect(() => lovaszHinge(logits, labels, shape, { kernel: 'wasm', ignore: big })).toThrow(
      /cannot run this call: it needs an int32 ignore label, got 2147483648$/,
    );
    const auto = lovaszHinge(logits, [1, big, 0, 1], shape, { ignore: big });
    const js = lovaszHinge(logits, [1, big, 0, 1], shape, { ignore: big, kernel: 'js' });
    expect(bitIdentical(auto, js)).toBe(true);
  });

  it("accepts kernel 'wasm' on an input without pixels and returns 0", () => {
    expect(lovaszHinge([], [], [0, 4, 4], { kernel: 'wasm', variant: 'elu+1' }).loss).toBe(0);
    expect(lovaszHinge([], [], [2, 0, 4], { kernel: 'wasm' }).grad.length).toBe(0);
  });
});

describe('lovaszHinge without WebAssembly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("falls back to JavaScript with kernel 'auto' and says why with kernel 'wasm'", async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const fresh = await import('../../src/core/hinge.js');
    const { logits, labels } = randomCase([2, 10, 10], 9);
    const auto = fresh.lovaszHinge(logits, labels, [2, 10, 10]);
    vi.unstubAllGlobals();
    expect(bitIdentical(auto, lovaszHinge(logits, labels, [2, 10, 10], { kernel: 'js' }))).toBe(
      true,
    );
    expect(() => fresh.lovaszHinge(logits, labels, [2, 10, 10], { kernel: 'wasm' })).toThrow(
      /^lovaszHinge: kernel 'wasm' cannot run this call: .*WebAssembly/,
    );
  });
});

describe('lovaszHinge when WebAssembly memory cannot grow', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it("falls back to JavaScript with kernel 'auto' and names the bytes with kernel 'wasm'", async () => {
    vi.resetModules();
    const fresh = await import('../../src/core/hinge.js');
    const { logits, labels } = randomCase([2, 120, 130], 21);
    // A first small call instantiates the kernel with a small memory.
    fresh.lovaszHinge(logits.subarray(0, 16), labels.subarray(0, 16), [1, 4, 4]);
    vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    const auto = fresh.lovaszHinge(logits, labels, [2, 120, 130]);
    const js = lovaszHinge(logits, labels, [2, 120, 130], { kernel: 'js' });
    expect(bitIdentical(auto, js)).toBe(true);
    expect(() => fresh.lovaszHinge(logits, labels, [2, 120, 130], { kernel: 'wasm' })).toThrow(
      /^lovaszHinge: kernel 'wasm' cannot run this call: \d+ bytes of WebAssembly memory are not available$/,
    );
  });
});
