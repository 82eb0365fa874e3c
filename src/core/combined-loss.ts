import { binaryXloss } from './binary-xloss.js';
import type { NumericArray } from './check.js';
import { lovaszHinge } from './hinge.js';
import type { LossResult } from './loss-result.js';
import { lovaszMultilabel } from './multilabel.js';
import { HINGE_OPTIONS, type LovaszHingeOptions } from './options/hinge-options.js';
import { type OptionTable, resolveOptions } from './options/option-spec.js';
import {
  type LovaszMultilabelOptions,
  type LovaszSigmoidOptions,
  type LovaszSoftmaxOptions,
  MULTILABEL_OPTIONS,
  SIGMOID_OPTIONS,
  SOFTMAX_OPTIONS,
} from './options/softmax-options.js';
import {
  BINARY_XLOSS_OPTIONS,
  type BinaryXlossOptions,
  XLOSS_OPTIONS,
  type XlossOptions,
} from './options/xloss-options.js';
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
 * The option type of each combinable loss, by the name it is exported under: what a
 * {@link LossTerm}'s `options` is typed by.
 *
 * @example
 * ```ts
 * import type { LossTermOptions } from 'lovasz';
 *
 * const o: LossTermOptions['lovaszSoftmax'] = { fromLogits: true, ignore: 255 };
 * ```
 */
export interface LossTermOptions {
  /** The options of `lovaszHinge`. */
  lovaszHinge: LovaszHingeOptions;
  /** The options of `lovaszSigmoid`. */
  lovaszSigmoid: LovaszSigmoidOptions;
  /** The options of `lovaszSoftmax`. */
  lovaszSoftmax: LovaszSoftmaxOptions;
  /** The options of `lovaszMultilabel`. */
  lovaszMultilabel: LovaszMultilabelOptions;
  /** The options of `xloss`. */
  xloss: XlossOptions;
  /** The options of `binaryXloss`. */
  binaryXloss: BinaryXlossOptions;
}

/**
 * One term of a {@link combinedLoss} for the loss named `K`.
 *
 * @example
 * ```ts
 * import type { LossTermOf } from 'lovasz';
 *
 * const t: LossTermOf<'xloss'> = { loss: 'xloss', weight: 1, options: { ignore: 255 } };
 * ```
 */
export interface LossTermOf<K extends keyof LossTermOptions> {
  /** The loss, by the name it is exported under. */
  loss: K;
  /** The weight w_i of the term, a finite number. Default 1. */
  weight?: number;
  /** The options of that loss; reduction 'mean' or 'sum' (a sum needs scalars). */
  options?: Omit<LossTermOptions[K], 'reduction'> & {
    /** 'mean' or 'sum'. Default 'mean'. */
    reduction?: 'mean' | 'sum';
  };
}

/** The option tables the terms are checked against when the sum is made. */
const TERM_TABLES: Record<keyof LossTermOptions, OptionTable> = {
  lovaszHinge: HINGE_OPTIONS,
  lovaszSigmoid: SIGMOID_OPTIONS,
  lovaszSoftmax: SOFTMAX_OPTIONS,
  lovaszMultilabel: MULTILABEL_OPTIONS,
  xloss: XLOSS_OPTIONS,
  binaryXloss: BINARY_XLOSS_OPTIONS,
};

/**
 * One weighted term of a {@link combinedLoss}: the loss, by the name it is exported under
 * ('lovaszHinge', 'lovaszSigmoid', 'lovaszSoftmax', 'lovaszMultilabel', 'xloss' or
 * 'binaryXloss'), its weight w_i (a finite number, default 1) and the options of that loss,
 * typed by the loss named (reduction 'mean' or 'sum': a sum needs scalars). Every term reads
 * the same input, so a Lovász-Softmax term beside 'xloss' needs `fromLogits: true`.
 *
 * @example
 * ```ts
 * import type { LossTerm } from 'lovasz';
 *
 * const term: LossTerm = { loss: 'lovaszSoftmax', weight: 0.5, options: { fromLogits: true } };
 * ```
 */
export type LossTerm = { [K in keyof LossTermOptions]: LossTermOf<K> }[keyof LossTermOptions];

/**
 * A weighted sum of losses of the same input: sum_i w_i L_i(x), with its gradient
 * sum_i w_i dL_i/dx, each term computed once. The original authors' advice is cross-entropy
 * plus Lovász; since both then read the same tensor, the Lovász term takes the logits with
 * `fromLogits: true`.
 *
 * Shapes: those of the terms (all must accept the same input and labels).
 * @example
 * ```ts
 * import { combinedLoss } from 'lovasz';
 *
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
    if ((t.options as { reduction?: unknown } | undefined)?.reduction === 'none') {
      throw new RangeError(
        `${fn}: term ${i} ('${t.loss}') has reduction 'none'; a sum needs scalars`,
      );
    }
    // A typo or a wrong value is reported now, under the term's name, not at the first call.
    resolveOptions(
      `${fn}: term ${i} ('${t.loss}')`,
      TERM_TABLES[t.loss as keyof LossTermOptions],
      t.options,
    );
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
        (t.options ?? {}) as object,
      );
      loss += w * r.loss;
      for (let i = 0; i < grad.length; i++) grad[i] += w * r.grad[i];
    }
    return { loss, grad };
  };
}
