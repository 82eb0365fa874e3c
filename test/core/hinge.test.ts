import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lovaszGrad, lovaszHinge, lovaszHingeFlat } from '../../src/index.js';
import {
  bitIdentical,
  dimsArb,
  expectMatchesReference,
  f32,
  GRAD_ABS_TOL,
  ignoreModeArb,
  ignoreValueArb,
  LOSS_REL_TOL,
  labelsArb,
  logitArb,
  permutation,
  rng,
} from '../arbitraries.js';
import { relErr } from '../golden.js';
import { refLovaszHinge } from '../reference.js';

const hingeCaseArb = fc
  .record({ dims: dimsArb, perImage: fc.boolean(), mode: ignoreModeArb, ignore: ignoreValueArb })
  .chain(({ dims, perImage, mode, ignore }) => {
    const n = dims[0] * dims[1] * dims[2];
    return fc.record({
      shape: fc.constant(dims),
      options: fc.constant({ perImage, ignore }),
      logits: fc.array(logitArb, { minLength: n, maxLength: n }).map(f32),
      labels: labelsArb(n, 2, ignore, mode),
    });
  });

describe('lovaszHinge against the reference implementation', () => {
  it('agrees on loss and gradient over random shapes, ignore fractions and perImage', () => {
    fc.assert(
      fc.property(hingeCaseArb, ({ logits, labels, shape, options }) => {
        expectMatchesReference(
          lovaszHinge(logits, labels, shape, options),
          refLovaszHinge(logits, labels, shape, options),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with the reference on tie-heavy inputs where most errors are equal', () => {
    const tied = fc.constantFrom(-1, -0.5, 0, 0.5, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.record({
            logits: fc.array(tied, { minLength: n, maxLength: n }).map(f32),
            labels: fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
          }),
        ),
        fc.boolean(),
        ({ logits, labels }, perImage) => {
          const shape = [1, 1, logits.length];
          expectMatchesReference(
            lovaszHinge(logits, labels, shape, { perImage }),
            refLovaszHinge(logits, labels, shape, { perImage }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the reference on images of up to 4000 pixels', () => {
    // Enough pixels for every radix pass of the sort and long runs of tied errors.
    const largeArb = fc
      .record({ B: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 100, max: 4000 }) })
      .chain(({ B, n }) =>
        fc.record({
          shape: fc.constant([B, 1, n]),
          logits: fc.array(logitArb, { minLength: B * n, maxLength: B * n }).map(f32),
          labels: labelsArb(B * n, 2, 255, 'some'),
          perImage: fc.boolean(),
        }),
      );
    fc.assert(
      fc.property(largeArb, ({ shape, logits, labels, perImage }) => {
        const options = { perImage, ignore: 255 };
        expectMatchesReference(
          lovaszHinge(logits, labels, shape, options),
          refLovaszHinge(logits, labels, shape, options),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('lovaszHingeFlat is lovaszHinge of a single image', () => {
    fc.assert(
      fc.property(hingeCaseArb, ({ logits, labels, options }) => {
        fc.pre(!labels.includes(options.ignore));
        const flat = lovaszHingeFlat(logits, labels);
        const ref = refLovaszHinge(logits, labels, [1, 1, logits.length]);
        expectMatchesReference(flat, ref);
      }),
      { numRuns: 200 },
    );
  });
});

describe('lovaszHinge invariance and determinism', () => {
  it('has the same loss whichever way ties are ordered', () => {
    fc.assert(
      fc.property(hingeCaseArb, ({ logits, labels, shape, options }) => {
        const core = lovaszHinge(logits, labels, shape, options);
        const reversed = refLovaszHinge(logits, labels, shape, { ...options, ties: 'decreasing' });
        expect(relErr(core.loss, reversed.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
      }),
      { numRuns: 300 },
    );
  });

  it('has the same batch loss when the pixels are shuffled', () => {
    fc.assert(
      fc.property(hingeCaseArb, fc.integer(), ({ logits, labels, shape, options }, seed) => {
        const perm = permutation(logits.length, rng(seed));
        const opts = { ...options, perImage: false };
        const a = lovaszHinge(logits, labels, shape, opts);
        const b = lovaszHinge(
          f32(perm.map((i) => logits[i])),
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
      fc.property(hingeCaseArb, hingeCaseArb, (x, other) => {
        const first = lovaszHinge(x.logits, x.labels, x.shape, x.options);
        lovaszHinge(other.logits, other.labels, other.shape, other.options);
        const second = lovaszHinge(x.logits, x.labels, x.shape, x.options);
        expect(bitIdentical(first, second)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('does not modify its inputs', () => {
    fc.assert(
      fc.property(hingeCaseArb, ({ logits, labels, shape, options }) => {
        const logitsCopy = logits.slice();
        const labelsCopy = labels.slice();
        const shapeCopy = shape.slice();
        const optionsCopy = { ...options };
        lovaszHinge(logits, labels, shape, options);
        expect(logits).toEqual(logitsCopy);
        expect(labels).toEqual(labelsCopy);
        expect(shape).toEqual(shapeCopy);
        expect(options).toEqual(optionsCopy);
      }),
      { numRuns: 100 },
    );
  });
});

describe('lovaszHinge gradient', () => {
  // Inputs with distinct, non-zero errors on a 1/64 grid, perturbed by h = 2^-12: x +- h is
  // exact in float32 and no error crosses another or 0, so the loss is linear on [x - h, x + h]
  // and the central difference is exact up to float64 rounding of the loss (~1e-12). What is
  // left is the float32 rounding of the returned gradient.
  const h = 2 ** -12;
  const smoothCaseArb = fc
    .record({
      B: fc.integer({ min: 1, max: 3 }),
      W: fc.integer({ min: 1, max: 6 }),
      perImage: fc.boolean(),
      mode: fc.constantFrom('none', 'some' as const),
    })
    .chain(({ B, W, perImage, mode }) => {
      const n = B * W;
      return fc.record({
        shape: fc.constant([B, 1, W]),
        perImage: fc.constant(perImage),
        labels: labelsArb(n, 2, 255, mode),
        errors: fc.uniqueArray(
          fc.integer({ min: -255, max: 255 }).filter((k) => k !== 0),
          { minLength: n, maxLength: n },
        ),
      });
    });

  it('matches central finite differences of the loss away from kinks', () => {
    fc.assert(
      fc.property(smoothCaseArb, ({ shape, perImage, labels, errors }) => {
        // e = 1 - s * logit  =>  logit = s * (1 - e); void pixels get the same kind of logit.
        const logits = f32(errors.map((k, i) => (labels[i] === 1 ? 1 : -1) * (1 - k / 64)));
        const options = { perImage, ignore: 255 };
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
      { numRuns: 150 },
    );
  });

  it('is -s * d * [e > 0] with d the Jaccard gradient in sorted order', () => {
    // Errors 1.5, 1.25, 0.5, -1 (sorted as given): labels 1, 0, 1, 0.
    const logits = [-0.5, 0.25, 0.5, -2];
    const labels = [1, 0, 1, 0];
    const d = lovaszGrad(labels);
    const { loss, grad } = lovaszHinge(logits, labels, [1, 1, 4]);
    expect(Array.from(grad)).toEqual(Array.from(f32([-d[0], d[1], -d[2], 0])));
    expect(loss).toBeCloseTo(1.5 * d[0] + 1.25 * d[1] + 0.5 * d[2], 15);
  });
});

describe('lovaszHinge edge cases', () => {
  it('gives the documented example', () => {
    // Errors: -1 (correct), 0 (on the margin), 1.5, 4; sorted 4 (fg), 1.5 (bg): d = 1/2, then
    // (G - 1) / ((G + 0)(G + 1)) = 1/6 with G = 2.
    const { loss, grad } = lovaszHinge([2, -1, 0.5, -3], [1, 0, 0, 1], [1, 2, 2]);
    expect(loss).toBeCloseTo(4 * 0.5 + 1.5 / 6, 14);
    expect(Array.from(grad)).toEqual(Array.from(f32([0, 0, 1 / 6, -0.5])));
  });

  it('lovaszHinge ignores void pixels', () => {
    const logits = f32([0.5, -0.25, 3, 1, -2, 0.75]);
    const labels = [1, 255, 0, 255, 0, 1];
    const withVoid = lovaszHinge(logits, labels, [1, 2, 3], { ignore: 255 });
    const keep = [0, 2, 4, 5];
    const without = lovaszHinge(
      f32(keep.map((i) => logits[i])),
      keep.map((i) => labels[i]),
      [1, 1, 4],
    );
    expect(withVoid.loss).toBe(without.loss);
    expect(keep.map((i) => withVoid.grad[i])).toEqual(Array.from(without.grad));
    expect([withVoid.grad[1], withVoid.grad[3]]).toEqual([0, 0]);
  });

  it('lovaszHinge with every pixel ignored returns 0 and a zero gradient', () => {
    for (const perImage of [true, false]) {
      const { loss, grad } = lovaszHinge([1, -2, 3, 0], [7, 7, 7, 7], [2, 1, 2], {
        ignore: 7,
        perImage,
      });
      expect(loss).toBe(0);
      expect(Array.from(grad)).toEqual([0, 0, 0, 0]);
    }
  });

  it('lovaszHinge counts a fully ignored image as 0 in the per-image mean', () => {
    const logits = f32([0.5, -1, 2, 3, 4, 5]);
    const labels = [1, 0, 1, 255, 255, 255];
    const both = lovaszHinge(logits, labels, [2, 1, 3], { ignore: 255 });
    const first = lovaszHinge(logits.subarray(0, 3), labels.slice(0, 3), [1, 1, 3]);
    expect(both.loss).toBe(first.loss / 2);
    expect(Array.from(both.grad.subarray(0, 3))).toEqual(Array.from(first.grad).map((g) => g / 2));
    expect(Array.from(both.grad.subarray(3))).toEqual([0, 0, 0]);
  });

  it('lovaszHinge averages per-image losses by default and pools the batch with perImage false', () => {
    const logits = f32([0.5, -1, 2, -0.25, 1.5, -3]);
    const labels = [1, 0, 0, 1, 1, 0];
    const a = lovaszHinge(logits.subarray(0, 3), labels.slice(0, 3), [1, 1, 3]).loss;
    const b = lovaszHinge(logits.subarray(3), labels.slice(3), [1, 1, 3]).loss;
    expect(lovaszHinge(logits, labels, [2, 1, 3]).loss).toBe((a + b) / 2);
    expect(lovaszHinge(logits, labels, [2, 1, 3], { perImage: false }).loss).toBe(
      lovaszHingeFlat(logits, labels).loss,
    );
  });

  it('lovaszHinge of an empty batch (B = 0) is 0 with an empty gradient', () => {
    for (const perImage of [true, false]) {
      const r = lovaszHinge([], [], [0, 4, 4], { perImage });
      expect(r.loss).toBe(0);
      expect(r.grad.length).toBe(0);
    }
  });

  it('lovaszHinge of images without pixels (H = 0) is 0 with an empty gradient', () => {
    for (const perImage of [true, false]) {
      const r = lovaszHinge(new Float32Array(0), [], [3, 0, 5], { perImage });
      expect(r.loss).toBe(0);
      expect(r.grad.length).toBe(0);
    }
    expect(lovaszHingeFlat([], []).loss).toBe(0);
  });

  it('lovaszHinge of a single foreground pixel is its hinge error', () => {
    const { loss, grad } = lovaszHinge([0.25], [1], [1, 1, 1]);
    expect(loss).toBe(0.75);
    expect(Array.from(grad)).toEqual([-1]);
  });

  it('lovaszHinge of a single background pixel is its hinge error', () => {
    // No foreground: the Jaccard loss jumps to 1 at the first (and only) pixel.
    const { loss, grad } = lovaszHinge([0.25], [0], [1, 1, 1]);
    expect(loss).toBe(1.25);
    expect(Array.from(grad)).toEqual([1]);
  });

  it('lovaszHinge with all errors tied orders them by pixel index', () => {
    // All logits 0: every error is 1, the loss is J of the whole set = 1, and the gradient
    // follows the labels in pixel order.
    const labels = [0, 1, 1, 0, 1, 0, 0];
    const { loss, grad } = lovaszHinge(new Float32Array(7), labels, [1, 1, 7]);
    const d = lovaszGrad(labels);
    expect(loss).toBeCloseTo(1, 15);
    expect(Array.from(grad)).toEqual(Array.from(f32(labels.map((y, i) => (y ? -d[i] : d[i])))));
  });

  it('lovaszHinge is 0 with a zero gradient when every pixel is beyond the margin', () => {
    const { loss, grad } = lovaszHinge([1, -1, 3, -2.5], [1, 0, 1, 0], [1, 2, 2]);
    expect(loss).toBe(0);
    expect(Array.from(grad)).toEqual([0, 0, 0, 0]);
  });

  it('lovaszHinge reads logits at float32 precision', () => {
    const plain = lovaszHinge([0.1, -0.3, 0.7], [1, 0, 0], [1, 1, 3]);
    const typed = lovaszHinge(f32([0.1, -0.3, 0.7]), [1, 0, 0], [1, 1, 3]);
    expect(bitIdentical(plain, typed)).toBe(true);
  });

  it('lovaszHinge ties a float64 logit that rounds to a float32 zero with the key 0', () => {
    // Both errors are exactly 1: the foreground pixel 0 comes first by the tie rule, so
    // d = [1, 0]. Sorting its key as -0 (below +0) would give [0.5, 0.5].
    for (const kernel of ['js', 'wasm'] as const) {
      const r = lovaszHinge(Float64Array.from([5e-324, 0]), [1, 0], [1, 1, 2], { kernel });
      expect(Array.from(r.grad)).toEqual([-1, 0]);
      expect(r.loss).toBe(1);
    }
  });

  it('lovaszHinge accepts labels as any typed array', () => {
    const logits = f32([0.5, -1, 2, 0]);
    const expected = lovaszHinge(logits, [1, 0, 0, 1], [1, 2, 2]);
    for (const labels of [
      new Uint8Array([1, 0, 0, 1]),
      new Int32Array([1, 0, 0, 1]),
      new Float32Array([1, 0, 0, 1]),
    ]) {
      expect(bitIdentical(lovaszHinge(logits, labels, [1, 2, 2]), expected)).toBe(true);
    }
  });

  it('lovaszHinge on 4M pixels matches a float64 computation with exact integer counts', () => {
    // The original PyTorch code accumulates the counts in float32 and drifts by 0.35-1.9% at
    // this size. Here logits sit on a 1/1024 grid, so the errors take few distinct values;
    // the loss does not depend on the order of equal errors, so the test can group pixels by
    // error value and take each group's Jaccard increment from exact counts.
    const H = 2048;
    const W = 2048;
    const n = H * W;
    const random = rng(2018);
    const logits = new Float32Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = random() < 0.3 ? 1 : 0;
      const score = (labels[i] ? 0.8 : -0.8) + (random() - 0.5) * 5;
      logits[i] = Math.round(score * 1024) / 1024;
    }
    // Error e = 1 - s * logit in [-4, 6] on the 1/1024 grid: bucket by 1024 * e + 4096.
    const buckets = 10 * 1024 + 1;
    const fgCount = new Float64Array(buckets);
    const bgCount = new Float64Array(buckets);
    let G = 0;
    for (let i = 0; i < n; i++) {
      const e = 1 - (labels[i] ? 1 : -1) * logits[i];
      const k = Math.round(e * 1024) + 4096;
      if (labels[i]) fgCount[k]++;
      else bgCount[k]++;
      G += labels[i];
    }
    let expected = 0;
    let fg = 0;
    let bg = 0;
    let jPrev = 0;
    for (let k = buckets - 1; k > 4096; k--) {
      fg += fgCount[k];
      bg += bgCount[k];
      const j = 1 - (G - fg) / (G + bg);
      expected += ((k - 4096) / 1024) * (j - jPrev);
      jPrev = j;
    }
    const { loss } = lovaszHinge(logits, labels, [1, H, W]);
    expect(relErr(loss, expected)).toBeLessThanOrEqual(1e-9);
  });
});

describe('lovaszHinge rejects bad inputs', () => {
  const logits = f32([0.5, -1, 2, 0]);
  const labels = [1, 0, 0, 1];
  const shape = [1, 2, 2];
  const call =
    (...args: unknown[]) =>
    () =>
      (lovaszHinge as (...a: unknown[]) => unknown)(...args);

  it('rejects labels of a different length than the logits', () => {
    const f = call(logits, [1, 0, 0], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'labels' has 3 values but shape \[1, 2, 2\] needs 4$/);
  });

  it('rejects logits that do not fill the shape', () => {
    const f = call(logits, labels, [1, 2, 3]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'logits' has 4 values but shape \[1, 2, 3\] needs 6$/);
  });

  it('rejects a shape without a spatial axis (rank below 2)', () => {
    const f = call(logits, labels, [4]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszHinge: 'shape' must be \[B, \.\.\.spatial\] \(rank >= 2\), got \[4\] \(rank 1\)$/,
    );
  });

  it('rejects a negative dimension', () => {
    const f = call([], [], [1, -2, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'shape' must hold non-negative integers.*got \[1, -2, 2\]$/);
  });

  it('rejects a non-integer dimension', () => {
    const f = call(logits, labels, [1, 1.5, 2]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'shape' must hold non-negative integers.*got \[1, 1.5, 2\]$/);
  });

  it('rejects a shape that is not an array', () => {
    const f = call(logits, labels, 4);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszHinge: 'shape' must be an array \[B, \.\.\.spatial\], got 4$/);
  });

  it('rejects a label other than 0, 1 or the ignore label', () => {
    const f = call(logits, [1, 0, 2, 1], shape, { ignore: 255 });
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszHinge: 'labels' must be 0 or 1 or the ignore label 255, got 2 at index 2$/,
    );
  });

  it('rejects a fractional label', () => {
    const f = call(logits, [1, 0.5, 0, 1], shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'labels' must be 0 or 1, got 0.5 at index 1$/);
  });

  it('rejects a NaN logit', () => {
    const f = call(f32([0, Number.NaN, 0, 0]), labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'logits' must be finite, got NaN at index 1$/);
  });

  it('rejects an infinite logit', () => {
    const f = call([0, 0, 0, Number.POSITIVE_INFINITY], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'logits' must be finite, got Infinity at index 3$/);
  });

  it('rejects a negatively infinite logit', () => {
    const f = call([-Infinity, 0, 0, 0], labels, shape);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHinge: 'logits' must be finite, got -Infinity at index 0$/);
  });

  it('rejects an unknown option such as per_image', () => {
    const f = call(logits, labels, shape, { per_image: false });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^lovaszHinge: unknown option 'per_image' \(did you mean 'perImage'\? known options: 'perImage', 'ignore', 'variant', 'symmetric', 'reduction', 'kernel', 'out'\)$/,
    );
  });

  it('rejects a non-boolean perImage', () => {
    const f = call(logits, labels, shape, { perImage: 1 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszHinge: 'perImage' must be true or false, got 1$/);
  });

  it('rejects a non-integer ignore label', () => {
    const f = call(logits, labels, shape, { ignore: 254.5 });
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszHinge: 'ignore' must be null or an integer label.*got 254.5$/);
  });

  it('rejects options that are not an object', () => {
    const f = call(logits, labels, shape, 'perImage');
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszHinge: 'options' must be an object, got 'perImage'$/);
  });

  it('rejects logits that are not an array', () => {
    const f = call({ length: 4 }, labels, shape);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszHinge: 'logits' must be an array or a typed array, got Object$/);
  });

  it('rejects labels that are not an array', () => {
    const f = call(logits, '1001', shape);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(/^lovaszHinge: 'labels' must be an array or a typed array, got '1001'$/);
  });

  it('rejects BigInt64Array logits', () => {
    const f = call(new BigInt64Array(4), labels, shape);
    expect(f).toThrow(TypeError);
    expect(f).toThrow(
      /^lovaszHinge: 'logits' must be an array or a typed array, got BigInt64Array$/,
    );
  });

  it('lovaszHingeFlat rejects labels of a different length than the logits', () => {
    const f = () => lovaszHingeFlat([0.5, 1], [1]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(/^lovaszHingeFlat: 'labels' has 1 values but 'logits' \(2 values\) needs 2$/);
  });

  it('lovaszHingeFlat rejects a label other than 0 or 1', () => {
    const f = () => lovaszHingeFlat([0.5, 1], [1, 255]);
    expect(f).toThrow(RangeError);
    expect(f).toThrow(
      /^lovaszHingeFlat: 'labels' must be 0 or 1, got 255 at index 1 \(if 255 marks void pixels, pass ignore: 255\)$/,
    );
  });
});
