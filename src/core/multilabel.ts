import { activate, activationBackward } from './activation.js';
import {
  type ClassSelection,
  checkArray,
  checkBoolean,
  checkChannelShape,
  checkClasses,
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
import type { Geometry } from './geometry.js';
import { checkKernel, type HingeKernel } from './hinge.js';
import type { LossResult, OutOption } from './loss-result.js';
import { lovaszGroups } from './lovasz-groups.js';
import { checkClassWeights, checkReduction, type Reduction } from './reduction.js';

/**
 * Options of {@link lovaszMultilabel} (and of the `lovasz/tfjs` lovaszMultilabel).
 *
 * @example
 * ```ts
 * const options: LovaszMultilabelOptions = { fromLogits: true, classes: 'all', ignore: 255 };
 * ```
 */
export interface LovaszMultilabelOptions {
  /** Channels averaged over: 'present' (default: with a positive target), 'all', or a list. */
  classes?: ClassSelection;
  /** Mean of per-image losses (true) or one loss per channel over the batch (false, default). */
  perImage?: boolean;
  /** Target value that marks a (pixel, channel) as void; null (default): none. */
  ignore?: number | null;
  /** 'NHWC' (default) or 'NCHW', for both arguments. */
  layout?: Layout;
  /** The first argument holds logits; the sigmoid is fused and differentiated. Default false. */
  fromLogits?: boolean;
  /** One weight per channel in the mean over channels; default null (all 1). */
  classWeights?: ArrayLike<number> | null;
  /** 'mean' (default), 'sum' or 'none' (per image with perImage, else per channel). */
  reduction?: Reduction;
  /**
   * 'auto' (default): the WebAssembly class kernel where it can run, else JavaScript; 'wasm'
   * requires it (and throws with the reason); 'js' never takes it. The same bits either way.
   */
  kernel?: HingeKernel;
}

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
 * Shapes: probas and targets [B, H, W, C] ('NHWC', default) or [B, C, H, W] ('NCHW'); targets
 * 0, 1 or `ignore`. Defaults: classes 'present', perImage false, ignore null, fromLogits
 * false, classWeights null, reduction 'mean'. A channel with no valid pixel is not considered.
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
  checkOptionKeys(fn, options, [
    'classes',
    'perImage',
    'ignore',
    'layout',
    'fromLogits',
    'classWeights',
    'reduction',
    'kernel',
    'out',
  ]);
  const perImage = checkBoolean(fn, 'perImage', option(options?.perImage, false));
  const ignore = checkIgnore(fn, options.ignore ?? null);
  const layout = checkLayout(fn, option(options?.layout, 'NHWC'));
  const fromLogits = checkBoolean(fn, 'fromLogits', option(options?.fromLogits, false));
  const reduction = checkReduction(fn, option(options?.reduction, 'mean'));
  const kernel = checkKernel(fn, option(options?.kernel, 'auto'));
  checkArray(fn, 'probas', probas);
  checkArray(fn, 'targets', targets);
  const { dims, B, H, W, C } = checkChannelShape(fn, 'probas', shape, layout);
  checkLength(fn, 'probas', probas, B * H * W * C, `shape ${formatShape(dims)}`);
  checkLength(fn, 'targets', targets, B * H * W * C, `shape ${formatShape(dims)}`);
  const selection = checkClasses(fn, option(options?.classes, 'present'), C);
  const weights = checkClassWeights(fn, options.classWeights, C);
  const out = checkOut(fn, options.out, probas.length, { probas, targets });
  // The probabilities are checked by the class kernel (lovaszGroups), after the targets.
  if (fromLogits) checkFinite(fn, 'probas', probas);
  checkLabels(fn, 'targets', targets, 2, ignore, '0 or 1');
  const HW = H * W;
  const nchw = layout === 'NCHW';
  const geo: Geometry = { batch: B, pixels: HW, channels: C, nchw };
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
    selection,
    perImage,
    ign: -1,
    weights,
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
      for (let px = b0 * HW; px < b1 * HW; px++) {
        for (let c = 0; c < C; c++) {
          const t = targets[offset(px, c)];
          if (t === ign) continue;
          valid[c]++;
          fg[c] += t;
        }
      }
      return { fg, valid };
    },
    fn,
    kernel,
    wasmLabels: { values: targets, perChannel: true, ign },
    checkProbabilities: fromLogits ? null : 'probas',
  });
  if (fromLogits) activationBackward(p as Float32Array, result.grad, { ...geo, channels: 1 });
  return result;
}
