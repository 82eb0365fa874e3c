import { checkArray, checkLength, type NumericArray } from './check.js';
import { formatShape, type Geometry, pixelGeometry } from './geometry.js';
import { hingeChecked } from './hinge-kernel.js';
import type { LossResult, OutOption } from './loss-result.js';
import {
  HINGE_OPTIONS,
  type HingeResolved,
  type LovaszHingeOptions,
} from './options/hinge-options.js';
import { resolveOptions } from './options/option-spec.js';

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
 * Shapes: logits `[B, ...spatial]` (row-major, any number of spatial axes, at least one: `[B,
 * L]` signals, `[B, H, W]` images, `[B, D, H, W]` volumes), labels of the same shape with
 * values 0, 1 or `ignore`; `shape` is that shape. The pixels of an image are all its spatial
 * positions. Returns the loss and d loss / d logits. With perImage (default) the loss is the
 * mean of the per-image losses; an image with no valid pixel scores 0 and still counts.
 * reduction 'sum' adds the per-image losses, 'none' returns them in `losses`. Zero valid
 * pixels: loss 0, zero gradient. Options: {@link LovaszHingeOptions}.
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
  const opts = resolveOptions(fn, HINGE_OPTIONS, options);
  checkArray(fn, 'logits', logits);
  checkArray(fn, 'labels', labels);
  const geo = pixelGeometry(fn, 'shape', shape);
  const size = geo.batch * geo.pixels;
  checkLength(fn, 'logits', logits, size, `shape ${formatShape(shape)}`);
  checkLength(fn, 'labels', labels, size, `shape ${formatShape(shape)}`);
  return hingeResolved(fn, logits, labels, geo, opts);
}

/**
 * The hinge once the options and the geometry are resolved (by lovaszHinge and by
 * lovasz/tfjs): checks the values and computes it on the chosen kernel.
 */
export function hingeResolved(
  fn: string,
  logits: NumericArray,
  labels: NumericArray,
  geo: Geometry,
  opts: HingeResolved,
): LossResult {
  const groups = opts.perImage ? geo.batch : 1;
  return hingeChecked(fn, logits, labels, groups, geo.batch * geo.pixels, opts);
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
  return hingeChecked(fn, logits, labels, 1, logits.length, HINGE_DEFAULTS);
}

const HINGE_DEFAULTS = resolveOptions('lovaszHinge', HINGE_OPTIONS, undefined);
