import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lovaszSoftmax } from '../../src/index.js';
import {
  type Classes,
  classesArb,
  classWeightsArb,
  dimsArb,
  expectReducedMatchesReference,
  f32,
  GRAD_ABS_TOL,
  ignoreModeArb,
  ignoreValueArb,
  type Layout,
  LOSS_REL_TOL,
  labelsArb,
  layoutArb,
  maxAbs,
  probaArb,
  type Reduction,
  reductionArb,
  wideLogitArb,
} from '../arbitraries.js';
import { maxAbsDiff, relErr } from '../golden.js';
import { refLovaszSoftmaxExt, refSoftmax } from '../reference.js';

interface OptionsCase {
  input: Float32Array;
  labels: number[];
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

/** Random cases over every option; C = 1 is the rank-3 Lovász-Sigmoid, classes [0] or [1]. */
const optionsCaseArb: fc.Arbitrary<OptionsCase> = fc
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
    const n = B * H * W;
    const sigmoid = C === 1;
    const shape = sigmoid ? [B, H, W] : layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W];
    const value = fromLogits ? wideLogitArb : probaArb;
    return fc.record({
      input: fc.array(value, { minLength: n * C, maxLength: n * C }).map(f32),
      labels: labelsArb(n, sigmoid ? 2 : C, ignore, mode),
      shape: fc.constant(shape),
      options: fc.record({
        classes: sigmoid ? fc.constantFrom<Classes>([0], [1]) : classesArb(C),
        perImage: fc.constant(perImage),
        ignore: fc.constant(ignore),
        layout: fc.constant(layout),
        fromLogits: fc.constant(fromLogits),
        classWeights: classWeightsArb(sigmoid ? 2 : C),
        reduction: reductionArb,
      }),
    });
  });

describe('lovaszSoftmax fromLogits, classWeights and reduction against the reference', () => {
  it('agrees on loss, gradient and per-item losses over every option', () => {
    fc.assert(
      fc.property(optionsCaseArb, (c) => {
        const ref = refLovaszSoftmaxExt(c.input, c.labels, c.shape, c.options);
        const core = lovaszSoftmax(c.input, c.labels, c.shape, c.options);
        expectReducedMatchesReference(core, ref);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on tie-heavy logits of up to 1500 pixels (many equal probability vectors)', () => {
    const largeArb = fc
      .record({
        B: fc.integer({ min: 1, max: 2 }),
        n: fc.integer({ min: 50, max: 1500 }),
        C: fc.integer({ min: 2, max: 4 }),
      })
      .chain(({ B, n, C }) =>
        fc.record({
          shape: fc.constant([B, 1, n, C]),
          input: fc
            .array(fc.constantFrom(-1, 0, 0.5, 1), { minLength: B * n * C, maxLength: B * n * C })
            .map(f32),
          labels: labelsArb(B * n, C, 255, 'some'),
          options: fc.record({
            classes: classesArb(C),
            perImage: fc.boolean(),
            ignore: fc.constant(255),
            fromLogits: fc.constant(true),
            classWeights: classWeightsArb(C),
            reduction: fc.constantFrom<Reduction>('mean', 'sum'),
          }),
        }),
      );
    fc.assert(
      fc.property(largeArb, ({ shape, input, labels, options }) => {
        expectReducedMatchesReference(
          lovaszSoftmax(input, labels, shape, options),
          refLovaszSoftmaxExt(input, labels, shape, options),
        );
      }),
      { numRuns: 20 },
    );
  });

  it('fromLogits has the loss of lovaszSoftmax on the float32 softmax probabilities', () => {
    fc.assert(
      fc.property(optionsCaseArb, (c) => {
        fc.pre(c.shape.length === 4 && c.options.layout === 'NHWC');
        const C = c.shape[3];
        const probas = new Float32Array(c.input.length);
        for (let px = 0; px < c.input.length / C; px++) {
          probas.set(refSoftmax(Array.from(c.input.subarray(px * C, (px + 1) * C))), px * C);
        }
        const opts = { ...c.options, fromLogits: false };
        const fromLogits = lovaszSoftmax(c.input, c.labels, c.shape, { ...opts, fromLogits: true });
        expect(fromLogits.loss).toBe(lovaszSoftmax(probas, c.labels, c.shape, opts).loss);
      }),
      { numRuns: 200 },
    );
  });

  it('returns a gradient as long as the logits, also after a larger fromLogits call', () => {
    // The softmax buffer is reused across calls; the gradient must still have the input's size.
    lovaszSoftmax(new Float32Array(2 * 25 * 3), new Array(50).fill(1), [2, 5, 5, 3], {
      fromLogits: true,
    });
    const { grad } = lovaszSoftmax([0.5, -1, 2, 0], [1, 0], [1, 1, 2, 2], { fromLogits: true });
    expect(grad.length).toBe(4);
  });

  it("lists the per-class losses of reduction 'none' in increasing class order", () => {
    // classes given as [2, 0]: `losses` and `classes` follow increasing class order (as
    // LossResult documents), whatever order the selection lists them in.
    const probas = [0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.6, 0.2, 0.2];
    const labels = [0, 1, 2];
    const shape = [1, 1, 3, 3];
    const r = lovaszSoftmax(probas, labels, shape, { classes: [2, 0], reduction: 'none' });
    const c0 = lovaszSoftmax(probas, labels, shape, { classes: [0] }).loss;
    const c2 = lovaszSoftmax(probas, labels, shape, { classes: [2] }).loss;
    expect(r.classes).toEqual([0, 2]);
    expect(Array.from(r.losses ?? [])).toEqual([c0, c2]);
  });
});

describe('lovaszSoftmax fromLogits gradient', () => {
  // Central differences in the logits. The core rounds every probability to float32, so the
  // loss moves in steps of up to 2^-25 per probability: with h = 2^-8 (z +- h exact on the 1/8
  // grid) that is at most C * 2^-25 / 2^-8 ~ 2.3e-5 for C = 3, and the curvature of the softmax
  // adds (h^2 / 6) |d^3 loss / dz^3| < 3e-6. Hence 5e-5, times max(1, w) since a class weight
  // w scales the loss (with 'sum'; w / sum w <= 1 otherwise). A chain-rule mistake
  // (say a missing - sum_j p_j g_j) is off by O(p g), orders of magnitude more. Inputs keep
  // every class's errors more than 4h apart, so no ordering changes within +- h (|dp/dz| <= 1/4).
  const h = 2 ** -8;
  const smoothArb = fc
    .record({
      B: fc.integer({ min: 1, max: 2 }),
      W: fc.integer({ min: 1, max: 3 }),
      C: fc.integer({ min: 2, max: 3 }),
      layout: layoutArb,
      perImage: fc.boolean(),
      reduction: reductionArb,
    })
    .chain(({ B, W, C, layout, perImage, reduction }) =>
      fc.record({
        shape: fc.constant(layout === 'NHWC' ? [B, 1, W, C] : [B, C, 1, W]),
        dims: fc.constant({ B, W, C, layout }),
        logits: fc
          .array(fc.integer({ min: -24, max: 24 }), { minLength: B * W * C, maxLength: B * W * C })
          .map((ks) => f32(ks.map((k) => k / 8))),
        labels: labelsArb(B * W, C, 255, 'some'),
        options: fc.record({
          classes: classesArb(C),
          perImage: fc.constant(perImage),
          ignore: fc.constant(255),
          layout: fc.constant(layout),
          fromLogits: fc.constant(true),
          classWeights: classWeightsArb(C),
          reduction: fc.constant(reduction),
        }),
      }),
    );

  /** True when, per group and class, the errors of the valid pixels are > 4h apart. */
  function separated(
    logits: Float32Array,
    labels: number[],
    { B, W, C, layout }: { B: number; W: number; C: number; layout: Layout },
    perImage: boolean,
  ): boolean {
    const off = (b: number, i: number, c: number) =>
      layout === 'NHWC' ? (b * W + i) * C + c : (b * C + c) * W + i;
    const groups = perImage ? Array.from({ length: B }, (_, b) => [b]) : [[...Array(B).keys()]];
    for (const images of groups) {
      for (let c = 0; c < C; c++) {
        const errors: number[] = [];
        for (const b of images) {
          for (let i = 0; i < W; i++) {
            const y = labels[b * W + i];
            if (y === 255) continue;
            const p = refSoftmax(Array.from({ length: C }, (_, k) => logits[off(b, i, k)]));
            errors.push(Math.abs((y === c ? 1 : 0) - p[c]));
          }
        }
        errors.sort((a, b) => a - b);
        for (let j = 1; j < errors.length; j++)
          if (errors[j] - errors[j - 1] <= 4 * h) return false;
      }
    }
    return true;
  }

  it('matches central finite differences in the logits (NHWC and NCHW, every reduction)', () => {
    fc.assert(
      fc.property(smoothArb, ({ shape, dims, logits, labels, options }) => {
        fc.pre(separated(logits, labels, dims, options.perImage));
        const wMax = Math.max(1, ...(options.classWeights ?? []));
        const loss = (z: Float32Array) => lovaszSoftmax(z, labels, shape, options).loss;
        const { grad } = lovaszSoftmax(logits, labels, shape, options);
        for (let i = 0; i < logits.length; i++) {
          const plus = logits.slice();
          const minus = logits.slice();
          plus[i] += h;
          minus[i] -= h;
          const fd = (loss(plus) - loss(minus)) / (2 * h);
          expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(5e-5 * wMax);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('lovaszSoftmax classWeights and reduction: specified cases', () => {
  const probas = f32([
    0.5, 0.25, 0.25, 0.125, 0.75, 0.125, 0.25, 0.25, 0.5, 0.625, 0.125, 0.25, 0.375, 0.375, 0.25,
    0.5, 0.5, 0,
  ]);
  const labels = [0, 1, 2, 0, 1, 1];
  const shape = [2, 1, 3, 3];

  it('all-equal weights give the unweighted loss and gradient (w times it for a batch sum)', () => {
    fc.assert(
      fc.property(optionsCaseArb, fc.constantFrom(0.1, 1 / 3, 2.5, 7), (c, w) => {
        const { shape, options } = c;
        const C = shape.length === 3 ? 2 : options.layout === 'NHWC' ? shape[3] : shape[1];
        const opts = { ...options, classWeights: null };
        const a = lovaszSoftmax(c.input, c.labels, shape, opts);
        const b = lovaszSoftmax(c.input, c.labels, shape, {
          ...opts,
          classWeights: new Array(C).fill(w),
        });
        // Without perImage, 'sum' is sum_c w_c L_c: w times the unweighted sum.
        const k = options.reduction === 'sum' && !options.perImage ? w : 1;
        expect(relErr(b.loss, k * a.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
        const scaled = Array.from(a.grad).map((g) => k * g);
        expect(maxAbsDiff(b.grad, scaled)).toBeLessThanOrEqual(k * GRAD_ABS_TOL);
        expect(Array.from(b.losses ?? [])).toEqual(Array.from(a.losses ?? []));
      }),
      { numRuns: 200 },
    );
  });

  it('a zero weight removes its class from the mean', () => {
    for (const perImage of [false, true]) {
      const weighted = lovaszSoftmax(probas, labels, shape, {
        classes: 'all',
        classWeights: [1, 0, 1],
        perImage,
      });
      const without = lovaszSoftmax(probas, labels, shape, { classes: [0, 2], perImage });
      expect(weighted.loss).toBe(without.loss);
      expect(maxAbsDiff(weighted.grad, without.grad)).toBe(0);
    }
  });

  it('weights the mean: sum_c w_c L_c / sum_c w_c', () => {
    const L = [0, 1, 2].map((c) => lovaszSoftmax(probas, labels, shape, { classes: [c] }).loss);
    const { loss } = lovaszSoftmax(probas, labels, shape, { classWeights: [1, 2, 5] });
    expect(relErr(loss, (L[0] + 2 * L[1] + 5 * L[2]) / 8)).toBeLessThanOrEqual(LOSS_REL_TOL);
  });

  it('all considered weights zero: loss 0 and a zero gradient', () => {
    // Class 2 has weight 3 but is not present in the labels of image 1 ('present').
    for (const reduction of ['mean', 'sum'] as const) {
      for (const fromLogits of [false, true]) {
        const r = lovaszSoftmax(probas, [0, 1, 0, 0, 1, 1], shape, {
          classWeights: [0, 0, 3],
          reduction,
          fromLogits,
        });
        expect(r.loss).toBe(0);
        expect(maxAbs(r.grad)).toBe(0);
      }
    }
    const perImage = lovaszSoftmax(probas, [0, 1, 0, 0, 1, 1], shape, {
      classWeights: [0, 0, 3],
      perImage: true,
      reduction: 'none',
    });
    expect(Array.from(perImage.losses ?? [])).toEqual([0, 0]);
    expect(maxAbs(perImage.grad)).toBe(0);
  });

  it("reduction 'sum' with perImage is B times 'mean'", () => {
    fc.assert(
      fc.property(optionsCaseArb, (c) => {
        const B = c.shape[0];
        fc.pre(B > 0);
        const opts = { ...c.options, perImage: true };
        const mean = lovaszSoftmax(c.input, c.labels, c.shape, { ...opts, reduction: 'mean' });
        const sum = lovaszSoftmax(c.input, c.labels, c.shape, { ...opts, reduction: 'sum' });
        expect(relErr(sum.loss, B * mean.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
        const scaled = Array.from(mean.grad).map((g) => B * g);
        expect(maxAbsDiff(sum.grad, scaled)).toBeLessThanOrEqual(B * GRAD_ABS_TOL);
      }),
      { numRuns: 200 },
    );
  });

  it("reduction 'sum' without perImage is sum_c w_c L_c", () => {
    const L = [0, 1, 2].map((c) => lovaszSoftmax(probas, labels, shape, { classes: [c] }).loss);
    const { loss } = lovaszSoftmax(probas, labels, shape, {
      classWeights: [1, 2, 5],
      reduction: 'sum',
    });
    expect(relErr(loss, L[0] + 2 * L[1] + 5 * L[2])).toBeLessThanOrEqual(LOSS_REL_TOL);
  });

  it("reduction 'none' returns per-image losses with perImage, their sum as loss and its gradient", () => {
    const none = lovaszSoftmax(probas, labels, shape, { perImage: true, reduction: 'none' });
    const sum = lovaszSoftmax(probas, labels, shape, { perImage: true, reduction: 'sum' });
    const first = lovaszSoftmax(probas.subarray(0, 9), labels.slice(0, 3), [1, 1, 3, 3]).loss;
    const second = lovaszSoftmax(probas.subarray(9), labels.slice(3), [1, 1, 3, 3]).loss;
    expect(Array.from(none.losses ?? [])).toEqual([first, second]);
    expect(none.classes).toBeUndefined();
    expect(none.loss).toBe(first + second);
    expect(Array.from(none.grad)).toEqual(Array.from(sum.grad));
  });

  it("reduction 'none' without perImage returns the unweighted class losses with their classes", () => {
    const none = lovaszSoftmax(probas, labels, shape, {
      reduction: 'none',
      classWeights: [1, 2, 5],
    });
    const L = [0, 1, 2].map((c) => lovaszSoftmax(probas, labels, shape, { classes: [c] }).loss);
    expect(none.classes).toEqual([0, 1, 2]);
    expect(Array.from(none.losses ?? [])).toEqual(L);
    expect(relErr(none.loss, L[0] + L[1] + L[2])).toBeLessThanOrEqual(LOSS_REL_TOL);
    const sum = lovaszSoftmax(probas, labels, shape, { reduction: 'sum' });
    expect(maxAbsDiff(none.grad, sum.grad)).toBe(0);
  });

  it("reduction 'none' without perImage ignores the weights, even when all are zero", () => {
    // 'none' returns the L_c unweighted: weights [0, 0, 1] list every class, so weights
    // [0, 0, 0] must too (not drop them all).
    const some = lovaszSoftmax(probas, labels, shape, {
      reduction: 'none',
      classWeights: [0, 0, 1],
    });
    const zero = lovaszSoftmax(probas, labels, shape, {
      reduction: 'none',
      classWeights: [0, 0, 0],
    });
    expect(some.classes).toEqual([0, 1, 2]);
    expect(zero.classes).toEqual(some.classes);
    expect(Array.from(zero.losses ?? [])).toEqual(Array.from(some.losses ?? []));
  });

  it("reduction 'none' with B = 0 or no valid pixel", () => {
    const empty = lovaszSoftmax([], [], [0, 2, 2, 3], { reduction: 'none' });
    expect(Array.from(empty.losses ?? [1])).toEqual([]);
    expect(empty.classes).toEqual([]);
    expect(empty.loss).toBe(0);
    const emptyPerImage = lovaszSoftmax([], [], [0, 2, 2, 3], {
      reduction: 'none',
      perImage: true,
    });
    expect(Array.from(emptyPerImage.losses ?? [1])).toEqual([]);
    expect(emptyPerImage.classes).toBeUndefined();
    const allVoid = [9, 9, 9, 9, 9, 9];
    for (const classes of ['present', 'all', [1]] as const) {
      const batch = lovaszSoftmax(probas, allVoid, shape, {
        ignore: 9,
        reduction: 'none',
        classes,
      });
      expect(Array.from(batch.losses ?? [1])).toEqual([]);
      expect(batch.classes).toEqual([]);
      expect(batch.loss).toBe(0);
      expect(maxAbs(batch.grad)).toBe(0);
      const perImage = lovaszSoftmax(probas, allVoid, shape, {
        ignore: 9,
        reduction: 'none',
        classes,
        perImage: true,
      });
      expect(Array.from(perImage.losses ?? [])).toEqual([0, 0]);
      expect(maxAbs(perImage.grad)).toBe(0);
    }
    // Images of zero pixels still count, one (zero) loss each.
    const zeroPixels = lovaszSoftmax([], [], [3, 0, 2, 2], { reduction: 'none', perImage: true });
    expect(Array.from(zeroPixels.losses ?? [])).toEqual([0, 0, 0]);
  });

  it('fromLogits with one channel of a rank-4 shape applies the sigmoid', () => {
    const logits = f32([2, -1, 0.5, -3]);
    const labels4 = [1, 0, 0, 1];
    const rank4 = lovaszSoftmax(logits, labels4, [1, 2, 2, 1], { fromLogits: true, classes: [1] });
    const rank3 = lovaszSoftmax(logits, labels4, [1, 2, 2], { fromLogits: true, classes: [1] });
    expect(rank4.loss).toBe(rank3.loss);
    expect(Array.from(rank4.grad.subarray(0, 4))).toEqual(Array.from(rank3.grad.subarray(0, 4)));
  });

  it('fromLogits accepts logits outside [0, 1]', () => {
    const { loss } = lovaszSoftmax([5, -7, 0, 12], [0, 1], [1, 1, 2, 2], { fromLogits: true });
    expect(Number.isFinite(loss)).toBe(true);
  });
});

describe('lovaszSoftmax rejects bad fromLogits, classWeights and reduction', () => {
  const probas = [0.5, 0.5, 0.25, 0.75];
  const labels = [0, 1];
  const shape = [1, 1, 2, 2];
  const call =
    (...args: unknown[]) =>
    () =>
      (lovaszSoftmax as (...a: unknown[]) => unknown)(...args);

  it("rejects reduction 'avg'", () => {
    const f = call(probas, labels, shape, { reduction: 'avg' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'reduction' must be 'mean', 'sum' or 'none', got 'avg'$/);
  });

  it('rejects classWeights of the wrong length', () => {
    const f = call(probas, labels, shape, { classWeights: [1, 2, 3] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'classWeights' must hold one weight per class \(2\), got 3$/,
    );
  });

  it('rejects a negative class weight', () => {
    const f = call(probas, labels, shape, { classWeights: [1, -0.5] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'classWeights' must be finite and >= 0, got -0.5 for class 1$/,
    );
  });

  it('rejects a NaN class weight', () => {
    const f = call(probas, labels, shape, { classWeights: f32([Number.NaN, 1]) });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'classWeights' must be finite and >= 0, got NaN for class 0$/,
    );
  });

  it('rejects classWeights that are not an array', () => {
    const f = call(probas, labels, shape, { classWeights: '1,1' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'classWeights' must be null or an array of one weight per class, got '1,1'$/,
    );
  });

  it('rejects classWeights of the wrong length for a sigmoid input (one weight per label 0, 1)', () => {
    const f = call([0.5, 0.25], [0, 1], [1, 1, 2], { classes: [1], classWeights: [1] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'classWeights' must hold one weight per class \(2\), got 1$/,
    );
  });

  it('rejects fromLogits 1', () => {
    const f = call(probas, labels, shape, { fromLogits: 1 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszSoftmax: 'fromLogits' must be true or false, got 1$/);
  });

  it('rejects a NaN logit with fromLogits', () => {
    const f = call([0.5, Number.NaN, 3, -2], labels, shape, { fromLogits: true });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'probas' must be finite, got NaN at index 1$/);
  });

  it("rejects an unknown option such as from_logits and suggests 'fromLogits'", () => {
    const f = call(probas, labels, shape, { from_logits: true });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszSoftmax: unknown option 'from_logits' \(did you mean 'fromLogits'\?/);
  });
});
