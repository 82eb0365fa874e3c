import { activate, activationBackward } from './activation.js';
import {
  checkArray,
  checkFinite,
  checkLabels,
  checkLength,
  checkOut,
  type NumericArray,
} from './check.js';
import { channelInput, formatShape, type Geometry, sizeOf } from './geometry.js';
import type { LossResult, OutOption } from './loss-result.js';
import { lovaszGroups } from './lovasz-groups.js';
import { checkClassesFit, checkWeightsFit } from './options/common-options.js';
import { resolveOptions } from './options/option-spec.js';
import {
  type LovaszMultilabelOptions,
  MULTILABEL_OPTIONS,
  type SoftmaxResolved,
} from './options/softmax-options.js';

// Reused across calls: one channel's targets, laid out per pixel.
let channelTargets = new Int32Array(0);

/**
 * Multilabel Lovász loss: independent sigmoid probabilities per channel against binary
 * targets of the same shape, one Lovász-Sigmoid loss per channel (fg = target == 1,
 * e = |fg - p_c|), then the mean over the channels considered (weighted by classWeights),
 * and over images with perImage:
 * L = sum_{c in K} w_c L_c / sum_{c in K} w_c, where L_c = sum_i e_pi(i) * d_i, pi orders the
 * errors of channel c decreasingly, d = {@link lovaszGrad} of fg in that order, and K is the
 * set of channels considered. d e / d p_c = sign(p_c - fg).
 *
 * Shapes: probas and targets `[B, ...spatial, C]` ('NHWC', default) or `[B, C, ...spatial]`
 * ('NCHW'), any number of spatial axes (at least one); targets 0, 1 or `ignore`. Options:
 * {@link LovaszMultilabelOptions}. A channel with no valid pixel is not considered.
 * @example
 * ```ts
 * // one pixel, two labels both on
 * lovaszMultilabel([0.9, 0.6], [1, 1], [1, 1, 1, 2]).loss // mean of 0.1 and 0.4
 * ```
 */
export function lovaszMultilabel(
  probas: NumericArray,
  targets: NumericArray,
  shape: readonly number[],
  options: LovaszMultilabelOptions & OutOption = {},
): LossResult {
  const fn = 'lovaszMultilabel';
  const opts = resolveOptions(fn, MULTILABEL_OPTIONS, options);
  checkArray(fn, 'probas', probas);
  checkArray(fn, 'targets', targets);
  const geo = channelInput(fn, 'shape', 'probas', shape, opts.layout);
  const { dims } = geo;
  const size = sizeOf(dims);
  checkLength(fn, 'probas', probas, size, `shape ${formatShape(dims)}`);
  checkLength(fn, 'targets', targets, size, `shape ${formatShape(dims)}`);
  return multilabelResolved(fn, probas, targets, geo, opts);
}

/**
 * The multilabel loss once the options and the geometry are resolved (by lovaszMultilabel
 * and by lovasz/tfjs): checks the options against the input and the values, and computes.
 */
export function multilabelResolved(
  fn: string,
  probas: NumericArray,
  targets: NumericArray,
  geo: Geometry,
  opts: SoftmaxResolved,
): LossResult {
  const { batch: B, pixels: HW, channels: C, nchw } = geo;
  checkClassesFit(fn, opts.classes, C);
  checkWeightsFit(fn, opts.classWeights, C);
  const out = checkOut(fn, opts.out, probas.length, { probas, targets });
  const { fromLogits, ignore, perImage, reduction } = opts;
  // Probabilities are checked by the class kernel (lovaszGroups), after the targets.
  if (fromLogits) checkFinite(fn, 'probas', probas);
  checkLabels(fn, 'targets', targets, 2, ignore, '0 or 1');
  // Independent labels: an element-wise sigmoid, not a softmax over channels.
  const p = fromLogits ? activate(probas, { ...geo, channels: 1 }) : probas;
  // Targets are validated: with no ignore label none is negative, so -1 matches no pixel.
  const ign = ignore === null ? -1 : ignore;
  const P = B * HW;
  if (channelTargets.length < P) channelTargets = new Int32Array(P);
  const tmp = channelTargets;
  const offset = (px: number, c: number) => {
    const b = Math.floor(px / HW);
    return nchw ? (b * C + c) * HW + (px - b * HW) : px * C + c;
  };
  const result = lovaszGroups({
    probas: p,
    geo,
    batch: B,
    numClasses: C,
    selection: opts.classes,
    perImage,
    ign: -1,
    weights: opts.classWeights,
    reduction,
    out,
    target: (c, b0, b1) => {
      // Void becomes -1 (the plan's ignore value): any ignore label, even one an Int32Array
      // cannot hold, stays void.
      for (let px = b0 * HW; px < b1 * HW; px++) {
        const t = targets[offset(px, c)];
        tmp[px] = t === ign ? -1 : t;
      }
      return { labels: tmp, cls: 1, channel: c };
    },
    counts: (b0, b1) => {
      const fg = new Float64Array(C);
      const valid = new Float64Array(C);
      // Images [b0, b1) are one contiguous run of targets in either layout: read in memory
      // order (channel c runs of HW values channels first, c = i mod C channels last).
      const end = b1 * HW * C;
      if (nchw) {
        for (let at = b0 * HW * C; at < end; at += HW) {
          const c = (at / HW) % C;
          let n = 0;
          let ones = 0;
          for (let i = at; i < at + HW; i++) {
            const t = targets[i];
            if (t === ign) continue;
            n++;
            ones += t;
          }
          valid[c] += n;
          fg[c] += ones;
        }
      } else {
        for (let at = b0 * HW * C; at < end; at += C) {
          for (let c = 0; c < C; c++) {
            const t = targets[at + c];
            if (t === ign) continue;
            valid[c]++;
            fg[c] += t;
          }
        }
      }
      return { fg, valid };
    },
    fn,
    kernel: opts.kernel,
    wasmLabels: { values: targets, perChannel: true, ign },
    checkProbabilities: fromLogits ? null : 'probas',
  });
  if (fromLogits) activationBackward(p as Float32Array, result.grad, { ...geo, channels: 1 });
  return result;
}
