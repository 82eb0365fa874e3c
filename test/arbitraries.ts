/**
 * fast-check generators and small helpers shared by the core and metrics tests.
 *
 * Predictions come from small grids so that many errors tie exactly (the order of ties is
 * where sorting implementations differ), plus a few float32 values whose errors differ in
 * float64 but round to the same float32 sort key (1 - p for tiny p), which exercises the
 * core's refinement of equal keys.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { maxAbsDiff, relErr } from './golden.js';

export type Layout = 'NHWC' | 'NCHW';
export type IgnoreMode = 'none' | 'some' | 'all';
export type Classes = 'present' | 'all' | number[];

/** Loss agreement with the reference: both accumulate in float64 in the same order. */
export const LOSS_REL_TOL = 1e-12;
/** Gradient agreement: the core returns float32, i.e. within half an ulp of values <= 1. */
export const GRAD_ABS_TOL = 1e-7;

/** Probabilities whose errors round to the same float32 key as a grid error but differ. */
export const NEAR_TIE_PROBAS = [
  2 ** -30,
  2 ** -26,
  3 * 2 ** -27,
  2 ** -24,
  1 - 2 ** -24,
  0.5 - 2 ** -25,
];

/**
 * Probabilities the core accepts outside [0, 1] (within its 1e-6 slack), and -0: the error
 * |fg - p| then exceeds 1 or p overshoots its target, which flips the sign of the gradient.
 */
export const SLACK_PROBAS = [-0, -(2 ** -21), -(2 ** -23), 1 + 2 ** -21, 1 + 2 ** -23];

/** Probabilities: mostly k/8 (ties), sometimes a near-tie or slack value. */
export const probaArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 8 }).map((k) => k / 8), weight: 10 },
  { arbitrary: fc.constantFrom(...NEAR_TIE_PROBAS), weight: 2 },
  { arbitrary: fc.constantFrom(...SLACK_PROBAS), weight: 1 },
);

/**
 * Logits on dyadic grids, so that e = 1 - s * logit is exact in float64 and the reference sees
 * exactly the ties the core sees: k/4 in [-4, 4] (many ties), k/64 in [-4, 4], or -0.
 */
export const logitArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: -16, max: 16 }).map((k) => k / 4), weight: 5 },
  { arbitrary: fc.integer({ min: -256, max: 256 }).map((k) => k / 64), weight: 5 },
  { arbitrary: fc.constant(-0), weight: 1 },
);

export const ignoreModeArb = fc.constantFrom<IgnoreMode>('none', 'some', 'all');
export const layoutArb = fc.constantFrom<Layout>('NHWC', 'NCHW');
export const ignoreValueArb = fc.constantFrom(255, -1);

/** n labels in [0, numLabels), with none, some or all of them set to `ignore`. */
export function labelsArb(
  n: number,
  numLabels: number,
  ignore: number,
  mode: IgnoreMode,
): fc.Arbitrary<number[]> {
  if (mode === 'all') return fc.constant(new Array<number>(n).fill(ignore));
  const label = fc.integer({ min: 0, max: numLabels - 1 });
  const pixel =
    mode === 'none'
      ? label
      : fc.oneof({ arbitrary: label, weight: 3 }, { arbitrary: fc.constant(ignore), weight: 1 });
  return fc.array(pixel, { minLength: n, maxLength: n });
}

/** 'present', 'all' or a non-empty list of distinct classes in [0, C), in any order. */
export function classesArb(C: number): fc.Arbitrary<Classes> {
  return fc.oneof(
    fc.constantFrom<Classes>('present', 'all'),
    fc.shuffledSubarray(
      Array.from({ length: C }, (_, c) => c),
      { minLength: 1, maxLength: C },
    ),
  );
}

/** Batch dimensions [B, H, W] with B in 0..3 and H, W in 0..6. */
export const dimsArb = fc.tuple(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 6 }),
  fc.integer({ min: 0, max: 6 }),
);

export function f32(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values);
}

/** Asserts loss and gradient agreement with the reference at the documented tolerances. */
export function expectMatchesReference(
  actual: { loss: number; grad: ArrayLike<number> },
  expected: { loss: number; grad: ArrayLike<number> },
): void {
  expect(relErr(actual.loss, expected.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
  expect(actual.grad.length).toBe(expected.grad.length);
  expect(maxAbsDiff(actual.grad, expected.grad)).toBeLessThanOrEqual(GRAD_ABS_TOL);
}

/** True when two results are bit-identical (loss with Object.is, gradient byte by byte). */
export function bitIdentical(
  a: { loss: number; grad: Float32Array },
  b: { loss: number; grad: Float32Array },
): boolean {
  if (!Object.is(a.loss, b.loss) || a.grad.length !== b.grad.length) return false;
  const x = new Uint8Array(a.grad.buffer, a.grad.byteOffset, a.grad.byteLength);
  const y = new Uint8Array(b.grad.buffer, b.grad.byteOffset, b.grad.byteLength);
  return x.every((v, i) => v === y[i]);
}

export { rng } from './rng.js';

/** A random permutation of [0, n) drawn from `random`. */
export function permutation(n: number, random: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Options added with issue 6: reductions, class weights, logits.
// ---------------------------------------------------------------------------------------------

export type Reduction = 'mean' | 'sum' | 'none';

export const reductionArb = fc.constantFrom<Reduction>('mean', 'sum', 'none');

/**
 * null, or n weights: mostly small integers and dyadic fractions (zeros included, so that some
 * classes drop out and sometimes all of them), sometimes 0.1 or 1/3 (inexact sums).
 */
export function classWeightsArb(n: number): fc.Arbitrary<number[] | null> {
  const weight = fc.oneof(
    { arbitrary: fc.constantFrom(0, 0.25, 0.5, 1, 2, 3), weight: 6 },
    { arbitrary: fc.constantFrom(0.1, 1 / 3), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.array(weight, { minLength: n, maxLength: n }), weight: 3 },
  );
}

/**
 * Logits for fromLogits: the tie-heavy dyadic grid of {@link logitArb}, plus a few large
 * values whose sigmoid or softmax saturates to exactly 0 or 1 in float32 (error 0: the kink).
 */
export const wideLogitArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: logitArb, weight: 10 },
  { arbitrary: fc.constantFrom(-40, -17.5, 12.25, 20, 40), weight: 1 },
);

/** Largest absolute value of an array (0 when empty). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** A core result with the per-item losses of reduction 'none'. */
export interface ReducedResult {
  loss: number;
  grad: ArrayLike<number>;
  losses?: ArrayLike<number>;
  classes?: number[];
}

/** A reference result (see test/reference.ts). */
export interface RefReducedLike {
  loss: number;
  grad: ArrayLike<number>;
  losses?: number[];
  classes?: number[];
  gradP?: ArrayLike<number>;
}

/**
 * Asserts agreement with a reference result that may carry per-item losses:
 * - loss: LOSS_REL_TOL relative;
 * - grad: same length, GRAD_ABS_TOL absolute; with logits (the reference has gradP), plus
 *   2^-23 times the largest |d loss / d p|: the core rounds d loss / d p to float32 before the
 *   backward pass and a float64 difference in the last bit can round it one ulp (2^-24
 *   relative) apart, which the softmax backward p_k (g_k - sum_j p_j g_j) can double;
 * - losses (and classes, in increasing class order): each within LOSS_REL_TOL.
 */
export function expectReducedMatchesReference(
  actual: ReducedResult,
  expected: RefReducedLike,
): void {
  expect(relErr(actual.loss, expected.loss)).toBeLessThanOrEqual(LOSS_REL_TOL);
  expect(actual.grad.length).toBe(expected.grad.length);
  const tol = GRAD_ABS_TOL + (expected.gradP ? 2 ** -23 * maxAbs(expected.gradP) : 0);
  expect(maxAbsDiff(actual.grad, expected.grad)).toBeLessThanOrEqual(tol);
  expect(actual.classes).toEqual(expected.classes);
  if (expected.losses === undefined) {
    expect(actual.losses).toBeUndefined();
    return;
  }
  const losses = Array.from(actual.losses ?? []);
  expect(losses.length).toBe(expected.losses.length);
  expected.losses.forEach((l, i) => {
    expect(relErr(losses[i], l)).toBeLessThanOrEqual(LOSS_REL_TOL);
  });
}
