import {
  checkArray,
  checkFinite,
  checkIgnore,
  checkLabels,
  checkLength,
  checkOptionKeys,
  type NumericArray,
} from './check.js';
import type { LossResult } from './loss-result.js';

/** Options of {@link binaryXloss}. */
export interface BinaryXlossOptions {
  /** Label value of void pixels; null (default): none. */
  ignore?: number | null;
}

/**
 * Binary cross-entropy from logits, mean over the valid pixels (numerically stable).
 *
 * Per pixel: max(x, 0) - x * y + log(1 + exp(-|x|)), which never overflows; the gradient is
 * (sigmoid(x) - y) / n over the n valid pixels (0 for void pixels). Accumulated in float64;
 * logits read at float32 precision. Zero valid pixels: loss 0, zero gradient.
 *
 * Shapes: logits and labels of the same length (any shape, e.g. [B, H, W]); labels 0, 1 or
 * `ignore`. Default: ignore null.
 * @example
 *   binaryXloss([2, -1], [1, 0]).loss // (log(1 + e^-2) + log(1 + e^-1)) / 2
 */
export function binaryXloss(
  logits: NumericArray,
  labels: NumericArray,
  options: BinaryXlossOptions = {},
): LossResult {
  const fn = 'binaryXloss';
  checkOptionKeys(fn, options, ['ignore']);
  const ignore = checkIgnore(fn, options.ignore ?? null);
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  checkLength(fn, 'labels', labels, logits.length, `'logits' (${logits.length} values)`);
  checkFinite(fn, 'logits', logits);
  checkLabels(fn, 'labels', labels, 2, ignore, '0 or 1');
  const n = logits.length;
  // Labels are validated: with no ignore label none is negative, so -1 matches no pixel (an
  // integer comparison, cheaper than one against NaN).
  const ign = ignore === null ? -1 : ignore;
  const grad = new Float32Array(n);
  let valid = 0;
  for (let i = 0; i < n; i++) if (labels[i] !== ign) valid++;
  if (valid === 0) return { loss: 0, grad };
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y === ign) continue;
    const x = Math.fround(logits[i]);
    const t = Math.exp(-Math.abs(x));
    loss += Math.max(x, 0) - x * y + Math.log1p(t);
    const sigmoid = x >= 0 ? 1 / (1 + t) : t / (1 + t);
    grad[i] = (sigmoid - y) / valid;
  }
  return { loss: loss / valid, grad };
}
