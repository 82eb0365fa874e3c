import type { NumericArray } from './check.js';
import { pairBuffers, sortPairs } from './sort.js';

/**
 * The JavaScript kernel of the Lovász hinge: per group of pixels, the errors, the sort of the
 * positive ones and one pass for the loss and its gradient (every variant).
 */

/** How a group's loss is computed: the variant, the symmetric flag, the gradient scale. */
export interface HingeMode {
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

/**
 * The hinge of `groups` equal groups of the `size` pixels (each image with perImage, else
 * one), into `grad` (zeroed by the caller); fills `losses` (one per group) when given and
 * returns the sum of the group losses. `mode.scale` is each group's gradient factor.
 */
export function hingeGroupsJs(
  logits: NumericArray,
  labels: NumericArray,
  groups: number,
  size: number,
  ign: number,
  mode: HingeMode,
  grad: Float32Array,
  losses: Float64Array | null,
): number {
  const per = size / groups;
  let sum = 0;
  for (let g = 0; g < groups; g++) {
    const l = hingeRange(logits, labels, g * per, (g + 1) * per, ign, mode, grad);
    if (losses) losses[g] = l;
    sum += l;
  }
  return sum;
}
