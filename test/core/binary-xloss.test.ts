import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryXloss } from '../../src/index.js';
import {
  bitIdentical,
  expectMatchesReference,
  f32,
  GRAD_ABS_TOL,
  ignoreModeArb,
  ignoreValueArb,
  labelsArb,
  logitArb,
} from '../arbitraries.js';
import { refBinaryXloss } from '../reference.js';

const logitsArb = fc.oneof(
  logitArb,
  fc.float({ min: -30, max: 30, noNaN: true }),
  fc.constantFrom(-1e4, 1e4, -88.5, 88.5),
);

const caseArb = fc
  .record({ n: fc.integer({ min: 0, max: 60 }), mode: ignoreModeArb, ignore: ignoreValueArb })
  .chain(({ n, mode, ignore }) =>
    fc.record({
      logits: fc.array(logitsArb, { minLength: n, maxLength: n }).map(f32),
      labels: labelsArb(n, 2, ignore, mode),
      options: fc.constant({ ignore }),
    }),
  );

describe('binaryXloss', () => {
  it('agrees with the reference on loss and gradient, with and without void pixels', () => {
    fc.assert(
      fc.property(caseArb, ({ logits, labels, options }) => {
        expectMatchesReference(
          binaryXloss(logits, labels, options),
          refBinaryXloss(logits, labels, options),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('has a gradient that matches central finite differences', () => {
    // Logits on a 1/64 grid and h = 2^-12 keep x +- h exact in float32. The loss is smooth:
    // the truncation error h^2/6 |f'''| is below 1e-8 and the rounding of the loss below 1e-12,
    // so what is left is the float32 rounding of the returned gradient.
    const h = 2 ** -12;
    fc.assert(
      fc.property(caseArb, ({ logits, labels, options }) => {
        const grid = f32(
          Array.from(logits, (x) => Math.round(Math.max(-6, Math.min(6, x)) * 64) / 64),
        );
        const { grad } = binaryXloss(grid, labels, options);
        for (let i = 0; i < grid.length; i++) {
          const plus = grid.slice();
          const minus = grid.slice();
          plus[i] += h;
          minus[i] -= h;
          const fd =
            (binaryXloss(plus, labels, options).loss - binaryXloss(minus, labels, options).loss) /
            (2 * h);
          expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(GRAD_ABS_TOL);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gives the documented example', () => {
    const { loss, grad } = binaryXloss([2, -1], [1, 0]);
    expect(loss).toBeCloseTo((Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1))) / 2, 15);
    expect(grad[0]).toBeCloseTo((1 / (1 + Math.exp(-2)) - 1) / 2, 7);
    expect(grad[1]).toBeCloseTo(1 / (1 + Math.exp(1)) / 2, 7);
  });

  it('binaryXloss ignores void pixels: the mean is over the valid pixels only', () => {
    const withVoid = binaryXloss(f32([2, 5, -1]), [1, 255, 0], { ignore: 255 });
    const without = binaryXloss(f32([2, -1]), [1, 0]);
    expect(withVoid.loss).toBe(without.loss);
    expect(Array.from(withVoid.grad)).toEqual([without.grad[0], 0, without.grad[1]]);
  });

  it('binaryXloss with every pixel ignored returns 0 and a zero gradient', () => {
    const { loss, grad } = binaryXloss([1, -2, 3], [-1, -1, -1], { ignore: -1 });
    expect(loss).toBe(0);
    expect(Array.from(grad)).toEqual([0, 0, 0]);
  });

  it('binaryXloss of no pixels is 0 with an empty gradient', () => {
    const { loss, grad } = binaryXloss([], []);
    expect(loss).toBe(0);
    expect(grad.length).toBe(0);
  });

  it('binaryXloss does not overflow for huge logits', () => {
    const { loss, grad } = binaryXloss(f32([1e30, -1e30, 1e30, -1e30]), [0, 1, 1, 0]);
    expect(loss).toBe(Math.fround(1e30) / 2);
    expect(Array.from(grad)).toEqual([0.25, -0.25, 0, 0]);
  });

  it('binaryXloss reads logits at float32 precision', () => {
    expect(
      bitIdentical(binaryXloss([0.1, -0.7], [1, 0]), binaryXloss(f32([0.1, -0.7]), [1, 0])),
    ).toBe(true);
  });

  it('binaryXloss is deterministic and does not modify its inputs', () => {
    fc.assert(
      fc.property(caseArb, ({ logits, labels, options }) => {
        const copies = structuredClone({ logits, labels, options });
        const a = binaryXloss(logits, labels, options);
        const b = binaryXloss(logits, labels, options);
        expect(bitIdentical(a, b)).toBe(true);
        expect({ logits, labels, options }).toEqual(copies);
      }),
      { numRuns: 50 },
    );
  });
});

describe('binaryXloss rejects bad inputs', () => {
  const call =
    (...args: unknown[]) =>
    () =>
      (binaryXloss as (...a: unknown[]) => unknown)(...args);

  it('rejects labels of a different length than the logits', () => {
    const f = call([0, 1, 2], [1, 0]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^binaryXloss: 'labels' has 2 values but 'logits' \(3 values\) needs 3$/);
  });

  it('rejects a NaN logit', () => {
    const f = call([0, Number.NaN], [1, 0]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^binaryXloss: 'logits' must be finite, got NaN at index 1$/);
  });

  it('rejects an infinite logit', () => {
    const f = call(f32([Number.POSITIVE_INFINITY, 0]), [1, 0]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^binaryXloss: 'logits' must be finite, got Infinity at index 0$/);
  });

  it('rejects a negatively infinite logit', () => {
    const f = call([0, -Infinity], [1, 0]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^binaryXloss: 'logits' must be finite, got -Infinity at index 1$/);
  });

  it('rejects a label other than 0, 1 or the ignore label', () => {
    const f = call([0, 1], [1, 2], { ignore: 255 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^binaryXloss: 'labels' must be 0 or 1 or the ignore label 255, got 2 at index 1$/,
    );
  });

  it('rejects a fractional label', () => {
    const f = call([0, 1], [0.5, 1]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^binaryXloss: 'labels' must be 0 or 1, got 0.5 at index 0$/);
  });

  it('rejects an unknown option', () => {
    const f = call([0, 1], [1, 0], { perImage: true });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^binaryXloss: unknown option 'perImage' \(known options: 'ignore', 'reduction', 'out'\)$/,
    );
  });

  it('rejects a non-integer ignore label', () => {
    const f = call([0, 1], [1, 0], { ignore: Number.NaN });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^binaryXloss: 'ignore' must be null or an integer label.*got NaN$/);
  });

  it('rejects logits that are not an array', () => {
    const f = call(3, [1]);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^binaryXloss: 'logits' must be an array or a typed array, got 3$/);
  });

  it('rejects labels that are not an array', () => {
    const f = call([0], new Set([1]));
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^binaryXloss: 'labels' must be an array or a typed array, got Set$/);
  });
});
