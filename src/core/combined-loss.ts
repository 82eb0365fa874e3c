import { binaryXloss } from './binary-xloss.js';
import type { NumericArray } from './check.js';
import { lovaszHinge } from './hinge.js';
import type { LossResult } from './loss-result.js';
import { lovaszMultilabel } from './multilabel.js';
import { lovaszSigmoid, lovaszSoftmax } from './softmax.js';
import { xloss } from './xloss.js';

/** The losses a {@link combinedLoss} can add up, by name. */
export const COMBINABLE = {
  lovaszHinge,
  lovaszSigmoid,
  lovaszSoftmax,
  lovaszMultilabel,
  xloss,
  binaryXloss: (x: NumericArray, y: NumericArray, _shape: readonly number[], o?: object) =>
    binaryXloss(x, y, o),
} as const;

/**
 * One weighted term of a {@link combinedLoss}: the loss, by name, its weight and its options.
 *
 * @example
 * ```ts
 * const term: LossTerm = { loss: 'lovaszSoftmax', weight: 0.5, options: { fromLogits: true } };
 * ```
 */
export interface LossTerm {
  /**
   * The loss, by the name it is exported under: 'lovaszHinge', 'lovaszSigmoid',
   * 'lovaszSoftmax', 'lovaszMultilabel', 'xloss' or 'binaryXloss'. Every term reads the same
   * input, so a Lovász-Softmax term beside 'xloss' needs `fromLogits: true`.
   */
  loss: keyof typeof COMBINABLE;
  /** The weight w_i of the term, a finite number. Default 1. */
  weight?: number;
  /** The options of that loss (reduction must stay 'mean' or 'sum'). */
  options?: Record<string, unknown>;
}

/**
 * A weighted sum of losses of the same input: sum_i w_i L_i(x), with its gradient
 * sum_i w_i dL_i/dx, each term computed once. The original authors' advice is cross-entropy
 * plus Lovász; since both then read the same tensor, the Lovász term takes the logits with
 * `fromLogits: true`.
 *
 * Shapes: those of the terms (all must accept the same input and labels).
 * @example
 * ```ts
 * const loss = combinedLoss([
 *   { loss: 'xloss', options: { ignore: 255 } },
 *   { loss: 'lovaszSoftmax', weight: 0.5, options: { fromLogits: true, ignore: 255 } },
 * ]);
 * const { loss: value, grad } = loss(logits, labels, [B, H, W, C]);
 * ```
 */
export function combinedLoss(
  terms: readonly LossTerm[],
): (x: NumericArray, labels: NumericArray, shape: readonly number[]) => LossResult {
  const fn = 'combinedLoss';
  if (!Array.isArray(terms) || terms.length === 0) {
    throw new RangeError(`${fn}: 'terms' must be a non-empty array of { loss, weight?, options? }`);
  }
  terms.forEach((t, i) => {
    if (!Object.hasOwn(COMBINABLE, t?.loss)) {
      throw new RangeError(
        `${fn}: term ${i} has loss ${JSON.stringify(t?.loss)}; known: ${Object.keys(COMBINABLE).join(', ')}`,
      );
    }
    const w = t.weight ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w)) {
      throw new RangeError(`${fn}: term ${i} ('${t.loss}') has a weight that is not finite: ${w}`);
    }
    if (t.options?.reduction === 'none') {
      throw new RangeError(
        `${fn}: term ${i} ('${t.loss}') has reduction 'none'; a sum needs scalars`,
      );
    }
  });
  type Compute = (x: NumericArray, y: NumericArray, s: readonly number[], o: object) => LossResult;
  return (x, labels, shape) => {
    let loss = 0;
    const grad = new Float32Array(x.length);
    for (const t of terms) {
      const w = t.weight ?? 1;
      const r = (COMBINABLE[t.loss as keyof typeof COMBINABLE] as Compute)(
        x,
        labels,
        shape,
        t.options ?? {},
      );
      loss += w * r.loss;
      for (let i = 0; i < grad.length; i++) grad[i] += w * r.grad[i];
    }
    return { loss, grad };
  };
}
