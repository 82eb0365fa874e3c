import { checkArray } from './check.js';

/**
 * Gradient of the Lovász extension of the Jaccard loss with respect to sorted errors
 * (Berman et al. 2018, Algorithm 1).
 *
 * With g the ground truth ordered by decreasing error, G = sum(g), a_i = sum_{j<=i} g_j and
 * b_i = i - a_i, the Jaccard loss of the first i predictions is
 *   J_i = 1 - (G - a_i) / (G + b_i),  J_0 = 0,
 * and the result is d_i = J_i - J_(i-1). We evaluate the difference in closed form, which
 * avoids the cancellation of subtracting two nearly equal J values at large P:
 *   foreground step: d_i = 1 / (G + b_(i-1))
 *   background step: d_i = (G - a_(i-1)) / ((G + b_(i-1)) (G + b_(i-1) + 1))
 * (with no foreground at all, J jumps from 0 to 1 at the first step: d = [1, 0, 0, ...]).
 * Counts are exact integers; the result is float64.
 *
 * Shapes: gtSorted [P] of 0 and 1 -> [P].
 * @throws TypeError when gtSorted is not an array; RangeError on a value other than 0 or 1.
 * @example
 * ```ts
 * lovaszGrad([1, 0, 1, 0]) // Float64Array [0.5, 0.1666..., 0.3333..., 0]
 * ```
 */
export function lovaszGrad(gtSorted: ArrayLike<number>): Float64Array {
  const fn = 'lovaszGrad';
  checkArray(fn, 'gtSorted', gtSorted);
  const n = gtSorted.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const g = gtSorted[i];
    if (g !== 0 && g !== 1) {
      throw new RangeError(`${fn}: 'gtSorted' must hold only 0 and 1, got ${g} at index ${i}`);
    }
    total += g;
  }
  const out = new Float64Array(n);
  let fg = 0;
  let bg = 0;
  for (let i = 0; i < n; i++) {
    const union = total + bg;
    if (gtSorted[i] === 1) {
      out[i] = 1 / union;
      fg++;
    } else {
      out[i] = union === 0 ? 1 : (total - fg) / (union * (union + 1));
      bg++;
    }
  }
  return out;
}
