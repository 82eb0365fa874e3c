import {
  checkArray,
  checkFinite,
  checkLabels,
  checkLength,
  checkOut,
  type NumericArray,
} from './check.js';
import type { LossResult, OutOption } from './loss-result.js';
import { resolveOptions } from './options/option-spec.js';
import {
  BINARY_XLOSS_OPTIONS,
  type BinaryXlossOptions,
  type BinaryXlossResolved,
} from './options/xloss-options.js';
import { validPixelPlan } from './reduction.js';

/**
 * Binary cross-entropy from logits, mean over the valid pixels (numerically stable).
 *
 * Per pixel: max(x, 0) - x * y + log(1 + exp(-|x|)), which never overflows; the gradient is
 * (sigmoid(x) - y) / n over the n valid pixels (0 for void pixels). Accumulated in float64;
 * logits read at float32 precision. Zero valid pixels: loss 0, zero gradient.
 *
 * Shapes: logits and labels of the same length (any shape, e.g. `[B, ...spatial]`); labels 0,
 * 1 or `ignore`. Options: {@link BinaryXlossOptions}.
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
  const opts = resolveOptions(fn, BINARY_XLOSS_OPTIONS, options);
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  checkLength(fn, 'labels', labels, logits.length, `'logits' (${logits.length} values)`);
  return binaryXlossResolved(fn, logits, labels, opts);
}

/**
 * The binary cross-entropy once the options are resolved (by binaryXloss and by
 * lovasz/tfjs): checks the values and computes.
 */
export function binaryXlossResolved(
  fn: string,
  logits: NumericArray,
  labels: NumericArray,
  opts: BinaryXlossResolved,
): LossResult {
  checkFinite(fn, 'logits', logits);
  checkLabels(fn, 'labels', labels, 2, opts.ignore, '0 or 1');
  const out = checkOut(fn, opts.out, logits.length, { logits, labels });
  const n = logits.length;
  const { ign, valid, plan } = validPixelPlan(labels, n, opts.ignore, opts.reduction);
  const grad = out ? out.fill(0) : new Float32Array(logits.length);
  const losses = plan.losses;
  if (valid === 0) return plan.result(0, grad);
  const scale = plan.factor(0);
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
    grad[i] = (sigmoid - y) * scale;
  }
  return plan.result(loss * scale, grad);
}
