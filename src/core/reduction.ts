import type { LossResult } from './loss-result.js';

/**
 * How per-item losses become the result: 'mean' (default), 'sum', or 'none' (one loss per
 * item, returned in `losses`; `grad` is then the gradient of their sum). The items are those
 * of the loss: images (perImage), classes, channels or pixels.
 *
 * @example
 * ```ts
 * import { lovaszHinge } from 'lovasz';
 *
 * const { losses } = lovaszHinge(logits, labels, [B, H, W], { reduction: 'none' }); // [B]
 * ```
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * The one reduction of every loss: how the losses L_i of `items` items, with weights w_i (all
 * 1 unless given), make the loss value and how each item's gradient is scaled.
 *
 * ```text
 * 'mean': loss = sum_i w_i L_i / sum_i w_i   factor_i = w_i / sum_i w_i  (0 when sum w = 0)
 * 'sum':  loss = sum_i w_i L_i               factor_i = w_i
 * 'none': losses = [L_i], loss = sum_i L_i   factor_i = 1 (weights do not enter)
 * ```
 *
 * A loss computes item i's gradient times `factor(i)` and adds `factor(i) * L_i` into the value
 * it passes to `result`.
 */
export interface ReductionPlan {
  readonly reduction: Reduction;
  /** The factor of item i in the loss value and in its gradient. */
  factor(i: number): number;
  /** With 'none': where the loss puts each item's loss (length `lossCount`); else null. */
  readonly losses: Float64Array | null;
  /** The result from `value` (sum_i factor(i) L_i) and the scaled gradient. */
  result(value: number, grad: Float32Array, classes?: number[]): LossResult;
}

/**
 * The plan for `items` items, optionally weighted (`weights[i]` for item i). `lossCount` is the
 * length of the 'none' losses when it differs from the number of items the mean divides by
 * (the cross-entropies average over valid pixels but return a loss for every pixel).
 */
export function reductionPlan(
  reduction: Reduction,
  items: number,
  weights: ArrayLike<number> | null = null,
  lossCount: number = items,
): ReductionPlan {
  let total = items;
  if (weights) {
    total = 0;
    for (let i = 0; i < items; i++) total += weights[i];
  }
  const meanScale = total > 0 ? 1 / total : 0;
  const factor =
    reduction === 'none'
      ? () => 1
      : reduction === 'sum'
        ? weights
          ? (i: number) => weights[i]
          : () => 1
        : weights
          ? (i: number) => weights[i] * meanScale
          : () => meanScale;
  const losses = reduction === 'none' ? new Float64Array(lossCount) : null;
  return {
    reduction,
    factor,
    losses,
    result(value, grad, classes) {
      if (!losses) return { loss: value, grad };
      const r: LossResult = { loss: value, grad, losses };
      if (classes) r.classes = classes;
      return r;
    },
  };
}

/**
 * The plan of the cross-entropies: the pixels [0, count) are the items, of weight 1 when
 * their label is not `ignore`, so the mean divides by the valid pixels while 'none' returns a
 * loss (0 where void) for every pixel. `ign` is the ignore label as the loops compare it.
 */
export function validPixelPlan(
  labels: ArrayLike<number>,
  count: number,
  ignore: number | null,
  reduction: Reduction,
): { ign: number; valid: number; plan: ReductionPlan } {
  // Labels are validated: with no ignore label none is negative, so -1 matches no pixel (an
  // integer comparison, cheaper than one against NaN).
  const ign = ignore === null ? -1 : ignore;
  let valid = 0;
  for (let i = 0; i < count; i++) if (labels[i] !== ign) valid++;
  return { ign, valid, plan: reductionPlan(reduction, valid, null, count) };
}
