import {
  checkArray,
  checkFinite,
  checkLabels,
  checkLength,
  checkOut,
  type NumericArray,
} from './check.js';
import {
  channelInput,
  formatShape,
  type Geometry,
  layoutHint,
  sizeOf,
  spatialShape,
} from './geometry.js';
import type { LossResult, OutOption } from './loss-result.js';
import { resolveOptions } from './options/option-spec.js';
import { XLOSS_OPTIONS, type XlossOptions, type XlossResolved } from './options/xloss-options.js';
import { validPixelPlan } from './reduction.js';

/**
 * Softmax cross-entropy from logits, mean over the valid pixels.
 *
 * Per pixel with label y: logsumexp(x) - x_y, with the maximum subtracted before exp; the
 * gradient is (softmax(x) - onehot(y)) / n over the n valid pixels (0 for void pixels).
 * Accumulated in float64; logits read at float32 precision. Zero valid pixels: loss 0.
 *
 * Shapes: logits `[B, ...spatial, C]` (NHWC, default) or `[B, C, ...spatial]` (NCHW), any
 * number of spatial axes (at least one), `shape` is their shape; labels `[B, ...spatial]`,
 * integers in [0, C) or `ignore`. Options: {@link XlossOptions} (ignore null: pass 255 for the
 * original code's ignore_index).
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
  const opts = resolveOptions(fn, XLOSS_OPTIONS, options);
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  const geo = channelInput(fn, 'shape', 'logits', shape, opts.layout);
  const { dims } = geo;
  const P = geo.batch * geo.pixels;
  checkLength(fn, 'logits', logits, sizeOf(dims), `shape ${formatShape(dims)}`);
  if (labels.length !== P) {
    throw new RangeError(
      `${fn}: 'labels' has ${labels.length} values but [B, ...spatial] = ${formatShape(spatialShape(dims, geo, false))} needs ${P}${layoutHint(dims, opts.layout, labels.length)}`,
    );
  }
  return xlossResolved(fn, logits, labels, geo, opts);
}

/**
 * The cross-entropy once the options and the geometry are resolved (by xloss and by
 * lovasz/tfjs): checks the values and computes.
 */
export function xlossResolved(
  fn: string,
  logits: NumericArray,
  labels: NumericArray,
  geo: Geometry,
  opts: XlossResolved,
): LossResult {
  const { batch: B, pixels: HW, channels: C, nchw } = geo;
  const P = B * HW;
  checkFinite(fn, 'logits', logits);
  checkLabels(fn, 'labels', labels, C, opts.ignore);
  const out = checkOut(fn, opts.out, logits.length, { logits, labels });
  const { ign, valid, plan } = validPixelPlan(labels, P, opts.ignore, opts.reduction);
  const grad = out ? out.fill(0) : new Float32Array(logits.length);
  const losses = plan.losses;
  if (valid === 0) return plan.result(0, grad);
  const scale = plan.factor(0);
  const step = nchw ? HW : 1;
  const exps = new Float64Array(C);
  let loss = 0;
  for (let px = 0; px < P; px++) {
    const y = labels[px];
    if (y === ign) continue;
    const b = Math.floor(px / HW);
    const base = nchw ? b * C * HW + (px - b * HW) : px * C;
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
      grad[base + c * step] = (exps[c] / sum - (c === y ? 1 : 0)) * scale;
    }
  }
  return plan.result(loss * scale, grad);
}
