import {
  checkArray,
  checkFinite,
  checkIgnore,
  checkLabels,
  checkLength,
  checkOptionKeys,
  checkOut,
  type NumericArray,
  option,
} from './check.js';
import type { LossResult, OutOption } from './loss-result.js';
import { checkReduction, type Reduction } from './reduction.js';

/**
 * Options of {@link binaryXloss}.
 *
 * @example
 * ```ts
 * binaryXloss(logits, labels, { ignore: 255, reduction: 'sum' });
 * ```
 */
export interface BinaryXlossOptions {
  /** Label value of void pixels; null (default): none. */
  ignore?: number | null;
  /** 'mean' over valid pixels (default), 'sum', or 'none' (one loss per pixel, 0 where void). */
  reduction?: Reduction;
}

/**
 * Binary cross-entropy from logits, mean over the valid pixels (numerically stable).
 *
 * Per pixel: max(x, 0) - x * y + log(1 + exp(-|x|)), which never overflows; the gradient is
 * (sigmoid(x) - y) / n over the n valid pixels (0 for void pixels). Accumulated in float64;
 * logits read at float32 precision. Zero valid pixels: loss 0, zero gradient.
 *
 * Shapes: logits and labels of the same length (any shape, e.g. [B, H, W]); labels 0, 1 or
 * `ignore`. Defaults: ignore null, reduction 'mean'.
 * @example
 * ```ts
 * binaryXloss([2, -1], [1, 0]).loss // (log(1 + e^-2) + log(1 + e^-1)) / 2
 * ```
 */
export function binaryXloss(
  logits: NumericArray,
  labels: NumericArray,
  options: BinaryXlossOptions & OutOption = {},
): LossResult {
  const fn = 'binaryXloss';
  checkOptionKeys(fn, options, ['ignore', 'reduction', 'out']);
  const reduction = checkReduction(fn, option(options?.reduction, 'mean'));
  const ignore = checkIgnore(fn, options.ignore ?? null);
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  checkLength(fn, 'labels', labels, logits.length, `'logits' (${logits.length} values)`);
  checkFinite(fn, 'logits', logits);
  checkLabels(fn, 'labels', labels, 2, ignore, '0 or 1');
  const out = checkOut(fn, options.out, logits.length, { logits, labels });
  const n = logits.length;
  // Labels are validated: with no ignore label none is negative, so -1 matches no pixel (an
  // integer comparison, cheaper than one against NaN).
  const ign = ignore === null ? -1 : ignore;
  const grad = out ? out.fill(0) : new Float32Array(n);
  let valid = 0;
  for (let i = 0; i < n; i++) if (labels[i] !== ign) valid++;
  const losses = reduction === 'none' ? new Float64Array(n) : null;
  if (valid === 0) return losses ? { loss: 0, grad, losses } : { loss: 0, grad };
  // The mean divides by the number of valid pixels; the sum and 'none' do not.
  const norm = reduction === 'mean' ? valid : 1;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y === ign) continue;
    const x = Math.fround(logits[i]);
    const t = Math.exp(-Math.abs(x));
    const l = Math.max(x, 0) - x * y + Math.log1p(t);
    if (losses) losses[i] = l;
    loss += l;
    const sigmoid = x >= 0 ? 1 / (1 + t) : t / (1 + t);
    grad[i] = (sigmoid - y) / norm;
  }
  return losses ? { loss, grad, losses } : { loss: loss / norm, grad };
}
