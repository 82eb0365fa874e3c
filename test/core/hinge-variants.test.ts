import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lovaszHinge } from '../../src/index.js';
import {
  dimsArb,
  expectMatchesReference,
  expectReducedMatchesReference,
  f32,
  GRAD_ABS_TOL,
  ignoreModeArb,
  ignoreValueArb,
  LOSS_REL_TOL,
  labelsArb,
  logitArb,
  maxAbs,
  type Reduction,
  reductionArb,
} from '../arbitraries.js';
import { maxAbsDiff, relErr } from '../golden.js';
import { refLovaszHinge, refLovaszHingeExt } from '../reference.js';

type Variant = 'relu' | 'elu+1';

const variantCaseArb = fc
  .record({ dims: dimsArb, perImage: fc.boolean(), mode: ignoreModeArb, ignore: ignoreValueArb })
  .chain(({ dims, perImage, mode, ignore }) => {
    const n = dims[0] * dims[1] * dims[2];
    return fc.record({
      shape: fc.constant(dims),
      logits: fc.array(logitArb, { minLength: n, maxLength: n }).map(f32),
      labels: labelsArb(n, 2, ignore, mode),
      options: fc.record({
        perImage: fc.constant(perImage),
        ignore: fc.constant(ignore),
        variant: fc.constantFrom<Variant>('relu', 'elu+1'),
        symmetric: fc.boolean(),
        reduction: reductionArb,
      }),
    });
  });

describe('lovaszHinge variants against the reference implementation', () => {
  it('agrees on loss, gradient and per-image losses over variant, symmetric and reduction', () => {
    // Logits on dyadic grids: the errors are exact, and exp(e) is the same float64 in both.
    fc.assert(
      fc.property(variantCaseArb, ({ logits, labels, shape, options }) => {
        expectReducedMatchesReference(
          lovaszHinge(logits, labels, shape, options),
          refLovaszHingeExt(logits, labels, shape, options),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on tie-heavy inputs where most errors are equal, up to 2000 pixels', () => {
    const largeArb = fc
      .record({ B: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 1, max: 2000 }) })
      .chain(({ B, n }) =>
        fc.record({
          shape: fc.constant([B, 1, n]),
          logits: fc
            .array(fc.constantFrom(-2, -1, -0.5, 0, 0.5, 1, 2), {
              minLength: B * n,
              maxLength: B * n,
            })
            .map(f32),
          labels: labelsArb(B * n, 2, 255, 'some'),
          options: fc.record({
            perImage: fc.boolean(),
            ignore: fc.constant(255),
            variant: fc.constantFrom<Variant>('relu', 'elu+1'),
            symmetric: fc.boolean(),
            reduction: reductionArb,
          }),
        }),
      );
    fc.assert(
      fc.property(largeArb, ({ shape, logits, labels, options }) => {
        expectReducedMatchesReference(
          lovaszHinge(logits, labels, shape, options),
          refLovaszHingeExt(logits, labels, shape, options),
        );
      }),
      { numRuns: 40 },
    );
  });

  it("the default options ('relu', not symmetric, 'mean') are the paper's hinge", () => {
    fc.assert(
      fc.property(variantCaseArb, ({ logits, labels, shape, options }) => {
        const { perImage, ignore } = options;
        const explicit = lovaszHinge(logits, labels, shape, {
          perImage,
          ignore,
          variant: 'relu',
          symmetric: false,
          reduction: 'mean',
        });
        expectMatchesReference(
          explicit,
          refLovaszHinge(logits, labels, shape, { perImage, ignore }),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('symmetric is the mean of the loss and of the loss of (-logits, 1 - labels)', () => {
    fc.assert(
      fc.property(variantCaseArb, ({ logits, labels, shape, options }) => {
        const { ignore } = options;
        const opts = { ...options, symmetric: false };
        const flippedLabels = labels.map((y) => (y === ignore ? y : 1 - y));
        const direct = lovaszHinge(logits, labels, shape, opts);
        const flipped = lovaszHinge(f32(Array.from(logits, (z) => -z)), flippedLabels, shape, opts);
        const sym = lovaszHinge(logits, labels, shape, { ...options, symmetric: true });
        expect(relErr(sym.loss, (direct.loss + flipped.loss) / 2)).toBeLessThanOrEqual(
          LOSS_REL_TOL,
        );
        const grad = Array.from(direct.grad, (g, i) => (g - flipped.grad[i]) / 2);
        expect(maxAbsDiff(sym.grad, grad)).toBeLessThanOrEqual(GRAD_ABS_TOL);
      }),
      { numRuns: 300 },
    );
  });
});

describe('lovaszHinge variants: specified cases', () => {
  it('symmetric with every label one class: the flipped problem has no foreground', () => {
    // Labels all 1, logits [2, -1, 0.5]: errors 1 - z = [-1, 2, 0.5]. Direct: G = 3, every
    // d = 1/3 over 2, 0.5 (then -1: relu 0) -> 2.5 / 3. Flipped (labels 0, logits -z, same
    // errors): G = 0, J jumps to 1 at the largest error -> 2. Symmetric: (2.5/3 + 2) / 2.
    const r = lovaszHinge([2, -1, 0.5], [1, 1, 1], [1, 1, 3], { symmetric: true });
    expect(relErr(r.loss, (2.5 / 3 + 2) / 2)).toBeLessThanOrEqual(LOSS_REL_TOL);
    // d loss / d z = -s f'(e) (d + d') / 2 with s = 1: pixel 1 gets (1/3 + 1) / 2.
    expect(Array.from(r.grad)).toEqual(Array.from(f32([0, -(1 / 3 + 1) / 2, -1 / 6])));
    // All 0 is the mirror image.
    const zeros = lovaszHinge([-2, 1, -0.5], [0, 0, 0], [1, 1, 3], { symmetric: true });
    expect(zeros.loss).toBe(r.loss);
  });

  it('elu+1 with every pixel correctly classified is still positive', () => {
    // Logits [3, -3] against [1, 0]: errors -2 and -2; relu gives 0, elu+1 exp(-2) * d.
    // Ties by pixel: the foreground pixel first, d = 1, then the background, d = 0.
    const relu = lovaszHinge([3, -3], [1, 0], [1, 1, 2]);
    const elu = lovaszHinge([3, -3], [1, 0], [1, 1, 2], { variant: 'elu+1' });
    expect(relu.loss).toBe(0);
    expect(elu.loss).toBeGreaterThan(0);
    expect(relErr(elu.loss, Math.exp(-2))).toBeLessThanOrEqual(LOSS_REL_TOL);
    expect(Array.from(elu.grad)).toEqual([Math.fround(-Math.exp(-2)), 0]);
  });

  it('elu+1 is relu + 1 on positive errors: f(e) = e + 1', () => {
    // One foreground pixel with error 1.5: d = 1, loss 2.5 with elu+1 and 1.5 with relu.
    expect(lovaszHinge([-0.5], [1], [1, 1, 1], { variant: 'elu+1' }).loss).toBe(2.5);
    expect(lovaszHinge([-0.5], [1], [1, 1, 1]).loss).toBe(1.5);
  });

  it("reduction 'sum' with perImage is B times 'mean'; 'none' returns the per-image losses", () => {
    fc.assert(
      fc.property(variantCaseArb, ({ logits, labels, shape, options }) => {
        const B = shape[0];
        fc.pre(B > 0);
        const opts = { ...options, perImage: true };
        const mean = lovaszHinge(logits, labels, shape, { ...opts, reduction: 'mean' });
        const sum = lovaszHinge(logits, labels, shape, { ...opts, reduction: 'sum' });
        const none = lovaszHinge(logits, labels, shape, { ...opts, reduction: 'none' });
        expect(relErr(sum.loss, B * mean.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
        expect(
          maxAbsDiff(
            sum.grad,
            Array.from(mean.grad, (g) => B * g),
          ),
        ).toBeLessThanOrEqual(B * GRAD_ABS_TOL);
        expect(none.losses?.length).toBe(B);
        expect(relErr(none.loss, sum.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
        expect(Array.from(none.grad)).toEqual(Array.from(sum.grad));
        const HW = shape[1] * shape[2];
        for (let b = 0; b < B; b++) {
          const image = lovaszHinge(
            logits.subarray(b * HW, (b + 1) * HW),
            labels.slice(b * HW, (b + 1) * HW),
            [1, shape[1], shape[2]],
            { ...opts, reduction: 'mean' },
          );
          expect(none.losses?.[b]).toBe(image.loss);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("reduction 'none' without perImage returns one loss, the batch loss", () => {
    const logits = f32([0.5, -1, 2, 0]);
    const labels = [1, 0, 0, 1];
    const none = lovaszHinge(logits, labels, [2, 1, 2], { perImage: false, reduction: 'none' });
    const mean = lovaszHinge(logits, labels, [2, 1, 2], { perImage: false });
    expect(Array.from(none.losses ?? [])).toEqual([mean.loss]);
    expect(none.loss).toBe(mean.loss);
  });

  it("reduction 'none' with B = 0 or no valid pixel", () => {
    for (const variant of ['relu', 'elu+1'] as const) {
      for (const symmetric of [false, true]) {
        const o = { variant, symmetric, reduction: 'none' as Reduction };
        expect(Array.from(lovaszHinge([], [], [0, 2, 2], o).losses ?? [1])).toEqual([]);
        const voidAll = lovaszHinge([1, -1, 2, 0], [7, 7, 7, 7], [2, 1, 2], { ...o, ignore: 7 });
        expect(Array.from(voidAll.losses ?? [])).toEqual([0, 0]);
        expect(voidAll.loss).toBe(0);
        expect(maxAbs(voidAll.grad)).toBe(0);
        const batch = lovaszHinge([1, -1, 2, 0], [7, 7, 7, 7], [2, 1, 2], {
          ...o,
          ignore: 7,
          perImage: false,
        });
        expect(Array.from(batch.losses ?? [])).toEqual([0]);
      }
    }
  });
});

describe('lovaszHinge variants gradient', () => {
  // As in test/core/hinge.test.ts: distinct non-zero errors k / 64, h = 2^-12 exact in float32,
  // no error crosses another or 0 within +- h. relu and symmetric are then linear in each logit;
  // elu+1 is exp(e) below 0, whose central difference is off by (h^2 / 6) e^e < 1e-8. What is
  // left is the float32 rounding of the returned gradient.
  const h = 2 ** -12;
  const smoothArb = fc
    .record({
      B: fc.integer({ min: 1, max: 3 }),
      W: fc.integer({ min: 1, max: 6 }),
      perImage: fc.boolean(),
      mode: fc.constantFrom('none', 'some' as const),
      variant: fc.constantFrom<Variant>('relu', 'elu+1'),
      symmetric: fc.boolean(),
      reduction: reductionArb,
    })
    .chain(({ B, W, perImage, mode, variant, symmetric, reduction }) => {
      const n = B * W;
      return fc.record({
        shape: fc.constant([B, 1, W]),
        options: fc.constant({ perImage, variant, symmetric, reduction, ignore: 255 }),
        labels: labelsArb(n, 2, 255, mode),
        errors: fc.uniqueArray(
          fc.integer({ min: -255, max: 255 }).filter((k) => k !== 0),
          { minLength: n, maxLength: n },
        ),
      });
    });

  it('matches central finite differences of the loss (relu, elu+1, symmetric, every reduction)', () => {
    fc.assert(
      fc.property(smoothArb, ({ shape, options, labels, errors }) => {
        const logits = f32(errors.map((k, i) => (labels[i] === 1 ? 1 : -1) * (1 - k / 64)));
        const { grad } = lovaszHinge(logits, labels, shape, options);
        for (let i = 0; i < logits.length; i++) {
          const plus = logits.slice();
          const minus = logits.slice();
          plus[i] += h;
          minus[i] -= h;
          const fd =
            (lovaszHinge(plus, labels, shape, options).loss -
              lovaszHinge(minus, labels, shape, options).loss) /
            (2 * h);
          expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(GRAD_ABS_TOL);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('lovaszHinge rejects bad variant, symmetric and reduction', () => {
  const logits = f32([0.5, -1, 2, 0]);
  const labels = [1, 0, 0, 1];
  const shape = [1, 2, 2];
  const call =
    (...args: unknown[]) =>
    () =>
      (lovaszHinge as (...a: unknown[]) => unknown)(...args);

  it("rejects variant 'elu'", () => {
    const f = call(logits, labels, shape, { variant: 'elu' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'variant' must be 'relu' or 'elu\+1', got 'elu'$/);
  });

  it("rejects symmetric 'yes'", () => {
    const f = call(logits, labels, shape, { symmetric: 'yes' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszHinge: 'symmetric' must be true or false, got 'yes'$/);
  });

  it("rejects reduction 'avg'", () => {
    const f = call(logits, labels, shape, { reduction: 'avg' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'reduction' must be 'mean', 'sum' or 'none', got 'avg'$/);
  });

  it('rejects a null variant', () => {
    const f = call(logits, labels, shape, { variant: null });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'variant' must be 'relu' or 'elu\+1', got null$/);
  });
});
