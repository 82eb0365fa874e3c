import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xloss } from '../../src/index.js';
import {
  bitIdentical,
  dimsArb,
  expectMatchesReference,
  f32,
  GRAD_ABS_TOL,
  ignoreModeArb,
  labelsArb,
  layoutArb,
  logitArb,
} from '../arbitraries.js';
import { nchwToNhwc } from '../golden.js';
import { refXloss } from '../reference.js';

const caseArb = fc
  .record({
    dims: dimsArb,
    C: fc.integer({ min: 1, max: 5 }),
    layout: layoutArb,
    mode: ignoreModeArb,
    ignore: fc.constantFrom(255, -1, undefined),
  })
  .chain(({ dims: [B, H, W], C, layout, mode, ignore }) => {
    const n = B * H * W;
    return fc.record({
      logits: fc
        .array(fc.oneof(logitArb, fc.float({ min: -40, max: 40, noNaN: true })), {
          minLength: n * C,
          maxLength: n * C,
        })
        .map(f32),
      // undefined: the default, no ignore label, so no pixel is void.
      labels: labelsArb(n, C, ignore ?? 255, ignore === undefined ? 'none' : mode),
      shape: fc.constant<number[]>(layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W]),
      options: fc.constant(ignore === undefined ? { layout } : { layout, ignore }),
    });
  });

describe('xloss', () => {
  it('agrees with the reference on loss and gradient over shapes, layouts and ignore fractions', () => {
    fc.assert(
      fc.property(caseArb, ({ logits, labels, shape, options }) => {
        expectMatchesReference(
          xloss(logits, labels, shape, options),
          refXloss(logits, labels, shape, options),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same result in NCHW as in NHWC (gradient in the layout of the input)', () => {
    fc.assert(
      fc.property(caseArb, ({ logits, labels, shape, options }) => {
        fc.pre(options.layout === 'NCHW');
        const [B, C, H, W] = shape;
        const nchw = xloss(logits, labels, shape, options);
        const nhwc = xloss(nchwToNhwc(logits, shape), labels, [B, H, W, C], {
          ...options,
          layout: 'NHWC',
        });
        expect(nchw.loss).toBe(nhwc.loss);
        expect(Array.from(nchwToNhwc(nchw.grad, shape))).toEqual(Array.from(nhwc.grad));
      }),
      { numRuns: 150 },
    );
  });

  it('has a gradient that matches central finite differences', () => {
    // As for binaryXloss: logits on a 1/64 grid, h = 2^-12 exact in float32, smooth loss.
    const h = 2 ** -12;
    fc.assert(
      fc.property(caseArb, ({ logits, labels, shape, options }) => {
        fc.pre(logits.length <= 80);
        const grid = f32(
          Array.from(logits, (x) => Math.round(Math.max(-6, Math.min(6, x)) * 64) / 64),
        );
        const { grad } = xloss(grid, labels, shape, options);
        for (let i = 0; i < grid.length; i++) {
          const plus = grid.slice();
          const minus = grid.slice();
          plus[i] += h;
          minus[i] -= h;
          const fd =
            (xloss(plus, labels, shape, options).loss - xloss(minus, labels, shape, options).loss) /
            (2 * h);
          expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(GRAD_ABS_TOL);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gives the documented example', () => {
    // Pixel 0: logits (2, 0), label 0; pixel 1: logits (0, 1), label 1.
    const { loss } = xloss([2, 0, 0, 1], [0, 1], [1, 1, 2, 2]);
    expect(loss).toBeCloseTo((Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1))) / 2, 15);
  });

  it('xloss has no ignore label by default, as every loss: 255 is refused with the fix', () => {
    const f = () => xloss([2, 0], [255], [1, 1, 1, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^xloss: 'labels' must be an integer in \[0, 2\), got 255 at index 0 \(if 255 marks void pixels, pass ignore: 255\)$/,
    );
  });

  it('xloss with ignore 255 skips the pixels labelled 255', () => {
    const withVoid = xloss(f32([2, 0, 9, -9, 0, 1]), [0, 255, 1], [1, 1, 3, 2], { ignore: 255 });
    const without = xloss(f32([2, 0, 0, 1]), [0, 1], [1, 1, 2, 2]);
    expect(withVoid.loss).toBe(without.loss);
    expect(Array.from(withVoid.grad)).toEqual([
      without.grad[0],
      without.grad[1],
      0,
      0,
      without.grad[2],
      without.grad[3],
    ]);
  });

  it('xloss with ignore null treats 255 as an invalid label', () => {
    const f = () => xloss([2, 0], [255], [1, 1, 1, 2], { ignore: null });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^xloss: 'labels' must be an integer in \[0, 2\), got 255 at index 0 \(if 255 marks void pixels, pass ignore: 255\)$/,
    );
  });

  it('xloss with every pixel ignored returns 0 and a zero gradient', () => {
    const { loss, grad } = xloss([1, 2, 3, 4], [255, 255], [1, 1, 2, 2], { ignore: 255 });
    expect(loss).toBe(0);
    expect(Array.from(grad)).toEqual([0, 0, 0, 0]);
  });

  it('xloss of an empty batch (B = 0) is 0 with an empty gradient', () => {
    const { loss, grad } = xloss([], [], [0, 2, 2, 3]);
    expect(loss).toBe(0);
    expect(grad.length).toBe(0);
  });

  it('xloss with one class is 0 with a zero gradient', () => {
    const { loss, grad } = xloss([3, -7], [0, 0], [1, 1, 2, 1]);
    expect(loss).toBe(0);
    expect(Array.from(grad)).toEqual([0, 0]);
  });

  it('xloss gradients sum to zero over the classes of each pixel', () => {
    const { grad } = xloss(f32([1, 2, 3, -1, 0.5, 0.25]), [2, 0], [1, 1, 2, 3]);
    expect(Math.abs(grad[0] + grad[1] + grad[2])).toBeLessThanOrEqual(1e-7);
    expect(Math.abs(grad[3] + grad[4] + grad[5])).toBeLessThanOrEqual(1e-7);
  });

  it('xloss does not overflow for huge logits', () => {
    const { loss, grad } = xloss(f32([1e30, -1e30, 1e30, -1e30]), [1, 0], [1, 1, 2, 2]);
    expect(loss).toBe(Math.fround(1e30));
    expect(Array.from(grad)).toEqual([0.5, -0.5, 0, 0]);
  });

  it('xloss is deterministic and does not modify its inputs', () => {
    fc.assert(
      fc.property(caseArb, ({ logits, labels, shape, options }) => {
        const copies = structuredClone({ logits, labels, shape, options });
        const a = xloss(logits, labels, shape, options);
        const b = xloss(logits, labels, shape, options);
        expect(bitIdentical(a, b)).toBe(true);
        expect({ logits, labels, shape, options }).toEqual(copies);
      }),
      { numRuns: 50 },
    );
  });
});

describe('xloss rejects bad inputs', () => {
  const logits = f32([2, 0, 0, 1]);
  const call =
    (...args: unknown[]) =>
    () =>
      (xloss as (...a: unknown[]) => unknown)(...args);

  it('rejects a shape without a spatial axis (rank below 3)', () => {
    const f = call(logits, [0, 1], [1, 4]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^xloss: 'shape' must be \[B, \.\.\.spatial, C\] \(rank >= 3\), got \[1, 4\] \(rank 2\)$/,
    );
  });

  it('names the NCHW shape when the layout is NCHW', () => {
    const f = call(logits, [0, 1], [1, 4], { layout: 'NCHW' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^xloss: 'shape' must be \[B, C, \.\.\.spatial\] \(rank >= 3\), got \[1, 4\]/,
    );
  });

  it('rejects a negative dimension', () => {
    const f = call([], [], [1, 2, -1, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'shape' must hold non-negative integers .*got \[1, 2, -1, 2\]$/);
  });

  it('rejects zero classes', () => {
    const f = call([], [0, 0], [1, 1, 2, 0]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^xloss: 'logits' needs at least one channel, got shape \[1, 1, 2, 0\] \(NHWC: \[B, \.\.\.spatial, C\]\)$/,
    );
  });

  it('rejects logits that do not fill the shape', () => {
    const f = call(logits, [0, 1], [1, 1, 2, 3]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'logits' has 4 values but shape \[1, 1, 2, 3\] needs 6$/);
  });

  it('rejects labels of a different length than the pixels', () => {
    const f = call(logits, [0, 1, 1], [1, 1, 2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^xloss: 'labels' has 3 values but \[B, \.\.\.spatial\] = \[1, 1, 2\] needs 2$/,
    );
  });

  it('rejects a label outside [0, C)', () => {
    const f = call(logits, [0, 2], [1, 1, 2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'labels' must be an integer in \[0, 2\), got 2 at index 1$/);
  });

  it('rejects a NaN logit', () => {
    const f = call([2, 0, Number.NaN, 1], [0, 1], [1, 1, 2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'logits' must be finite, got NaN at index 2$/);
  });

  it('rejects an infinite logit', () => {
    const f = call([2, Number.POSITIVE_INFINITY, 0, 1], [0, 1], [1, 1, 2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'logits' must be finite, got Infinity at index 1$/);
  });

  it('rejects a negatively infinite logit', () => {
    const f = call([2, 0, 0, -Infinity], [0, 1], [1, 1, 2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'logits' must be finite, got -Infinity at index 3$/);
  });

  it('rejects an unknown layout', () => {
    const f = call(logits, [0, 1], [1, 1, 2, 2], { layout: 'nhwc' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'layout' must be 'NHWC' or 'NCHW', got 'nhwc'$/);
  });

  it('rejects an unknown option', () => {
    const f = call(logits, [0, 1], [1, 1, 2, 2], { ignore_index: 255 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^xloss: unknown option 'ignore_index' \(known options: 'ignore', 'layout', 'reduction', 'out'\)$/,
    );
  });

  it('rejects a non-integer ignore label', () => {
    const f = call(logits, [0, 1], [1, 1, 2, 2], { ignore: 1.5 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^xloss: 'ignore' must be null or an integer label.*got 1.5$/);
  });

  it('rejects logits that are not an array', () => {
    const f = call(undefined, [0, 1], [1, 1, 2, 2]);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^xloss: 'logits' must be an array or a typed array, got undefined$/);
  });

  it('rejects labels that are not an array', () => {
    const f = call(logits, { 0: 0, 1: 1, length: 2 }, [1, 1, 2, 2]);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^xloss: 'labels' must be an array or a typed array, got Object$/);
  });
});
