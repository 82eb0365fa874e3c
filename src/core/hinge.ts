import {
  checkArray,
  checkBoolean,
  checkFinite,
  checkIgnore,
  checkLabels,
  checkLength,
  checkOptionKeys,
  checkOut,
  checkShape,
  formatShape,
  type NumericArray,
  option,
} from './check.js';
import { hingeWasm, hingeWasmUnavailable } from './hinge-wasm.js';
import type { LossResult, OutOption } from './loss-result.js';
import { checkReduction, type Reduction } from './reduction.js';
import { pairBuffers, sortPairs } from './sort.js';

/**
 * Options of {@link lovaszHinge} (and of the `lovasz/tfjs` lovaszHinge and kerasLovaszHinge).
 * Every field is optional; the defaults give the paper's per-image Lovász hinge.
 *
 * @example
 * ```ts
 * const options: LovaszHingeOptions = { perImage: false, ignore: 255, variant: 'elu+1' };
 * ```
 */
export interface LovaszHingeOptions {
  /** Average the loss of each image (true, default) or compute one loss over the batch. */
  perImage?: boolean;
  /** Label value of void pixels, which take no part in the loss; null (default): none. */
  ignore?: number | null;
  /**
   * The function of the sorted errors: 'relu' (default, the paper's hinge, f(e) = max(e, 0))
   * or 'elu+1' (f(e) = e + 1 for e > 0, exp(e) otherwise: smooth and positive, so every pixel
   * takes part).
   */
  variant?: HingeVariant;
  /**
   * The symmetric hinge: the mean of the loss and of the loss of the flipped problem
   * (-logits against 1 - labels), which treats background as a class of its own. Default false.
   */
  symmetric?: boolean;
  /** 'mean' (default), 'sum', or 'none' (one loss per image with perImage, else one). */
  reduction?: Reduction;
  /**
   * Which implementation computes the default hinge (variant 'relu', not symmetric):
   * 'auto' (default) takes the WebAssembly kernel when WebAssembly is available and the
   * `ignore` label is an int32, else the JavaScript one; 'wasm' requires the WebAssembly kernel
   * and throws when it cannot run; 'js' always takes the JavaScript one. Both return the
   * same bits; the WebAssembly kernel is about 2.5x faster. The other variants always run
   * in JavaScript.
   */
  kernel?: HingeKernel;
}

/**
 * The implementation of {@link lovaszHinge}: 'auto', 'wasm' or 'js' (see
 * {@link LovaszHingeOptions.kernel}).
 *
 * @example
 * ```ts
 * lovaszHinge(logits, labels, [B, H, W], { kernel: 'js' });
 * ```
 */
export type HingeKernel = 'auto' | 'wasm' | 'js';

/** Checks a `kernel` option (of the hinge and of the class losses). */
export function checkKernel(fn: string, value: unknown): HingeKernel {
  if (value !== 'auto' && value !== 'wasm' && value !== 'js') {
    const shown = typeof value === 'string' ? `'${value}'` : String(value);
    throw new RangeError(`${fn}: 'kernel' must be 'auto', 'wasm' or 'js', got ${shown}`);
  }
  return value;
}

/**
 * The function f applied to the sorted errors of {@link lovaszHinge}: 'relu' is
 * f(e) = max(e, 0) (the paper's hinge), 'elu+1' is f(e) = elu(e) + 1 (e + 1 for e > 0, exp(e)
 * otherwise).
 *
 * @example
 * ```ts
 * lovaszHinge(logits, labels, [B, H, W], { variant: 'elu+1' });
 * ```
 */
export type HingeVariant = 'relu' | 'elu+1';

function checkVariant(fn: string, value: unknown): HingeVariant {
  if (value !== 'relu' && value !== 'elu+1') {
    const shown = typeof value === 'string' ? `'${value}'` : String(value);
    throw new RangeError(`${fn}: 'variant' must be 'relu' or 'elu+1', got ${shown}`);
  }
  return value;
}

/** How a group's loss is computed: the variant, the symmetric flag, the gradient scale. */
interface HingeMode {
  elu: boolean;
  symmetric: boolean;
  scale: number;
}

/**
 * The Lovász hinge of the pixels [start, end) that are not `ign`; writes `scale` times its
 * gradient into `grad` and returns the loss.
 *
 * The error of a pixel is e = 1 - s * logit with s = 2y - 1, so e = 1 + m with m = -s * logit,
 * a float32 computed exactly: sorting m sorts the errors exactly. Pixels with e <= 0 add
 * nothing to the loss or the gradient and come after every positive error, and the Jaccard
 * gradient at a sorted position depends only on the counts before it (and on the total
 * foreground count G), so only the positive errors are sorted.
 */
function hingeRange(
  logits: NumericArray,
  labels: NumericArray,
  start: number,
  end: number,
  ign: number,
  mode: HingeMode,
  grad: Float32Array,
): number {
  const { keys, vals } = pairBuffers(end - start);
  // With elu+1 every error counts: no key is left out of the sort.
  const cut = mode.elu ? Number.NEGATIVE_INFINITY : -1;
  let valid = 0;
  let k = 0;
  let total = 0;
  // Branch-free: labels and the sign of the errors are random from one pixel to the next, so
  // a branch here would be mispredicted half the time.
  for (let px = start; px < end; px++) {
    const y = labels[px];
    if (y === ign) continue;
    valid++;
    total += y;
    // m = -s * logit, exact; stored first, then tested: the key is the float32 value the sort
    // and the loss use (+ 0 turns -0 into +0, which the sort needs). The payload is the pixel,
    // with its label in the top bit; a pixel whose error is not positive is overwritten next.
    // fround first: a float64 logit that rounds to a float32 zero must become +0, not -0.
    keys[k] = Math.fround(logits[px]) * (1 - 2 * y) + 0;
    vals[k] = px | (y << 31);
    k += keys[k] > cut ? 1 : 0;
  }
  if (k === 0) return 0;
  const sorted = sortPairs(0, k, true);
  if (!mode.elu && !mode.symmetric)
    return hingeLoss(sorted.keys, sorted.vals, k, total, mode.scale, grad);
  return hingeLossGeneral(sorted.keys, sorted.vals, k, total, valid, mode, grad);
}

/** The Jaccard gradient at one sorted step, for a ground truth of `total` positives. */
function jaccardStep(isFg: boolean, total: number, fgBefore: number, bgBefore: number): number {
  const union = total + bgBefore;
  if (isFg) return 1 / union;
  return union === 0 ? 1 : (total - fgBefore) / (union * (union + 1));
}

/**
 * The general pass: f = relu or elu + 1, and with `symmetric` the mean of the Jaccard
 * gradients of the labels and of the flipped labels (same errors: -(-s) * (-logit) = m).
 */
function hingeLossGeneral(
  keys: Float32Array,
  vals: Int32Array,
  k: number,
  total: number,
  valid: number,
  mode: HingeMode,
  grad: Float32Array,
): number {
  let loss = 0;
  let fgBefore = 0;
  let bgBefore = 0;
  for (let r = 0; r < k; r++) {
    const v = vals[r];
    const isFg = v < 0;
    let d = jaccardStep(isFg, total, fgBefore, bgBefore);
    if (mode.symmetric) d = (d + jaccardStep(!isFg, valid - total, bgBefore, fgBefore)) / 2;
    if (isFg) fgBefore++;
    else bgBefore++;
    const e = 1 + keys[r];
    const f = mode.elu ? (e > 0 ? e + 1 : Math.exp(e)) : e;
    const df = mode.elu && e <= 0 ? Math.exp(e) : 1;
    loss += f * d;
    // d e / d logit = -s: -1 on foreground, +1 on background.
    grad[v & 0x7fffffff] = (isFg ? -mode.scale : mode.scale) * d * df;
  }
  return loss;
}

/**
 * The loss and gradient from the sorted positive margins, in one pass. The union G + b only
 * grows on background steps, so 1 / (G + b) and 1 / (G + b + 1) are updated there and every
 * step is a few multiplications.
 */
function hingeLoss(
  keys: Float32Array,
  vals: Int32Array,
  k: number,
  total: number,
  scale: number,
  grad: Float32Array,
): number {
  let loss = 0;
  let fgBefore = 0;
  let union = total;
  // With no foreground at all, the first (background) step takes J from 0 to 1.
  let inv = union === 0 ? 1 : 1 / union;
  let invNext = 1 / (union + 1);
  for (let r = 0; r < k; r++) {
    const v = vals[r];
    let d: number;
    if (v < 0) {
      d = inv;
      fgBefore++;
      grad[v & 0x7fffffff] = -scale * d;
    } else {
      d = union === 0 ? 1 : (total - fgBefore) * inv * invNext;
      union++;
      inv = invNext;
      invNext = 1 / (union + 1);
      grad[v] = scale * d;
    }
    loss += (1 + keys[r]) * d;
  }
  return loss;
}

const HINGE_OPTIONS = [
  'perImage',
  'ignore',
  'variant',
  'symmetric',
  'reduction',
  'kernel',
  'out',
] as const;

/**
 * Lovász hinge loss for binary segmentation, from logits (Berman et al. 2018).
 *
 * With labels y in {0, 1}, s = 2y - 1 and errors e = 1 - s * logit, the loss of a set of
 * pixels is sum_i relu(e_pi(i)) * d_i, where pi orders the errors decreasingly and d is
 * {@link lovaszGrad} of the labels in that order; d loss / d logit = -s * d * [e > 0].
 * Variants: 'elu+1' uses f(e) = elu(e) + 1 instead of relu; `symmetric` averages the loss
 * with that of (-logits, 1 - labels), i.e. uses (d + d') / 2 with d' the Lovász gradient of
 * the flipped labels in the same order.
 * Ties are ordered by increasing pixel index, so the gradient is deterministic. Logits are
 * read at float32 precision (as TensorFlow.js stores them), then everything is float64.
 *
 * Shapes: logits [B, H, W] (row-major), labels [B, H, W] with values 0, 1 or `ignore`;
 * `shape` = [B, H, W]. Returns the loss and d loss / d logits [B, H, W].
 * Defaults: perImage = true (mean of the per-image losses; an image with no valid pixel
 * scores 0 and still counts), ignore = null, variant 'relu', symmetric false, reduction
 * 'mean' ('sum' adds the per-image losses, 'none' returns them in `losses`). Zero valid
 * pixels: loss 0, zero gradient. kernel 'auto' (WebAssembly where it can run, else JavaScript;
 * the same bits either way).
 * @throws TypeError / RangeError naming the argument on a bad shape, a length mismatch,
 *   a non-finite logit, a label other than 0, 1 or `ignore`, or an unknown option; Error
 *   with kernel 'wasm' when the WebAssembly kernel cannot run this call.
 * @example
 * ```ts
 * const { loss, grad } = lovaszHinge([2, -1, 0.5, -3], [1, 0, 0, 1], [1, 2, 2]);
 * ```
 */
export function lovaszHinge(
  logits: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: LovaszHingeOptions & OutOption = {},
): LossResult {
  const fn = 'lovaszHinge';
  checkOptionKeys(fn, options, HINGE_OPTIONS);
  const perImage = checkBoolean(fn, 'perImage', option(options?.perImage, true));
  const ignore = checkIgnore(fn, options.ignore ?? null);
  const variant = checkVariant(fn, option(options?.variant, 'relu'));
  const symmetric = checkBoolean(fn, 'symmetric', option(options?.symmetric, false));
  const reduction = checkReduction(fn, option(options?.reduction, 'mean'));
  const kernel = checkKernel(fn, option(options?.kernel, 'auto'));
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  const [B, H, W] = checkShape(fn, 'shape', shape, [3], '[B, H, W]');
  const size = B * H * W;
  checkLength(fn, 'logits', logits, size, `shape ${formatShape(shape)}`);
  checkLength(fn, 'labels', labels, size, `shape ${formatShape(shape)}`);
  const out = checkOut(fn, options.out, size, { logits, labels });
  const groups = perImage ? B : 1;
  const mode = { elu: variant === 'elu+1', symmetric, reduction, kernel, out };
  return hingeChecked(fn, logits, labels, groups, size, ignore, mode);
}

/**
 * Lovász hinge of one flat set of pixels: {@link lovaszHinge} with B = 1, no ignore label.
 *
 * Shapes: logits [P], labels [P] of 0 and 1. Returns the loss and d loss / d logits [P].
 * @example
 * ```ts
 * lovaszHingeFlat([2, -1, 0.5], [1, 0, 1]).loss
 * ```
 */
export function lovaszHingeFlat(logits: NumericArray, labels: NumericArray): LossResult {
  const fn = 'lovaszHingeFlat';
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  checkLength(fn, 'labels', labels, logits.length, `'logits' (${logits.length} values)`);
  const mode = {
    elu: false,
    symmetric: false,
    reduction: 'mean',
    kernel: 'auto',
    out: null,
  } as const;
  return hingeChecked(fn, logits, labels, 1, logits.length, null, mode);
}

/** What {@link hingeChecked} computes, besides the pixels. */
interface HingeCall {
  elu: boolean;
  symmetric: boolean;
  reduction: Reduction;
  kernel: HingeKernel;
  /** Where the gradient goes (null: a new array). */
  out: Float32Array | null;
}

// Label arrays whose valid values (0, 1 and an int32 ignore label) convert to int32 exactly,
// so the WebAssembly kernel's own label check is as strict as checkLabels.
const EXACT_LABELS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
];

/**
 * Checks the values and computes the hinge on the kernel `call.kernel` selects. The
 * WebAssembly kernel checks typed-array values itself, while it gathers them, and reports
 * only that something is wrong; checkFinite and checkLabels then run to say what, with the
 * same message the JavaScript path gives.
 */
function hingeChecked(
  fn: string,
  logits: NumericArray,
  labels: NumericArray,
  groups: number,
  size: number,
  ignore: number | null,
  call: HingeCall,
): LossResult {
  const check = () => {
    checkFinite(fn, 'logits', logits);
    checkLabels(fn, 'labels', labels, 2, ignore, '0 or 1');
  };
  // Without pixels there is nothing to compute, and nothing for a kernel to refuse.
  const tryWasm = call.kernel !== 'js' && size > 0 && groups > 0;
  const refusal = tryWasm ? wasmRefusal(call, ignore) : '';
  if (call.kernel === 'wasm' && refusal !== '') {
    throw new Error(`${fn}: kernel 'wasm' cannot run this call: ${refusal}`);
  }
  if (tryWasm && refusal === '') {
    const typed = ArrayBuffer.isView(logits) && EXACT_LABELS.some((t) => labels instanceof t);
    if (!typed) check();
    const losses = call.reduction === 'none' ? new Float64Array(groups) : null;
    const scale = call.reduction === 'mean' ? 1 / groups : 1;
    const r = hingeWasm(logits, labels, groups, size / groups, ignore, scale, losses, call.out);
    if (r.kind === 'done') {
      if (losses) return { loss: r.loss, grad: r.grad, losses };
      return { loss: call.reduction === 'mean' ? r.loss / groups : r.loss, grad: r.grad };
    }
    if (r.kind === 'unavailable' && call.kernel === 'wasm') {
      throw new Error(`${fn}: kernel 'wasm' cannot run this call: ${r.reason}`);
    }
    // 'invalid': check() throws, unless a finite float64 logit overflowed float32, which the
    // JavaScript kernel handles as an infinite key.
  }
  check();
  return hingeGroups(logits, labels, groups, size, ignore, call);
}

/** Why the WebAssembly kernel does not take this call ('' when it does). */
function wasmRefusal(call: HingeCall, ignore: number | null): string {
  if (call.elu) return "it computes variant 'relu' only, got 'elu+1'";
  if (call.symmetric) return 'it does not compute the symmetric hinge';
  if (ignore !== null && (ignore | 0) !== ignore) {
    return `it needs an int32 ignore label, got ${ignore}`;
  }
  return hingeWasmUnavailable();
}

function hingeGroups(
  logits: NumericArray,
  labels: NumericArray,
  groups: number,
  size: number,
  ignore: number | null,
  call: HingeCall,
): LossResult {
  const { elu, symmetric, reduction } = call;
  const grad = call.out ? call.out.fill(0) : new Float32Array(size);
  const losses = new Float64Array(reduction === 'none' ? groups : 0);
  if (groups === 0 || size === 0) {
    return reduction === 'none' ? { loss: 0, grad, losses } : { loss: 0, grad };
  }
  // Labels are validated: with no ignore label none is negative, so -1 matches no pixel (an
  // integer comparison, cheaper than one against NaN).
  const ign = ignore === null ? -1 : ignore;
  const per = size / groups;
  const mode: HingeMode = { elu, symmetric, scale: reduction === 'mean' ? 1 / groups : 1 };
  let loss = 0;
  for (let g = 0; g < groups; g++) {
    const l = hingeRange(logits, labels, g * per, (g + 1) * per, ign, mode, grad);
    if (reduction === 'none') losses[g] = l;
    loss += l;
  }
  if (reduction === 'none') return { loss, grad, losses };
  return { loss: reduction === 'mean' ? loss / groups : loss, grad };
}
