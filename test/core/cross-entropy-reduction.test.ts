import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryXloss, xloss } from '../../src/index.js';
import {
  dimsArb,
  expectReducedMatchesReference,
  f32,
  GRAD_ABS_TOL,
  ignoreModeArb,
  LOSS_REL_TOL,
  labelsArb,
  layoutArb,
  maxAbs,
  reductionArb,
  wideLogitArb,
} from '../arbitraries.js';
import { maxAbsDiff, relErr } from '../golden.js';
import { refBinaryXlossReduced, refXlossReduced } from '../reference.js';

const xlossCaseArb = fc
  .record({
    dims: dimsArb,
    C: fc.integer({ min: 1, max: 4 }),
    layout: layoutArb,
    mode: ignoreModeArb,
    reduction: reductionArb,
  })
  .chain(({ dims: [B, H, W], C, layout, mode, reduction }) => {
    const n = B * H * W;
    return fc.record({
      logits: fc.array(wideLogitArb, { minLength: n * C, maxLength: n * C }).map(f32),
      labels: labelsArb(n, C, 255, mode),
      shape: fc.constant(layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W]),
      options: fc.constant({ layout, reduction, ignore: 255 }),
    });
  });

const binaryCaseArb = fc
  .record({
    n: fc.integer({ min: 0, max: 60 }),
    mode: ignoreModeArb,
    reduction: reductionArb,
  })
  .chain(({ n, mode, reduction }) =>
    fc.record({
      logits: fc.array(wideLogitArb, { minLength: n, maxLength: n }).map(f32),
      labels: labelsArb(n, 2, 255, mode),
      options: fc.constant({ reduction, ignore: 255 }),
    }),
  );

describe('xloss reduction against the reference implementation', () => {
  it("agrees on loss, gradient and per-pixel losses for 'mean', 'sum' and 'none'", () => {
    fc.assert(
      fc.property(xlossCaseArb, ({ logits, labels, shape, options }) => {
        expectReducedMatchesReference(
          xloss(logits, labels, shape, options),
          refXlossReduced(logits, labels, shape, options),
        );
      }),
      { numRuns: 400 },
    );
  });

  it("'sum' is n_valid times 'mean'; 'none' sums to 'sum' and has its gradient", () => {
    fc.assert(
      fc.property(xlossCaseArb, ({ logits, labels, shape, options }) => {
        const n = labels.filter((y) => y !== 255).length;
        const o = { layout: options.layout, ignore: 255 };
        const mean = xloss(logits, labels, shape, { ...o, reduction: 'mean' });
        const sum = xloss(logits, labels, shape, { ...o, reduction: 'sum' });
        const none = xloss(logits, labels, shape, { ...o, reduction: 'none' });
        expect(relErr(sum.loss, n * mean.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
        const scaled = Array.from(mean.grad, (g) => n * g);
        expect(maxAbsDiff(sum.grad, scaled)).toBeLessThanOrEqual(Math.max(n, 1) * GRAD_ABS_TOL);
        expect(none.loss).toBe(sum.loss);
        expect(Array.from(none.grad)).toEqual(Array.from(sum.grad));
        const perPixel = Array.from(none.losses ?? []);
        expect(perPixel.length).toBe(labels.length);
        labels.forEach((y, px) => {
          if (y === 255) expect(perPixel[px]).toBe(0);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("'none' with B = 0 and with every pixel void", () => {
    const empty = xloss([], [], [0, 2, 2, 3], { reduction: 'none' });
    expect(Array.from(empty.losses ?? [1])).toEqual([]);
    expect(empty.loss).toBe(0);
    const allVoid = xloss([1, 2, 3, 4], [255, 255], [1, 1, 2, 2], {
      reduction: 'none',
      ignore: 255,
    });
    expect(Array.from(allVoid.losses ?? [])).toEqual([0, 0]);
    expect(allVoid.loss).toBe(0);
    expect(maxAbs(allVoid.grad)).toBe(0);
    const sum = xloss([1, 2, 3, 4], [255, 255], [1, 1, 2, 2], { reduction: 'sum', ignore: 255 });
    expect(sum.loss).toBe(0);
    expect(sum.losses).toBeUndefined();
  });

  it("'none' gives one loss per pixel in [B, H, W] order, also for NCHW", () => {
    // Two pixels, two classes, NCHW: pixel 0 has logits (0, 1), pixel 1 (2, 0).
    const r = xloss([0, 2, 1, 0], [1, 0], [1, 2, 1, 2], { layout: 'NCHW', reduction: 'none' });
    const l = Math.log(Math.exp(0) + Math.exp(1)) - 1;
    const m = Math.log(Math.exp(2) + Math.exp(0)) - 2;
    expect(relErr(r.losses?.[0] ?? 0, l)).toBeLessThanOrEqual(LOSS_REL_TOL);
    expect(relErr(r.losses?.[1] ?? 0, m)).toBeLessThanOrEqual(LOSS_REL_TOL);
  });

  it("rejects reduction 'avg'", () => {
    const f = () => xloss([0, 1], [0], [1, 1, 1, 2], { reduction: 'avg' as unknown as 'mean' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'reduction' must be 'mean', 'sum' or 'none', got 'avg'$/);
  });

  it('rejects a null reduction', () => {
    const f = () => xloss([0, 1], [0], [1, 1, 1, 2], { reduction: null as unknown as 'mean' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^xloss: 'reduction' must be 'mean', 'sum' or 'none', got null$/);
  });
});

describe('binaryXloss reduction against the reference implementation', () => {
  it("agrees on loss, gradient and per-pixel losses for 'mean', 'sum' and 'none'", () => {
    fc.assert(
      fc.property(binaryCaseArb, ({ logits, labels, options }) => {
        expectReducedMatchesReference(
          binaryXloss(logits, labels, options),
          refBinaryXlossReduced(logits, labels, options),
        );
      }),
      { numRuns: 400 },
    );
  });

  it("'sum' is n_valid times 'mean'; 'none' sums to 'sum', 0 at void pixels", () => {
    fc.assert(
      fc.property(binaryCaseArb, ({ logits, labels }) => {
        const n = labels.filter((y) => y !== 255).length;
        const o = { ignore: 255 };
        const mean = binaryXloss(logits, labels, { ...o, reduction: 'mean' });
        const sum = binaryXloss(logits, labels, { ...o, reduction: 'sum' });
        const none = binaryXloss(logits, labels, { ...o, reduction: 'none' });
        expect(relErr(sum.loss, n * mean.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
        const scaled = Array.from(mean.grad, (g) => n * g);
        expect(maxAbsDiff(sum.grad, scaled)).toBeLessThanOrEqual(Math.max(n, 1) * GRAD_ABS_TOL);
        expect(none.loss).toBe(sum.loss);
        expect(Array.from(none.grad)).toEqual(Array.from(sum.grad));
        const perPixel = Array.from(none.losses ?? []);
        expect(perPixel.length).toBe(labels.length);
        labels.forEach((y, i) => {
          if (y === 255) expect(perPixel[i]).toBe(0);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("'none' with no pixel and with every pixel void", () => {
    expect(Array.from(binaryXloss([], [], { reduction: 'none' }).losses ?? [1])).toEqual([]);
    const allVoid = binaryXloss([1, -3], [9, 9], { ignore: 9, reduction: 'none' });
    expect(Array.from(allVoid.losses ?? [])).toEqual([0, 0]);
    expect(allVoid.loss).toBe(0);
    expect(maxAbs(allVoid.grad)).toBe(0);
  });

  it("gives the documented example with 'sum'", () => {
    const { loss } = binaryXloss([2, -1], [1, 0], { reduction: 'sum' });
    expect(relErr(loss, Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)))).toBeLessThanOrEqual(
      LOSS_REL_TOL,
    );
  });

  it("rejects reduction 'avg'", () => {
    const f = () => binaryXloss([0, 1], [0, 1], { reduction: 'avg' as unknown as 'mean' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^binaryXloss: 'reduction' must be 'mean', 'sum' or 'none', got 'avg'$/);
  });

  it("rejects an unknown option 'reduce'", () => {
    const f = () => binaryXloss([0, 1], [0, 1], { reduce: 'sum' } as unknown as object);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^binaryXloss: unknown option 'reduce' \(known options: 'ignore', 'reduction', 'out'\)$/,
    );
  });
});
