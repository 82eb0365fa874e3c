import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lovaszGrad, lovaszSoftmax, lovaszSoftmaxFlat } from '../../src/index.js';
import {
  bitIdentical,
  type Classes,
  classesArb,
  dimsArb,
  expectMatchesReference,
  f32,
  GRAD_ABS_TOL,
  ignoreModeArb,
  ignoreValueArb,
  type Layout,
  LOSS_REL_TOL,
  labelsArb,
  layoutArb,
  permutation,
  probaArb,
  rng,
} from '../arbitraries.js';
import { nchwToNhwc, relErr } from '../golden.js';
import { refLovaszSoftmax } from '../reference.js';

interface SoftmaxCase {
  probas: Float32Array;
  labels: number[];
  shape: number[];
  options: { classes: Classes; perImage: boolean; ignore: number; layout: Layout };
}

/** Random cases: C = 1 is the rank-3 Lovász-Sigmoid with classes [0] or [1]. */
const softmaxCaseArb: fc.Arbitrary<SoftmaxCase> = fc
  .record({
    dims: dimsArb,
    C: fc.integer({ min: 1, max: 5 }),
    layout: layoutArb,
    perImage: fc.boolean(),
    mode: ignoreModeArb,
    ignore: ignoreValueArb,
  })
  .chain(({ dims: [B, H, W], C, layout, perImage, mode, ignore }) => {
    const n = B * H * W;
    const sigmoid = C === 1;
    const shape = sigmoid ? [B, H, W] : layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W];
    return fc.record({
      probas: fc.array(probaArb, { minLength: n * C, maxLength: n * C }).map(f32),
      labels: labelsArb(n, sigmoid ? 2 : C, ignore, mode),
      shape: fc.constant(shape),
      options: fc.record({
        classes: sigmoid ? fc.constantFrom<Classes>([0], [1]) : classesArb(C),
        perImage: fc.constant(perImage),
        ignore: fc.constant(ignore),
        layout: fc.constant(layout),
      }),
    });
  });

/** NHWC copy of a case given in NCHW (same labels and options). */
function toNhwc(c: SoftmaxCase): SoftmaxCase {
  if (c.shape.length === 3 || c.options.layout === 'NHWC') return c;
  const [B, C, H, W] = c.shape;
  return {
    probas: nchwToNhwc(c.probas, c.shape),
    labels: c.labels,
    shape: [B, H, W, C],
    options: { ...c.options, layout: 'NHWC' },
  };
}

describe('lovaszSoftmax against the reference implementation', () => {
  it('agrees on loss and gradient over shapes, layouts, classes, ignore fractions and perImage', () => {
    fc.assert(
      fc.property(softmaxCaseArb, ({ probas, labels, shape, options }) => {
        expectMatchesReference(
          lovaszSoftmax(probas, labels, shape, options),
          refLovaszSoftmax(probas, labels, shape, options),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the reference on images of up to 3000 pixels', () => {
    // Enough pixels for every radix pass of the sort and long runs of tied errors.
    const largeArb = fc
      .record({
        B: fc.integer({ min: 1, max: 2 }),
        n: fc.integer({ min: 100, max: 3000 }),
        C: fc.integer({ min: 2, max: 4 }),
      })
      .chain(({ B, n, C }) =>
        fc.record({
          shape: fc.constant([B, 1, n, C]),
          probas: fc.array(probaArb, { minLength: B * n * C, maxLength: B * n * C }).map(f32),
          labels: labelsArb(B * n, C, 255, 'some'),
          options: fc.record({
            classes: classesArb(C),
            perImage: fc.boolean(),
            ignore: fc.constant(255),
          }),
        }),
      );
    fc.assert(
      fc.property(largeArb, ({ shape, probas, labels, options }) => {
        expectMatchesReference(
          lovaszSoftmax(probas, labels, shape, options),
          refLovaszSoftmax(probas, labels, shape, options),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('agrees when errors differ in float64 but share a float32 sort key', () => {
    // Foreground errors 1 - p for tiny p all round to 1 in float32, as does the background
    // error of p = 1; likewise 0.5 + 2^-25 and 0.5. The exact order must still be used.
    const values = [2 ** -30, 2 ** -26, 3 * 2 ** -27, 1, 0.5 - 2 ** -25, 0.5, 0, 2 ** -24];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).chain((n) =>
          fc.record({
            probas: fc.array(fc.constantFrom(...values), { minLength: n, maxLength: n }).map(f32),
            labels: fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
          }),
        ),
        ({ probas, labels }) => {
          const shape = [1, 1, probas.length];
          const options = { classes: [1] };
          expectMatchesReference(
            lovaszSoftmax(probas, labels, shape, options),
            refLovaszSoftmax(probas, labels, shape, options),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same result in NCHW as in NHWC (gradient in the layout of the input)', () => {
    fc.assert(
      fc.property(softmaxCaseArb, (c) => {
        fc.pre(c.shape.length === 4 && c.options.layout === 'NCHW');
        const nchw = lovaszSoftmax(c.probas, c.labels, c.shape, c.options);
        const n = toNhwc(c);
        const nhwc = lovaszSoftmax(n.probas, n.labels, n.shape, n.options);
        expect(nchw.loss).toBe(nhwc.loss);
        expect(Array.from(nchwToNhwc(nchw.grad, c.shape))).toEqual(Array.from(nhwc.grad));
      }),
      { numRuns: 200 },
    );
  });

  it('lovaszSoftmaxFlat is lovaszSoftmax of a single image without ignore label', () => {
    fc.assert(
      fc.property(softmaxCaseArb, ({ probas, labels, shape, options }) => {
        fc.pre(!labels.includes(options.ignore) && shape.length === 4);
        fc.pre(options.layout === 'NHWC');
        const C = shape[3];
        const flat = lovaszSoftmaxFlat(probas, labels, C, { classes: options.classes });
        const ref = refLovaszSoftmax(probas, labels, [1, 1, labels.length, C], {
          classes: options.classes,
        });
        expectMatchesReference(flat, ref);
      }),
      { numRuns: 200 },
    );
  });
});

describe('lovaszSoftmax invariance and determinism', () => {
  it('has the same loss whichever way ties are ordered', () => {
    fc.assert(
      fc.property(softmaxCaseArb, ({ probas, labels, shape, options }) => {
        const core = lovaszSoftmax(probas, labels, shape, options);
        const reversed = refLovaszSoftmax(probas, labels, shape, {
          ...options,
          ties: 'decreasing',
        });
        expect(relErr(core.loss, reversed.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
      }),
      { numRuns: 300 },
    );
  });

  it('has the same batch loss when the pixels (with their probabilities) are shuffled', () => {
    fc.assert(
      fc.property(softmaxCaseArb, fc.integer(), (c, seed) => {
        const { probas, labels, shape, options } = toNhwc(c);
        const C = shape.length === 3 ? 1 : shape[3];
        const perm = permutation(labels.length, rng(seed));
        const shuffled = new Float32Array(probas.length);
        perm.forEach((from, to) => {
          shuffled.set(probas.subarray(from * C, (from + 1) * C), to * C);
        });
        const opts = { ...options, perImage: false };
        const a = lovaszSoftmax(probas, labels, shape, opts);
        const b = lovaszSoftmax(
          shuffled,
          perm.map((i) => labels[i]),
          shape,
          opts,
        );
        expect(relErr(b.loss, a.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
      }),
      { numRuns: 300 },
    );
  });

  it('returns bit-identical results for the same input, even after calls of other sizes', () => {
    fc.assert(
      fc.property(softmaxCaseArb, softmaxCaseArb, (x, other) => {
        const first = lovaszSoftmax(x.probas, x.labels, x.shape, x.options);
        lovaszSoftmax(other.probas, other.labels, other.shape, other.options);
        const second = lovaszSoftmax(x.probas, x.labels, x.shape, x.options);
        expect(bitIdentical(first, second)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('does not modify its inputs', () => {
    fc.assert(
      fc.property(softmaxCaseArb, ({ probas, labels, shape, options }) => {
        const copies = structuredClone({ probas, labels, shape, options });
        lovaszSoftmax(probas, labels, shape, options);
        expect({ probas, labels, shape, options }).toEqual(copies);
      }),
      { numRuns: 100 },
    );
  });
});

describe('lovaszSoftmax gradient', () => {
  // For every channel, the errors of the pixels are distinct multiples of 1/128 in (0, 1),
  // so p is never 0 or 1 (the kinks of |fg - p|) and a step h = 2^-12 (exact in float32)
  // crosses no other error: the loss is linear on [p - h, p + h] and the central difference
  // is exact up to float64 rounding (~1e-12). The tolerance is the float32 rounding of the
  // returned gradient.
  const h = 2 ** -12;
  const smoothCaseArb = fc
    .record({
      B: fc.integer({ min: 1, max: 2 }),
      H: fc.integer({ min: 1, max: 3 }),
      W: fc.integer({ min: 1, max: 3 }),
      C: fc.integer({ min: 1, max: 4 }),
      layout: layoutArb,
      perImage: fc.boolean(),
      mode: fc.constantFrom('none', 'some' as const),
    })
    .chain(({ B, H, W, C, layout, perImage, mode }) => {
      const n = B * H * W;
      const sigmoid = C === 1;
      return fc.record({
        dims: fc.constant([B, H, W, C]),
        layout: fc.constant(layout),
        perImage: fc.constant(perImage),
        labels: labelsArb(n, sigmoid ? 2 : C, 255, mode),
        classes: sigmoid ? fc.constantFrom<Classes>([0], [1]) : classesArb(C),
        errors: fc.array(
          fc.uniqueArray(fc.integer({ min: 1, max: 127 }), { minLength: n, maxLength: n }),
          { minLength: C, maxLength: C },
        ),
      });
    });

  it('matches central finite differences of the loss away from kinks (NHWC, NCHW, sigmoid)', () => {
    fc.assert(
      fc.property(
        smoothCaseArb,
        ({ dims: [B, H, W, C], layout, perImage, labels, classes, errors }) => {
          const sigmoid = C === 1;
          const HW = H * W;
          const shape = sigmoid ? [B, H, W] : layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W];
          const probas = new Float32Array(B * HW * C);
          for (let px = 0; px < B * HW; px++) {
            for (let c = 0; c < C; c++) {
              const b = Math.floor(px / HW);
              const off = sigmoid
                ? px
                : layout === 'NHWC'
                  ? px * C + c
                  : (b * C + c) * HW + (px - b * HW);
              const cls = sigmoid ? (classes as number[])[0] : c;
              const e = errors[c][px] / 128;
              probas[off] = labels[px] === cls ? 1 - e : e;
            }
          }
          const options = { perImage, layout, classes, ignore: 255 };
          const { grad } = lovaszSoftmax(probas, labels, shape, options);
          for (let i = 0; i < probas.length; i++) {
            const plus = probas.slice();
            const minus = probas.slice();
            plus[i] += h;
            minus[i] -= h;
            const fd =
              (lovaszSoftmax(plus, labels, shape, options).loss -
                lovaszSoftmax(minus, labels, shape, options).loss) /
              (2 * h);
            expect(Math.abs(grad[i] - fd)).toBeLessThanOrEqual(GRAD_ABS_TOL);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is sign(p - fg) times the Jaccard gradient in sorted order', () => {
    // One class, errors sorted as given: 0.75 (fg, p = 0.25), 0.5 (bg), 0.25 (fg, p = 0.75),
    // 0 (fg, p = 1: sign(0) = 0).
    const probas = [0.25, 0.5, 0.75, 1];
    const labels = [1, 0, 1, 1];
    const d = lovaszGrad(labels);
    const { loss, grad } = lovaszSoftmax(probas, labels, [1, 1, 4], { classes: [1] });
    expect(Array.from(grad)).toEqual(Array.from(f32([-d[0], d[1], -d[2], 0])));
    expect(loss).toBeCloseTo(0.75 * d[0] + 0.5 * d[1] + 0.25 * d[2], 15);
  });
});

describe('lovaszSoftmax edge cases', () => {
  it('gives the documented example', () => {
    // Class 0: errors 0.1 (fg), 0.3 (bg), sorted 0.3, 0.1 with G = 1: d = 1/2, 1/2 -> 0.2.
    // Class 1: errors 0.1 (bg), 0.3 (fg), sorted 0.3, 0.1: d = 1, 0 -> 0.3. Mean: 0.25.
    const { loss } = lovaszSoftmax([0.9, 0.1, 0.3, 0.7], [0, 1], [1, 1, 2, 2]);
    expect(loss).toBeCloseTo(0.25, 7);
    expect(lovaszSoftmaxFlat([0.9, 0.1, 0.3, 0.7], [0, 1], 2).loss).toBe(loss);
  });

  it('lovaszSoftmax ignores void pixels', () => {
    const probas = f32([0.5, 0.5, 0.25, 0.75, 1, 0, 0.125, 0.875, 0.625, 0.375, 0, 1]);
    const labels = [0, 255, 1, 255, 1, 0];
    const withVoid = lovaszSoftmax(probas, labels, [1, 2, 3, 2], { ignore: 255 });
    const keep = [0, 2, 4, 5];
    const without = lovaszSoftmax(
      f32(keep.flatMap((i) => [probas[2 * i], probas[2 * i + 1]])),
      keep.map((i) => labels[i]),
      [1, 1, 4, 2],
    );
    expect(withVoid.loss).toBe(without.loss);
    expect(keep.flatMap((i) => [withVoid.grad[2 * i], withVoid.grad[2 * i + 1]])).toEqual(
      Array.from(without.grad),
    );
    expect([1, 3].flatMap((i) => [withVoid.grad[2 * i], withVoid.grad[2 * i + 1]])).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('lovaszSoftmax with every pixel ignored returns 0 and a zero gradient', () => {
    for (const perImage of [true, false]) {
      for (const classes of ['present', 'all', [1]] as const) {
        const { loss, grad } = lovaszSoftmax(
          f32([0.5, 0.5, 0.25, 0.75]),
          [255, 255],
          [2, 1, 1, 2],
          { ignore: 255, perImage, classes },
        );
        expect(loss).toBe(0);
        expect(Array.from(grad)).toEqual([0, 0, 0, 0]);
      }
    }
  });

  it('lovaszSoftmax counts a fully ignored image as 0 in the per-image mean', () => {
    const probas = f32([0.75, 0.25, 0.5, 0.5, 0.125, 0.875, 0.5, 0.5]);
    const labels = [0, 1, 9, 9];
    const both = lovaszSoftmax(probas, labels, [2, 1, 2, 2], { ignore: 9, perImage: true });
    const first = lovaszSoftmax(probas.subarray(0, 4), labels.slice(0, 2), [1, 1, 2, 2]);
    expect(both.loss).toBe(first.loss / 2);
    expect(Array.from(both.grad.subarray(0, 4))).toEqual(Array.from(first.grad).map((g) => g / 2));
    expect(Array.from(both.grad.subarray(4))).toEqual([0, 0, 0, 0]);
  });

  it("lovaszSoftmax with classes 'present' averages over the classes in the labels only", () => {
    // Class 2 is absent: 'present' averages classes 0 and 1 only.
    const probas = f32([0.5, 0.25, 0.25, 0.25, 0.5, 0.25]);
    const labels = [0, 1];
    const present = lovaszSoftmax(probas, labels, [1, 1, 2, 3]).loss;
    const listed = lovaszSoftmax(probas, labels, [1, 1, 2, 3], { classes: [0, 1] }).loss;
    expect(present).toBe(listed);
  });

  it("lovaszSoftmax with classes 'all' counts an absent class, whose loss is its largest probability", () => {
    // Without foreground, J jumps to 1 at the largest error: the class loss is max p.
    const probas = f32([0.5, 0.25, 0.25, 0.25, 0.5, 0.25]);
    const labels = [0, 1];
    const two = lovaszSoftmax(probas, labels, [1, 1, 2, 3], { classes: [0, 1] }).loss;
    const all = lovaszSoftmax(probas, labels, [1, 1, 2, 3], { classes: 'all' });
    expect(all.loss).toBeCloseTo((2 * two + 0.25) / 3, 15);
    // Only the first of the tied probabilities of class 2 gets the gradient.
    expect([all.grad[2], all.grad[5]]).toEqual([Math.fround(1 / 3), 0]);
  });

  it('lovaszSoftmax with a class list counts a listed class that is absent', () => {
    const probas = f32([0.5, 0.25, 0.25, 0.25, 0.5, 0.125]);
    const { loss } = lovaszSoftmax(probas, [0, 0], [1, 1, 2, 3], { classes: [2] });
    expect(loss).toBe(0.25);
  });

  it("lovaszSoftmax with perImage takes the classes 'present' in each image separately", () => {
    // Image 0 holds only class 0, image 1 only class 1: each image averages over one class.
    const probas = f32([0.75, 0.25, 0.5, 0.5, 0.125, 0.875, 0.5, 0.5]);
    const labels = [0, 0, 1, 1];
    const both = lovaszSoftmax(probas, labels, [2, 1, 2, 2], { perImage: true }).loss;
    const first = lovaszSoftmax(probas.subarray(0, 4), [0, 0], [1, 1, 2, 2], { classes: [0] });
    const second = lovaszSoftmax(probas.subarray(4), [1, 1], [1, 1, 2, 2], { classes: [1] });
    expect(both).toBe((first.loss + second.loss) / 2);
  });

  it('lovaszSoftmax does not depend on the order of a class list', () => {
    fc.assert(
      fc.property(softmaxCaseArb, ({ probas, labels, shape, options }) => {
        fc.pre(Array.isArray(options.classes) && options.classes.length > 1);
        const reversed = [...(options.classes as number[])].reverse();
        const a = lovaszSoftmax(probas, labels, shape, options);
        const b = lovaszSoftmax(probas, labels, shape, { ...options, classes: reversed });
        expect(relErr(b.loss, a.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
        expect(Array.from(b.grad)).toEqual(Array.from(a.grad));
      }),
      { numRuns: 100 },
    );
  });

  it('lovaszSoftmax of an empty batch (B = 0) is 0 with an empty gradient', () => {
    for (const perImage of [true, false]) {
      const r = lovaszSoftmax([], [], [0, 3, 3, 4], { perImage });
      expect(r.loss).toBe(0);
      expect(r.grad.length).toBe(0);
    }
  });

  it('lovaszSoftmax of images without pixels (H = 0 or W = 0) is 0 with an empty gradient', () => {
    for (const shape of [
      [2, 0, 3, 4],
      [2, 3, 0, 4],
      [2, 0, 3],
    ]) {
      for (const perImage of [true, false]) {
        const options = shape.length === 3 ? { perImage, classes: [1] } : { perImage };
        const r = lovaszSoftmax([], [], shape, options);
        expect(r.loss).toBe(0);
        expect(r.grad.length).toBe(0);
      }
    }
    expect(lovaszSoftmaxFlat([], [], 3).loss).toBe(0);
  });

  it('lovaszSoftmax of a single pixel is the mean error over the present class', () => {
    // Only class 1 is present: one foreground pixel, d = 1, loss |1 - 0.75|.
    const { loss, grad } = lovaszSoftmax([0.125, 0.75, 0.125], [1], [1, 1, 1, 3]);
    expect(loss).toBe(0.25);
    expect(Array.from(grad)).toEqual([0, -1, 0]);
  });

  it('lovaszSoftmax with all errors tied is that error (the Jaccard loss of the whole set is 1), gradient by pixel order', () => {
    // Every probability 0.5: every error is 0.5, each class loss is 0.5 * J(all) = 0.5.
    const labels = [0, 1, 1, 0, 1, 2];
    const probas = new Float32Array(18).fill(0.5);
    const { loss, grad } = lovaszSoftmax(probas, labels, [1, 2, 3, 3]);
    expect(loss).toBeCloseTo(0.5, 15);
    for (let c = 0; c < 3; c++) {
      const fg = labels.map((y) => (y === c ? 1 : 0));
      const d = lovaszGrad(fg);
      const expected = fg.map((g, i) => (g ? -d[i] : d[i]) / 3);
      expect(labels.map((_, i) => grad[i * 3 + c])).toEqual(Array.from(f32(expected)));
    }
  });

  it('lovaszSoftmax is 0 for a perfect prediction', () => {
    const { loss, grad } = lovaszSoftmax([1, 0, 0, 1, 1, 0], [0, 1, 0], [1, 1, 3, 2]);
    expect(loss).toBe(0);
    expect(Array.from(grad)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('lovaszSoftmax of a rank-3 input is the Lovász-Sigmoid of the class listed in classes', () => {
    // The sigmoid channel p is the probability of class 1: the same as two channels [1 - p, p]
    // with classes [1], and for classes [0] the same as [p, 1 - p].
    const p = f32([0.125, 0.875, 0.5, 0.25, 1, 0]);
    const labels = [0, 1, 1, 0, 0, 1];
    const sigmoid1 = lovaszSoftmax(p, labels, [1, 2, 3], { classes: [1] });
    const two1 = lovaszSoftmax(
      f32(Array.from(p).flatMap((x) => [1 - x, x])),
      labels,
      [1, 2, 3, 2],
      { classes: [1] },
    );
    expect(sigmoid1.loss).toBe(two1.loss);
    expect(Array.from(sigmoid1.grad)).toEqual(Array.from(two1.grad).filter((_, i) => i % 2 === 1));
    const sigmoid0 = lovaszSoftmax(p, labels, [1, 2, 3], { classes: [0] });
    const two0 = lovaszSoftmax(
      f32(Array.from(p).flatMap((x) => [x, 1 - x])),
      labels,
      [1, 2, 3, 2],
      { classes: [0] },
    );
    expect(sigmoid0.loss).toBe(two0.loss);
  });

  it('lovaszSoftmax treats a single channel in rank 4 like the rank-3 sigmoid input', () => {
    const p = f32([0.125, 0.875, 0.5, 0.25]);
    const labels = [0, 1, 1, 0];
    const rank3 = lovaszSoftmax(p, labels, [1, 2, 2], { classes: [1] });
    expect(bitIdentical(lovaszSoftmax(p, labels, [1, 2, 2, 1], { classes: [1] }), rank3)).toBe(
      true,
    );
    expect(
      bitIdentical(lovaszSoftmax(p, labels, [1, 1, 2, 2], { classes: [1], layout: 'NCHW' }), rank3),
    ).toBe(true);
  });

  it('lovaszSoftmax accepts probabilities up to 1e-6 outside [0, 1]', () => {
    // One pixel of class 0 with classes 'all': class 0 sees a foreground error |1 - p0| and
    // absent class 1 a background error |p1|, each with Jaccard gradient 1.
    const probas = f32([1 + 9e-7, -9e-7]);
    const got = lovaszSoftmax(probas, [0], [1, 1, 1, 2], { classes: 'all' });
    expectMatchesReference(got, refLovaszSoftmax(probas, [0], [1, 1, 1, 2], { classes: 'all' }));
    expect(got.loss).toBe((probas[0] - 1 - probas[1]) / 2);
    // Past the ideal value the error grows again: the gradient pushes back towards [0, 1].
    expect(Array.from(got.grad)).toEqual([0.5, -0.5]);
  });

  it('lovaszSoftmax reads probabilities at float32 precision', () => {
    const values = [0.1, 0.9, 0.3, 0.7, 0.6, 0.4];
    const plain = lovaszSoftmax(values, [0, 1, 1], [1, 1, 3, 2]);
    const typed = lovaszSoftmax(f32(values), [0, 1, 1], [1, 1, 3, 2]);
    expect(bitIdentical(plain, typed)).toBe(true);
  });

  it('lovaszSoftmax accepts labels as any typed array', () => {
    const probas = f32([0.5, 0.25, 0.25, 0.125, 0.75, 0.125]);
    const expected = lovaszSoftmax(probas, [0, 2], [1, 1, 2, 3]);
    for (const labels of [
      new Uint8Array([0, 2]),
      new Int16Array([0, 2]),
      new Float64Array([0, 2]),
    ]) {
      expect(bitIdentical(lovaszSoftmax(probas, labels, [1, 1, 2, 3]), expected)).toBe(true);
    }
  });

  it('lovaszSoftmax (sigmoid) on 4M pixels matches a float64 computation with exact integer counts', () => {
    // As for the hinge: probabilities on a 1/1024 grid, so the test groups pixels by error and
    // takes each group's Jaccard increment from exact counts (the loss does not depend on the
    // order of equal errors). float32 counts, as in the original code, drift by about 1%.
    const H = 2048;
    const W = 2048;
    const n = H * W;
    const random = rng(42);
    const probas = new Float32Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = random() < 0.4 ? 1 : 0;
      const p = Math.min(1, Math.max(0, (labels[i] ? 0.65 : 0.35) + (random() - 0.5) * 0.9));
      probas[i] = Math.round(p * 1024) / 1024;
    }
    const fgCount = new Float64Array(1025);
    const bgCount = new Float64Array(1025);
    let G = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.round(Math.abs(labels[i] - probas[i]) * 1024);
      if (labels[i]) fgCount[k]++;
      else bgCount[k]++;
      G += labels[i];
    }
    let expected = 0;
    let fg = 0;
    let bg = 0;
    let jPrev = 0;
    for (let k = 1024; k >= 0; k--) {
      fg += fgCount[k];
      bg += bgCount[k];
      const j = 1 - (G - fg) / (G + bg);
      expected += (k / 1024) * (j - jPrev);
      jPrev = j;
    }
    const { loss } = lovaszSoftmax(probas, labels, [1, H, W], { classes: [1] });
    expect(relErr(loss, expected)).toBeLessThanOrEqual(1e-9);
  });
});

describe('lovaszSoftmax rejects bad inputs', () => {
  const probas = f32([0.5, 0.5, 0.25, 0.75, 1, 0, 0, 1]);
  const labels = [0, 1, 1, 0];
  const shape = [1, 2, 2, 2];
  const call =
    (...args: unknown[]) =>
    () =>
      (lovaszSoftmax as (...a: unknown[]) => unknown)(...args);

  it('rejects labels of a different length than the pixels', () => {
    const f = call(probas, [0, 1, 1], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'labels' has 3 values but shape \[1, 2, 2, 2\] \(NHWC\) needs 4, one per pixel of \[1, 2, 2\], or 8 for sigmoid probabilities \(sigmoid exactly when the labels have the prediction's shape\)$/,
    );
  });

  it('rejects probabilities that do not fill the shape', () => {
    const f = call(probas.subarray(1), labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'probas' has 7 values but shape \[1, 2, 2, 2\] needs 8$/);
  });

  it('rejects a shape of the wrong rank', () => {
    const f = call(probas, labels, [8]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'shape' must be .*\(rank >= 2\), got \[8\] \(rank 1\)$/);
  });

  it('rejects a negative dimension', () => {
    const f = call([], [], [1, -2, 2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'shape' must hold non-negative integers.*got \[1, -2, 2, 2\]$/,
    );
  });

  it('rejects a non-integer dimension', () => {
    const f = call(probas, labels, [1, 2, 2, 2.5]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'shape' must hold non-negative integers.*got \[1, 2, 2, 2.5\]$/,
    );
  });

  it('rejects zero channels', () => {
    const f = call([], [0, 0, 0, 0], [1, 0, 2, 2], { layout: 'NCHW' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'probas' needs at least one channel, got shape \[1, 0, 2, 2\] \(NCHW: \[B, C, \.\.\.spatial\]\)$/,
    );
  });

  it('rejects a label outside [0, C)', () => {
    const f = call(probas, [0, 2, 1, 0], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'labels' must be an integer in \[0, 2\), got 2 at index 1$/);
  });

  it('rejects a negative label that is not the ignore label', () => {
    const f = call(probas, [0, 1, -1, 0], shape, { ignore: 255 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'labels' must be an integer in \[0, 2\) or the ignore label 255, got -1 at index 2$/,
    );
  });

  it('rejects a fractional label', () => {
    const f = call(probas, [0, 1, 0.5, 0], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'labels' must be an integer in \[0, 2\), got 0.5 at index 2$/,
    );
  });

  it('rejects a NaN probability', () => {
    const f = call(f32([0.5, Number.NaN, 0, 1, 1, 0, 0, 1]), labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'probas' must be probabilities in \[0, 1\], got NaN at index 1$/,
    );
  });

  it('rejects an infinite probability', () => {
    const f = call([0.5, 0.5, 0, 1, Number.POSITIVE_INFINITY, 0, 0, 1], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/'probas' must be probabilities in \[0, 1\], got Infinity at index 4$/);
  });

  it('rejects a negatively infinite probability', () => {
    const f = call([0.5, 0.5, 0, 1, 1, 0, 0, -Infinity], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/'probas' must be probabilities in \[0, 1\], got -Infinity at index 7$/);
  });

  it('rejects a probability above 1 + 1e-6 and suggests passing probabilities, not logits', () => {
    const f = call([0.5, 0.5, 0, 1, 1 + 2e-6, 0, 0, 1], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'probas' must be probabilities in \[0, 1\], got 1.000002 at index 4 \(pass probabilities, e.g. softmax\(logits\), not logits; or fromLogits: true\)$/,
    );
  });

  it('rejects a probability below -1e-6', () => {
    const f = call([0.5, 0.5, 0, 1, 1, -2e-6, 0, 1], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/'probas' must be probabilities in \[0, 1\], got -0.000002 at index 5/);
  });

  it('rejects an unknown layout', () => {
    const f = call(probas, labels, shape, { layout: 'NWHC' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'layout' must be 'NHWC' or 'NCHW', got 'NWHC'$/);
  });

  it('rejects a class list with an entry outside [0, C)', () => {
    const f = call(probas, labels, shape, { classes: [0, 2] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'classes' entries must be integers in \[0, 2\), got 2 in \[0, 2\]$/,
    );
  });

  it('rejects a class list with a duplicate', () => {
    const f = call(probas, labels, shape, { classes: [1, 0, 1] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'classes' has the class 1 twice in \[1, 0, 1\]$/);
  });

  it('rejects a class list with a fractional entry', () => {
    const f = call(probas, labels, shape, { classes: [0.5] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/'classes' entries must be integers in \[0, 2\), got 0.5 in \[0.5\]$/);
  });

  it('rejects a classes value that is neither a selection nor a list', () => {
    const f = call(probas, labels, shape, { classes: 'every' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^lovaszSoftmax: 'classes' must be 'present', 'all' or an array of class indices, got 'every'$/,
    );
  });

  it("rejects classes 'present' with a sigmoid input and tells to pass e.g. [1]", () => {
    const f = call([0.5, 0.25], [0, 1], [1, 1, 2], { classes: 'present' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: with a single probability channel .*e\.g\. \[1\]; got 'present'$/,
    );
  });

  it("rejects classes 'all' with a sigmoid input and tells to pass e.g. [1]", () => {
    const f = call([0.5, 0.25], [0, 1], [1, 1, 2], { classes: 'all' });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmax: with a single probability channel .*e\.g\. \[1\]; got 'all'$/,
    );
  });

  it('rejects a sigmoid input without classes, since the default is present', () => {
    const f = call([0.5, 0.25], [0, 1], [1, 1, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/'classes' must name the class the channel predicts, e\.g\. \[1\]/);
  });

  it('rejects a sigmoid input with two classes', () => {
    const f = call([0.5, 0.25], [0, 1], [1, 1, 2], { classes: [0, 1] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/must hold exactly one class, e\.g\. \[1\]; got \[0, 1\]$/);
  });

  it('rejects a sigmoid label other than 0 or 1', () => {
    const f = call([0.5, 0.25], [0, 2], [1, 1, 2], { classes: [1] });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmax: 'labels' must be 0 or 1, got 2 at index 1$/);
  });

  it('rejects an unknown option such as per_image', () => {
    const f = call(probas, labels, shape, { per_image: true });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^lovaszSoftmax: unknown option 'per_image' \(did you mean 'perImage'\? known options: 'classes', 'perImage', 'ignore', 'layout', 'fromLogits', 'classWeights', 'reduction', 'kernel', 'out'\)$/,
    );
  });

  it('rejects a non-boolean perImage', () => {
    const f = call(probas, labels, shape, { perImage: 'true' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszSoftmax: 'perImage' must be true or false, got 'true'$/);
  });

  it('rejects a non-integer ignore label', () => {
    const f = call(probas, labels, shape, { ignore: '255' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszSoftmax: 'ignore' must be null or an integer label.*got '255'$/);
  });

  it('rejects probabilities that are not an array', () => {
    const f = call(new DataView(new ArrayBuffer(32)), labels, shape);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszSoftmax: 'probas' must be an array or a typed array, got DataView$/);
  });

  it('rejects labels that are not an array', () => {
    const f = call(probas, null, shape);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszSoftmax: 'labels' must be an array or a typed array, got null$/);
  });

  it('lovaszSoftmaxFlat rejects numClasses < 1', () => {
    const f = () => lovaszSoftmaxFlat([], [], 0);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmaxFlat: 'numClasses' must be an integer >= 1, got 0$/);
  });

  it('lovaszSoftmaxFlat rejects a fractional numClasses', () => {
    const f = () => lovaszSoftmaxFlat([0.5, 0.5], [0], 1.5);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszSoftmaxFlat: 'numClasses' must be an integer >= 1, got 1.5$/);
  });

  it('lovaszSoftmaxFlat rejects probabilities that do not match [P, numClasses]', () => {
    const f = () => lovaszSoftmaxFlat([0.5, 0.5, 0.5, 0.5, 0.5], [0, 1], 3);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszSoftmaxFlat: 'probas' has 5 values but \[P, numClasses\] = \[2, 3\] needs 6$/,
    );
  });

  it('lovaszSoftmaxFlat rejects options other than classes', () => {
    const f = () =>
      lovaszSoftmaxFlat([0.5, 0.5], [0], 2, { perImage: true } as unknown as { classes: 'all' });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^lovaszSoftmaxFlat: unknown option 'perImage' \(known options: 'classes'\)$/,
    );
  });
});
