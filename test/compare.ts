/** Comparisons of the tests (no Node import: the browser test page uses them too). */

/** Relative-tolerance check of a loss: |a - e| <= tol * max(|e|, 1e-12)... as in the README. */
export function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

/** Largest absolute difference of two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
