import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lovaszMultilabel, lovaszSoftmax } from '../../src/index.js';
import {
  type Classes,
  classesArb,
  classWeightsArb,
  dimsArb,
  expectReducedMatchesReference,
  f32,
  GRAD_ABS_TOL,
  type IgnoreMode,
  ignoreModeArb,
  ignoreValueArb,
  type Layout,
  LOSS_REL_TOL,
  layoutArb,
  maxAbs,
  probaArb,
  type Reduction,
  reductionArb,
  wideLogitArb,
} from '../arbitraries.js';
import { maxAbsDiff, nchwToNhwc, relErr } from '../golden.js';
import { refLovaszMultilabel, refSigmoid } from '../reference.js';

interface MultilabelCase {
  input: Float32Array;
  targets: number[];
  shape: number[];
  options: {
    classes: Classes;
    perImage: boolean;
    ignore: number;
    layout: Layout;
    fromLogits: boolean;
    classWeights: number[] | null;
    reduction: Reduction;
  };
}

/** n binary targets, with none, some or all of them set to `ignore` (per pixel and channel). */
function targetsArb(n: number, ignore: number, mode: IgnoreMode): fc.Arbitrary<number[]> {
  if (mode === 'all') return fc.constant(new Array<number>(n).fill(ignore));
  // Mostly 0 so that some channels have no positive target ('present' drops them).
  const target = fc.oneof(
    { arbitrary: fc.constant(0), weight: 2 },
    { arbitrary: fc.constant(1), weight: 1 },
  );
  const value =
    mode === 'none'
      ? target
      : fc.oneof({ arbitrary: target, weight: 3 }, { arbitrary: fc.constant(ignore), weight: 1 });
  return fc.array(value, { minLength: n, maxLength: n });
}

const multilabelCaseArb: fc.Arbitrary<MultilabelCase> = fc
  .record({
    dims: dimsArb,
    C: fc.integer({ min: 1, max: 4 }),
    layout: layoutArb,
    perImage: fc.boolean(),
    mode: ignoreModeArb,
    ignore: ignoreValueArb,
    fromLogits: fc.boolean(),
  })
  .chain(({ dims: [B, H, W], C, layout, perImage, mode, ignore, fromLogits }) => {
    const n = B * H * W * C;
    return fc.record({
      input: fc
        .array(fromLogits ? wideLogitArb : probaArb, { minLength: n, maxLength: n })
        .map(f32),
      targets: targetsArb(n, ignore, mode),
      shape: fc.constant(layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W]),
      options: fc.record({
        classes: classesArb(C),
        perImage: fc.constant(perImage),
        ignore: fc.constant(ignore),
        layout: fc.constant(layout),
        fromLogits: fc.constant(fromLogits),
        classWeights: classWeightsArb(C),
        reduction: reductionArb,
      }),
    });
  });

describe('lovaszMultilabel against the reference implementation', () => {
  it('agrees on loss, gradient and per-item losses over every option', () => {
    fc.assert(
      fc.property(multilabelCaseArb, ({ input, targets, shape, options }) => {
        const ref = refLovaszMultilabel(input, targets, shape, options);
        expectReducedMatchesReference(lovaszMultilabel(input, targets, shape, options), ref);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on tie-heavy inputs of up to 1500 pixels', () => {
    const largeArb = fc
      .record({
        B: fc.integer({ min: 1, max: 2 }),
        n: fc.integer({ min: 50, max: 1500 }),
        C: fc.integer({ min: 1, max: 3 }),
      })
      .chain(({ B, n, C }) =>
        fc.record({
          shape: fc.constant([B, 1, n, C]),
          input: fc
            .array(fc.constantFrom(0, 0.25, 0.5, 0.75, 1), {
              minLength: B * n * C,
              maxLength: B * n * C,
            })
            .map(f32),
          targets: targetsArb(B * n * C, 255, 'some'),
          options: fc.record({
            classes: classesArb(C),
            perImage: fc.boolean(),
            ignore: fc.constant(255),
            classWeights: classWeightsArb(C),
            reduction: fc.constantFrom<Reduction>('mean', 'sum'),
          }),
        }),
      );
    fc.assert(
      fc.property(largeArb, ({ shape, input, targets, options }) => {
        expectReducedMatchesReference(
          lovaszMultilabel(input, targets, shape, options),
          refLovaszMultilabel(input, targets, shape, options),
        );
      }),
      { numRuns: 20 },
    );
  });

  it('gives the same result in NCHW as in NHWC (gradient in the layout of the input)', () => {
    fc.assert(
      fc.property(multilabelCaseArb, ({ input, targets, shape, options }) => {
        fc.pre(options.layout === 'NCHW');
        const [B, C, H, W] = shape;
        const nchw = lovaszMultilabel(input, targets, shape, options);
        const nhwc = lovaszMultilabel(
          nchwToNhwc(input, shape),
          Array.from(nchwToNhwc(targets, shape)),
          [B, H, W, C],
          { ...options, layout: 'NHWC' },
        );
        expect(nchw.loss).toBe(nhwc.loss);
        expect(Array.from(nchwToNhwc(nchw.grad, shape))).toEqual(Array.from(nhwc.grad));
      }),
      { numRuns: 200 },
    );
  });

  it('with one channel is the Lovász-Sigmoid (lovaszSoftmax of one channel, classes [1])', () => {
    fc.assert(
      fc.property(multilabelCaseArb, ({ input, targets, shape, options }) => {
        fc.pre(options.layout === 'NHWC' && shape[3] === 1);
        const { classes: _classes, layout: _layout, ...rest } = options;
        const multi = lovaszMultilabel(input, targets, shape, { ...rest, classes: [0] });
        const weights = rest.classWeights ? [0, rest.classWeights[0]] : null;
        const sigmoid = lovaszSoftmax(input, targets, shape.slice(0, 3), {
          ...rest,
          classes: [1],
          classWeights: weights,
        });
        expect(multi.loss).toBe(sigmoid.loss);
        expect(Array.from(multi.grad)).toEqual(Array.from(sigmoid.grad));
      }),
      { numRuns: 200 },
    );
  });
});

describe('lovaszMultilabel: specified cases', () => {
  it('gives the documented example: the mean of 0.1 and 0.4', () => {
    const { loss, grad } = lovaszMultilabel([0.9, 0.6], [1, 1], [1, 1, 1, 2]);
    expect(relErr(loss, (1 - Math.fround(0.9) + (1 - Math.fround(0.6))) / 2)).toBeLessThanOrEqual(
      LOSS_REL_TOL,
    );
    expect(Array.from(grad)).toEqual([-0.5, -0.5]);
  });

  it('one pixel may carry several labels: each channel is its own binary problem', () => {
    // Two pixels, three channels; channel 2 has no positive target and is left out ('present').
    const p = f32([0.75, 0.5, 0.25, 0.25, 0.5, 0.5]);
    const t = [1, 1, 0, 1, 0, 0];
    const perChannel = [0, 1].map(
      (c) =>
        lovaszSoftmax(f32([p[c], p[3 + c]]), [t[c], t[3 + c]], [1, 1, 2], { classes: [1] }).loss,
    );
    const { loss } = lovaszMultilabel(p, t, [1, 1, 2, 3]);
    expect(relErr(loss, (perChannel[0] + perChannel[1]) / 2)).toBeLessThanOrEqual(LOSS_REL_TOL);
  });

  it('ignores (pixel, channel) pairs: a void target leaves the other channels of the pixel', () => {
    const p = f32([0.75, 0.5, 0.25, 0.875]);
    const withVoid = lovaszMultilabel(p, [1, 9, 0, 1], [1, 1, 2, 2], { ignore: 9 });
    const ch0 = lovaszSoftmax(f32([0.75, 0.25]), [1, 0], [1, 1, 2], { classes: [1] }).loss;
    const ch1 = lovaszSoftmax(f32([0.875]), [1], [1, 1, 1], { classes: [1] }).loss;
    expect(relErr(withVoid.loss, (ch0 + ch1) / 2)).toBeLessThanOrEqual(LOSS_REL_TOL);
    expect(withVoid.grad[1]).toBe(0);
  });

  it("a channel with no valid pixel is not considered, even under 'all' or a list", () => {
    const p = f32([0.75, 0.5, 0.25, 0.25, 0.5, 0.5]);
    const t = [1, 9, 0, 0, 9, 1];
    for (const classes of ['all', [0, 1, 2]] as const) {
      const r = lovaszMultilabel(p, t, [1, 1, 2, 3], { ignore: 9, classes, reduction: 'none' });
      expect(r.classes).toEqual([0, 2]);
      const mean = lovaszMultilabel(p, t, [1, 1, 2, 3], { ignore: 9, classes });
      const listed = lovaszMultilabel(p, t, [1, 1, 2, 3], { ignore: 9, classes: [0, 2] });
      expect(mean.loss).toBe(listed.loss);
    }
  });

  it("'all' counts a channel with no positive target: its loss is its largest probability", () => {
    const p = f32([0.75, 0.5, 0.25, 0.375]);
    const t = [1, 0, 0, 0];
    const r = lovaszMultilabel(p, t, [1, 1, 2, 2], { classes: 'all', reduction: 'none' });
    expect(r.classes).toEqual([0, 1]);
    expect(r.losses?.[1]).toBe(0.5);
    // Channel 0: errors 0.25 (fg) and 0.25 (bg) tie, the foreground pixel first: d = 1, 0.
    // Channel 1: all the gradient on its largest probability. 'none': gradient of the sum.
    expect(r.losses?.[0]).toBe(0.25);
    expect(Array.from(r.grad)).toEqual([-1, 1, 0, 0]);
  });

  it('with every target ignored: loss 0 and a zero gradient, for every reduction', () => {
    const p = f32([0.75, 0.5, 0.25, 0.375, 0.5, 0.125, 1, 0]);
    const t = new Array(8).fill(255);
    for (const perImage of [false, true]) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        for (const fromLogits of [false, true]) {
          for (const classes of ['present', 'all', [1]] as const) {
            const r = lovaszMultilabel(p, t, [2, 1, 2, 2], {
              ignore: 255,
              perImage,
              reduction,
              fromLogits,
              classes,
            });
            expect(r.loss).toBe(0);
            expect(maxAbs(r.grad)).toBe(0);
            if (reduction === 'none') {
              expect(Array.from(r.losses ?? [1])).toEqual(perImage ? [0, 0] : []);
            }
          }
        }
      }
    }
  });

  it("classWeights weight the channels; reduction 'sum' with perImage is B times 'mean'", () => {
    const p = f32([0.75, 0.5, 0.25, 0.375, 0.5, 0.125, 1, 0]);
    const t = [1, 0, 0, 1, 1, 1, 0, 0];
    const shape = [2, 1, 2, 2];
    const L = [0, 1].map((c) => lovaszMultilabel(p, t, shape, { classes: [c] }).loss);
    const weighted = lovaszMultilabel(p, t, shape, { classWeights: [3, 1] });
    expect(relErr(weighted.loss, (3 * L[0] + L[1]) / 4)).toBeLessThanOrEqual(LOSS_REL_TOL);
    const mean = lovaszMultilabel(p, t, shape, { perImage: true });
    const sum = lovaszMultilabel(p, t, shape, { perImage: true, reduction: 'sum' });
    expect(relErr(sum.loss, 2 * mean.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
    expect(
      maxAbsDiff(
        sum.grad,
        Array.from(mean.grad, (g) => 2 * g),
      ),
    ).toBeLessThanOrEqual(GRAD_ABS_TOL);
  });

  it('fromLogits is the element-wise sigmoid (not a softmax over channels)', () => {
    const z = f32([2, 2, -1, 0.5]);
    const t = [1, 0, 0, 1];
    const p = f32(Array.from(z, refSigmoid));
    const a = lovaszMultilabel(z, t, [1, 1, 2, 2], { fromLogits: true, classes: 'all' });
    const b = lovaszMultilabel(p, t, [1, 1, 2, 2], { classes: 'all' });
    expect(a.loss).toBe(b.loss);
  });

  it('treats a large ignore label like any other (2^31 as 255)', () => {
    // Channel 0 of pixel 0 is void; the result must not depend on the ignore value chosen.
    const p = f32([0.9, 0.5, 0.1, 0.5, 0.5, 0.5]);
    const shape = [1, 1, 3, 2];
    const small = lovaszMultilabel(p, [255, 1, 0, 0, 1, 1], shape, { ignore: 255 });
    const large = lovaszMultilabel(p, [2 ** 31, 1, 0, 0, 1, 1], shape, { ignore: 2 ** 31 });
    expect(small.loss).toBe(0.5);
    expect(large.loss).toBe(small.loss);
    expect(Array.from(large.grad)).toEqual(Array.from(small.grad));
  });
});

describe('lovaszMultilabel gradient', () => {
  // As in test/core/softmax.test.ts: per channel, distinct errors k / 128 in (0, 1), h = 2^-12
  // exact in float32: the loss is linear on [p - h, p + h], the central difference exact up to
  // float64 rounding; the tolerance is the float32 rounding of the returned gradient.
  const h = 2 ** -12;
  const smoothArb = fc
    .record({
      B: fc.integer({ min: 1, max: 2 }),
      W: fc.integer({ min: 1, max: 4 }),
      C: fc.integer({ min: 1, max: 3 }),
      layout: layoutArb,
      perImage: fc.boolean(),
      reduction: reductionArb,
    })
    .chain(({ B, W, C, layout, perImage, reduction }) =>
      fc.record({
        dims: fc.constant({ B, W, C, layout }),
        targets: targetsArb(B * W * C, 255, 'some'),
        errors: fc.array(
          fc.uniqueArray(fc.integer({ min: 1, max: 127 }), { minLength: B * W, maxLength: B * W }),
          { minLength: C, maxLength: C },
        ),
        ms: fc.array(
          fc.uniqueArray(fc.integer({ min: -24, max: 24 }), { minLength: B * W, maxLength: B * W }),
          { minLength: C, maxLength: C },
        ),
        options: fc.record({
          classes: classesArb(C),
          perImage: fc.constant(perImage),
          ignore: fc.constant(255),
          layout: fc.constant(layout),
          classWeights: classWeightsArb(C),
          reduction: fc.constant(reduction),
        }),
      }),
    );

  it('matches central finite differences in the probabilities away from kinks', () => {
    fc.assert(
      fc.property(smoothArb, ({ dims: { B, W, C, layout }, targets, errors, options }) => {
        const shape = layout === 'NHWC' ? [B, 1, W, C] : [B, C, 1, W];
        const off = (px: number, c: number) => {
          const b = Math.floor(px / W);
          return layout === 'NHWC' ? px * C + c : (b * C + c) * W + (px - b * W);
        };
        const probas = new Float32Array(B * W * C);
        for (let px = 0; px < B * W; px++) {
          for (let c = 0; c < C; c++) {
            const e = errors[c][px] / 128;
            probas[off(px, c)] = targets[off(px, c)] === 1 ? 1 - e : e;
          }
        }
        const loss = (p: Float32Array) => lovaszMultilabel(p, targets, shape, options).loss;
        const { grad } = lovaszMultilabel(probas, targets, shape, options);
        for (let i = 0; i < probas.length; i++) {
          const plus = probas.slice();
          const minus = probas.slice();
          plus[i] += h;
          minus[i] -= h;
          const fd = (loss(plus) - loss(minus)) / (2 * h);
          expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(GRAD_ABS_TOL);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('matches central finite differences in the logits (fromLogits) away from ordering changes', () => {
    // Per channel, errors sigmoid(m) with m distinct multiples of 1/8 in [-3, 3]; see the
    // lovaszSigmoid gradient test for the step (2^-8) and the 2e-5 tolerance (float32 p). A
    // class weight w (with 'sum', or as w / sum w <= 1 otherwise) scales the loss, its float32
    // steps and so the tolerance by up to max(1, w).
    const hz = 2 ** -8;
    fc.assert(
      fc.property(smoothArb, ({ dims: { B, W, C, layout }, targets, ms, options }) => {
        const shape = layout === 'NHWC' ? [B, 1, W, C] : [B, C, 1, W];
        const off = (px: number, c: number) => {
          const b = Math.floor(px / W);
          return layout === 'NHWC' ? px * C + c : (b * C + c) * W + (px - b * W);
        };
        // z = -s m, s = +1 on positive targets: the error is sigmoid(m) either way.
        const logits = new Float32Array(B * W * C);
        for (let px = 0; px < B * W; px++) {
          for (let c = 0; c < C; c++) {
            logits[off(px, c)] = (targets[off(px, c)] === 1 ? -1 : 1) * (ms[c][px] / 8);
          }
        }
        const opts = { ...options, fromLogits: true };
        const wMax = Math.max(1, ...(options.classWeights ?? []));
        const loss = (z: Float32Array) => lovaszMultilabel(z, targets, shape, opts).loss;
        const { grad } = lovaszMultilabel(logits, targets, shape, opts);
        for (let i = 0; i < logits.length; i++) {
          const plus = logits.slice();
          const minus = logits.slice();
          plus[i] += hz;
          minus[i] -= hz;
          const fd = (loss(plus) - loss(minus)) / (2 * hz);
          expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(2e-5 * wMax);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('lovaszMultilabel rejects bad inputs', () => {
  const probas = [0.5, 0.25, 0.75, 1];
  const targets = [1, 0, 0, 1];
  const shape = [1, 1, 2, 2];
  const call =
    (...args: unknown[]) =>
    () =>
      (lovaszMultilabel as (...a: unknown[]) => unknown)(...args);

  it('rejects targets of another length than the probabilities', () => {
    const f = call(probas, [1, 0, 0], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszMultilabel: 'targets' has 3 values but shape \[1, 1, 2, 2\] needs 4$/,
    );
  });

  it('rejects [B, H, W] targets (one label per pixel) instead of one target per channel', () => {
    const f = call(probas, [1, 0], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszMultilabel: 'targets' has 2 values but shape \[1, 1, 2, 2\] needs 4$/,
    );
  });

  it('rejects a target value 2', () => {
    const f = call(probas, [1, 2, 0, 1], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszMultilabel: 'targets' must be 0 or 1, got 2 at index 1$/);
  });

  it('rejects an unknown layout', () => {
    const f = call(probas, targets, shape, { layout: 'NWHC' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszMultilabel: 'layout' must be 'NHWC' or 'NCHW', got 'NWHC'$/);
  });

  it('rejects a rank-2 shape, naming the [B, C, ...spatial] shape its NCHW layout needs', () => {
    const f = call(probas, targets, [1, 4], { layout: 'NCHW' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszMultilabel: 'shape' must be \[B, C, \.\.\.spatial\] \(rank >= 3\), got \[1, 4\] \(rank 2\)$/,
    );
  });

  it('rejects probabilities above 1 without fromLogits', () => {
    const f = call([0.5, 1.5, 0, 1], targets, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszMultilabel: 'probas' must be probabilities in \[0, 1\], got 1.5 at index 1/,
    );
  });

  it('rejects classWeights of the wrong length', () => {
    const f = call(probas, targets, shape, { classWeights: [1, 1, 1] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszMultilabel: 'classWeights' must hold one weight per class \(2\), got 3$/,
    );
  });

  it("rejects reduction 'avg'", () => {
    const f = call(probas, targets, shape, { reduction: 'avg' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszMultilabel: 'reduction' must be 'mean', 'sum' or 'none', got 'avg'$/);
  });

  it('rejects fromLogits 1', () => {
    const f = call(probas, targets, shape, { fromLogits: 1 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszMultilabel: 'fromLogits' must be true or false, got 1$/);
  });

  it('rejects a class list entry outside [0, C)', () => {
    const f = call(probas, targets, shape, { classes: [2] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszMultilabel: 'classes' entries must be integers in \[0, 2\), got 2/);
  });
});
