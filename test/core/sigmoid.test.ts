import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lovaszSigmoid, lovaszSoftmax } from '../../src/index.js';
import {
  bitIdentical,
  type Classes,
  classWeightsArb,
  dimsArb,
  expectReducedMatchesReference,
  f32,
  ignoreModeArb,
  ignoreValueArb,
  labelsArb,
  maxAbs,
  type Reduction,
  reductionArb,
  wideLogitArb,
} from '../arbitraries.js';
import { refLovaszSoftmaxExt, refSigmoid } from '../reference.js';

interface SigmoidCase {
  logits: Float32Array;
  labels: number[];
  shape: number[];
  options: {
    classes?: Classes;
    perImage: boolean;
    ignore: number;
    classWeights: number[] | null;
    reduction: Reduction;
  };
}

const sigmoidCaseArb: fc.Arbitrary<SigmoidCase> = fc
  .record({ dims: dimsArb, mode: ignoreModeArb, ignore: ignoreValueArb, perImage: fc.boolean() })
  .chain(({ dims, mode, ignore, perImage }) => {
    const n = dims[0] * dims[1] * dims[2];
    return fc.record({
      logits: fc.array(wideLogitArb, { minLength: n, maxLength: n }).map(f32),
      labels: labelsArb(n, 2, ignore, mode),
      shape: fc.constant(dims),
      options: fc.record(
        {
          classes: fc.constantFrom<Classes>([0], [1]),
          perImage: fc.constant(perImage),
          ignore: fc.constant(ignore),
          classWeights: classWeightsArb(2),
          reduction: reductionArb,
        },
        { requiredKeys: ['perImage', 'ignore', 'classWeights', 'reduction'] },
      ),
    });
  });

/** The float32 sigmoid probabilities of the logits. */
function sigmoidProbas(logits: ArrayLike<number>): Float32Array {
  return f32(Array.from(logits, refSigmoid));
}

describe('lovaszSigmoid against the reference implementation', () => {
  it('agrees on loss, gradient and per-item losses over shapes, classes, weights, reductions', () => {
    fc.assert(
      fc.property(sigmoidCaseArb, ({ logits, labels, shape, options }) => {
        const ref = refLovaszSoftmaxExt(logits, labels, shape, {
          classes: [1],
          ...options,
          fromLogits: true,
        });
        expectReducedMatchesReference(lovaszSigmoid(logits, labels, shape, options), ref);
      }),
      { numRuns: 400 },
    );
  });

  it('agrees on tie-heavy logits of up to 3000 pixels', () => {
    const largeArb = fc
      .record({ B: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 100, max: 3000 }) })
      .chain(({ B, n }) =>
        fc.record({
          shape: fc.constant([B, 1, n]),
          logits: fc
            .array(fc.constantFrom(-2, -0.5, 0, 0.5, 2), { minLength: B * n, maxLength: B * n })
            .map(f32),
          labels: labelsArb(B * n, 2, 255, 'some'),
          perImage: fc.boolean(),
        }),
      );
    fc.assert(
      fc.property(largeArb, ({ shape, logits, labels, perImage }) => {
        const options = { perImage, ignore: 255 };
        expectReducedMatchesReference(
          lovaszSigmoid(logits, labels, shape, options),
          refLovaszSoftmaxExt(logits, labels, shape, {
            ...options,
            classes: [1],
            fromLogits: true,
          }),
        );
      }),
      { numRuns: 20 },
    );
  });

  it('returns a gradient as long as the logits, also after a larger call', () => {
    lovaszSigmoid(new Float32Array(100), new Array(100).fill(1), [1, 10, 10]);
    const { grad } = lovaszSigmoid([0.5, -1], [1, 0], [1, 1, 2]);
    expect(grad.length).toBe(2);
  });
});

describe('lovaszSigmoid is the Lovász-Sigmoid of the float32 sigmoid probabilities', () => {
  it('equals lovaszSoftmax(sigmoid(logits), classes [1]) in loss, and its gradient through the sigmoid', () => {
    fc.assert(
      fc.property(sigmoidCaseArb, ({ logits, labels, shape, options }) => {
        const p = sigmoidProbas(logits);
        const fromLogits = lovaszSigmoid(logits, labels, shape, options);
        const fromProbas = lovaszSoftmax(p, labels, shape, { classes: [1], ...options });
        expect(fromLogits.loss).toBe(fromProbas.loss);
        expect(Array.from(fromLogits.losses ?? [])).toEqual(Array.from(fromProbas.losses ?? []));
        // d loss / d z = g p (1 - p) from the float32 gradient g w.r.t. p, rounded once.
        const chained = f32(Array.from(fromProbas.grad, (g, i) => g * p[i] * (1 - p[i])));
        expect(Array.from(fromLogits.grad)).toEqual(Array.from(chained));
      }),
      { numRuns: 300 },
    );
  });

  it('is lovaszSoftmax with fromLogits on a rank-3 shape', () => {
    fc.assert(
      fc.property(sigmoidCaseArb, ({ logits, labels, shape, options }) => {
        const a = lovaszSigmoid(logits, labels, shape, options);
        const b = lovaszSoftmax(logits, labels, shape, {
          classes: [1],
          ...options,
          fromLogits: true,
        });
        expect(bitIdentical(a, b)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('defaults to classes [1]', () => {
    const logits = f32([2, -1, 0.5, -3]);
    const labels = [1, 0, 0, 1];
    const byDefault = lovaszSigmoid(logits, labels, [1, 2, 2]);
    const explicit = lovaszSigmoid(logits, labels, [1, 2, 2], { classes: [1] });
    const background = lovaszSigmoid(logits, labels, [1, 2, 2], { classes: [0] });
    expect(bitIdentical(byDefault, explicit)).toBe(true);
    expect(background.loss).not.toBe(byDefault.loss);
  });

  it('gives the documented example', () => {
    // p = sigmoid([2, -1, 0.5, -3]); fg = [1, 0, 0, 1]; errors 1 - p0, p1, p2, 1 - p3.
    const z = [2, -1, 0.5, -3];
    const p = z.map(refSigmoid);
    const e = [1 - p[0], p[1], p[2], 1 - p[3]];
    // Decreasing: e3 (fg, ~0.953), e2 (bg, ~0.622), e1 (bg, ~0.269), e0 (fg, ~0.119); G = 2.
    // J: 1 - 1/2, 1 - 1/3, 1 - 1/4, 1 - 0/4 -> d = 1/2, 1/6, 1/12, 1/4.
    const expected = e[3] / 2 + e[2] / 6 + e[1] / 12 + e[0] / 4;
    expect(lovaszSigmoid(z, [1, 0, 0, 1], [1, 2, 2]).loss).toBeCloseTo(expected, 14);
  });

  it('with every pixel ignored: loss 0, zero gradient, per-image losses 0', () => {
    const r = lovaszSigmoid([1, -2, 3, 0], [7, 7, 7, 7], [2, 1, 2], {
      ignore: 7,
      perImage: true,
      reduction: 'none',
    });
    expect(r.loss).toBe(0);
    expect(maxAbs(r.grad)).toBe(0);
    expect(Array.from(r.losses ?? [])).toEqual([0, 0]);
  });

  it('a zero weight on the class predicted gives loss 0', () => {
    const r = lovaszSigmoid([1, -2, 3, 0], [1, 0, 0, 1], [1, 2, 2], { classWeights: [1, 0] });
    expect(r.loss).toBe(0);
    expect(maxAbs(r.grad)).toBe(0);
  });
});

describe('lovaszSigmoid gradient', () => {
  // Central differences in the logits. With m = -s z on distinct multiples of 1/8 in [-3, 3],
  // the errors sigmoid(m) are > sigmoid'(3) / 8 ~ 5.6e-3 apart, while z +- h moves each by at
  // most h / 4 ~ 1e-3 (h = 2^-8, exact on the grid): no ordering change. The core rounds p to
  // float32, so the loss moves in steps of up to 2^-25 per pixel: the difference quotient is
  // off by up to 2^-25 / 2^-8 ~ 7.6e-6, and the curvature adds (h^2 / 6) max|sigmoid'''| ~ 3e-7.
  // Hence 2e-5; a mistake in the chain rule (e.g. a missing factor p (1 - p)) is off by O(0.1).
  const h = 2 ** -8;
  const smoothArb = fc
    .record({
      B: fc.integer({ min: 1, max: 3 }),
      W: fc.integer({ min: 1, max: 5 }),
      perImage: fc.boolean(),
      reduction: reductionArb,
      classes: fc.constantFrom<Classes>([0], [1]),
    })
    .chain(({ B, W, perImage, reduction, classes }) =>
      fc.record({
        shape: fc.constant([B, 1, W]),
        labels: labelsArb(B * W, 2, 255, 'some'),
        ms: fc.uniqueArray(fc.integer({ min: -24, max: 24 }), {
          minLength: B * W,
          maxLength: B * W,
        }),
        options: fc.constant({ perImage, reduction, classes, ignore: 255 }),
      }),
    );

  it('matches central finite differences in the logits away from ordering changes', () => {
    fc.assert(
      fc.property(smoothArb, ({ shape, labels, ms, options }) => {
        const cls = (options.classes as number[])[0];
        // s = +1 on the pixels of the class predicted: z = -s m.
        const logits = f32(ms.map((k, i) => (labels[i] === cls ? -1 : 1) * (k / 8)));
        const loss = (z: Float32Array) => lovaszSigmoid(z, labels, shape, options).loss;
        const { grad } = lovaszSigmoid(logits, labels, shape, options);
        for (let i = 0; i < logits.length; i++) {
          const plus = logits.slice();
          const minus = logits.slice();
          plus[i] += h;
          minus[i] -= h;
          const fd = (loss(plus) - loss(minus)) / (2 * h);
          expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(2e-5);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('lovaszSigmoid rejects bad inputs', () => {
  const logits = [0.5, -1, 2, 0];
  const labels = [1, 0, 0, 1];
  const shape = [1, 2, 2];
  const call =
    (...args: unknown[]) =>
    () =>
      (lovaszSigmoid as (...a: unknown[]) => unknown)(...args);

  it('rejects a shape without a spatial axis (rank below 2)', () => {
    const f = call(logits, labels, [4]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSigmoid: 'shape' must be \[B, \.\.\.spatial\] \(rank >= 2\), got \[4\] \(rank 1\)$/,
    );
  });

  it("rejects the option 'layout'", () => {
    const f = call(logits, labels, shape, { layout: 'NHWC' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^lovaszSigmoid: unknown option 'layout' \(known options: 'classes', 'perImage', 'ignore', 'classWeights', 'reduction', 'kernel', 'out'\)$/,
    );
  });

  it("rejects the option 'fromLogits' (the input is always logits)", () => {
    const f = call(logits, labels, shape, { fromLogits: false });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszSigmoid: unknown option 'fromLogits' \(known options: /);
  });

  it("rejects classes 'present'", () => {
    const f = call(logits, labels, shape, { classes: 'present' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSigmoid: with a single probability channel .*got 'present'$/);
  });

  it('rejects a label other than 0, 1 or the ignore label', () => {
    const f = call(logits, [1, 0, 2, 1], shape, { ignore: 255 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSigmoid: 'labels' must be 0 or 1 or the ignore label 255, got 2 at index 2$/,
    );
  });

  it('rejects a NaN logit, naming the logits', () => {
    const f = call([0, 0, Number.NaN, 0], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSigmoid: 'logits' must be finite, got NaN at index 2$/);
  });

  it('rejects logits that do not fill the shape', () => {
    const f = call([0, 0, 0], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSigmoid: 'logits' has 3 values but shape \[1, 2, 2\] needs 4$/);
  });

  it("rejects reduction 'avg'", () => {
    const f = call(logits, labels, shape, { reduction: 'avg' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSigmoid: 'reduction' must be 'mean', 'sum' or 'none', got 'avg'$/);
  });

  it('rejects classWeights with one weight (one per label 0 and 1 is needed)', () => {
    const f = call(logits, labels, shape, { classWeights: [1] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSigmoid: 'classWeights' must hold one weight per class \(2\), got 1$/,
    );
  });
});
