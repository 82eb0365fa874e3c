import {
  checkArray,
  checkChannelShape,
  checkFinite,
  checkIgnore,
  checkLabels,
  checkLayout,
  checkLength,
  checkOptionKeys,
  checkOut,
  formatShape,
  type Layout,
  type NumericArray,
  option,
} from './check.js';
import type { LossResult, OutOption } from './loss-result.js';
import { checkReduction, type Reduction } from './reduction.js';

/**
 * Options of {@link xloss} (and of the `lovasz/tfjs` xloss).
 *
 * @example
 * ```ts
 * xloss(logits, labels, [B, C, H, W], { layout: 'NCHW', ignore: null });
 * ```
 */
export interface XlossOptions {
  /** Label value of void pixels; default 255 (as PyTorch's ignore_index in the original). */
  ignore?: number | null;
  /** 'NHWC' (default) or 'NCHW'. */
  layout?: Layout;
  /** 'mean' over valid pixels (default), 'sum', or 'none' (one loss per pixel [B, H, W], 0 where void). */
  reduction?: Reduction;
}

/**
 * Softmax cross-entropy from logits, mean over the valid pixels.
 *
 * Per pixel with label y: logsumexp(x) - x_y, with the maximum subtracted before exp; the
 * gradient is (softmax(x) - onehot(y)) / n over the n valid pixels (0 for void pixels).
 * Accumulated in float64; logits read at float32 precision. Zero valid pixels: loss 0.
 *
 * Shapes: logits [B, H, W, C] (NHWC, default) or [B, C, H, W] (NCHW), `shape` is their shape;
 * labels [B, H, W], integers in [0, C) or `ignore`. Defaults: ignore 255, layout 'NHWC',
 * reduction 'mean'.
 * @example
 * ```ts
 * xloss([2, 0, 0, 1], [0, 1], [1, 1, 2, 2]).loss
 * ```
 */
export function xloss(
  logits: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: XlossOptions & OutOption = {},
): LossResult {
  const fn = 'xloss';
  checkOptionKeys(fn, options, ['ignore', 'layout', 'reduction', 'out']);
  const reduction = checkReduction(fn, option(options?.reduction, 'mean'));
  const ignore = checkIgnore(fn, options.ignore === undefined ? 255 : options.ignore);
  const layout = checkLayout(fn, option(options?.layout, 'NHWC'));
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  const { dims, B, H, W, C } = checkChannelShape(fn, 'logits', shape, layout);
  checkLength(fn, 'logits', logits, B * H * W * C, `shape ${formatShape(dims)}`);
  checkLength(fn, 'labels', labels, B * H * W, `[B, H, W] = ${formatShape([B, H, W])}`);
  checkFinite(fn, 'logits', logits);
  checkLabels(fn, 'labels', labels, C, ignore);
  const out = checkOut(fn, options.out, logits.length, { logits, labels });
  const HW = H * W;
  const P = B * HW;
  // Labels are validated: with no ignore label none is negative, so -1 matches no pixel (an
  // integer comparison, cheaper than one against NaN).
  const ign = ignore === null ? -1 : ignore;
  const grad = out ? out.fill(0) : new Float32Array(logits.length);
  let valid = 0;
  for (let i = 0; i < P; i++) if (labels[i] !== ign) valid++;
  const losses = reduction === 'none' ? new Float64Array(P) : null;
  if (valid === 0) return losses ? { loss: 0, grad, losses } : { loss: 0, grad };
  // The mean divides by the number of valid pixels; the sum and 'none' do not.
  const norm = reduction === 'mean' ? valid : 1;
  const step = layout === 'NHWC' ? 1 : HW;
  const exps = new Float64Array(C);
  let loss = 0;
  for (let px = 0; px < P; px++) {
    const y = labels[px];
    if (y === ign) continue;
    const b = Math.floor(px / HW);
    const base = layout === 'NHWC' ? px * C : b * C * HW + (px - b * HW);
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < C; c++) max = Math.max(max, Math.fround(logits[base + c * step]));
    let sum = 0;
    for (let c = 0; c < C; c++) {
      exps[c] = Math.exp(Math.fround(logits[base + c * step]) - max);
      sum += exps[c];
    }
    const l = Math.log(sum) + max - Math.fround(logits[base + y * step]);
    if (losses) losses[px] = l;
    loss += l;
    for (let c = 0; c < C; c++) {
      grad[base + c * step] = (exps[c] / sum - (c === y ? 1 : 0)) / norm;
    }
  }
  return losses ? { loss, grad, losses } : { loss: loss / norm, grad };
}
