import type { NumericArray } from './check.js';

/**
 * How per-item losses become the result: 'mean' (default), 'sum', or 'none' (one loss per
 * item, returned in `losses`; `grad` is then the gradient of their sum). The items are those
 * of the loss: images (perImage), classes, channels or pixels.
 *
 * @example
 * ```ts
 * const { losses } = lovaszHinge(logits, labels, [B, H, W], { reduction: 'none' }); // [B]
 * ```
 */
export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(fn: string, value: unknown): Reduction {
  if (value !== 'mean' && value !== 'sum' && value !== 'none') {
    const shown = typeof value === 'string' ? `'${value}'` : String(value);
    throw new RangeError(`${fn}: 'reduction' must be 'mean', 'sum' or 'none', got ${shown}`);
  }
  return value;
}

/**
 * Per-class weights: null (every class weighs 1) or `numClasses` finite non-negative numbers.
 * The mean over the classes considered becomes sum_c w_c L_c / sum_c w_c.
 */
export function checkClassWeights(
  fn: string,
  value: unknown,
  numClasses: number,
): Float64Array | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new TypeError(`${fn}: 'classWeights' must be null or an array of ${numClasses} numbers`);
  }
  const w = value as NumericArray;
  if (w.length !== numClasses) {
    throw new RangeError(
      `${fn}: 'classWeights' must hold one weight per class (${numClasses}), got ${w.length}`,
    );
  }
  const out = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const x = w[c];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new RangeError(
        `${fn}: 'classWeights' must be finite and >= 0, got ${String(x)} for class ${c}`,
      );
    }
    out[c] = x;
  }
  return out;
}
