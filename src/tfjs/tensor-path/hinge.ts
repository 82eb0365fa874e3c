import * as tf from '@tensorflow/tfjs-core';
import { jaccardGradSorted } from './jaccard-grad.js';
import { deviceLossOp, emptyLoss } from './loss-op.js';
import type { TensorHingePlan } from './plans.js';
import { flatPositions, inPixelOrder, inSortedOrder, sortDescending } from './sort.js';
import { validMask } from './valid.js';

// The key of a void pixel under 'elu+1', where every valid margin is sorted: the lowest
// float32, below any finite margin (webgpu's topk pads rows with -Infinity, so not that).
const VOID_KEY = -3.4028234663852886e38;

/**
 * Lovász hinge on the tensor path: the loss and gradient of the core `lovaszHinge` for every
 * option, computed with tensor ops on the active backend, with nothing read back.
 *
 * Per group of pixels (an image with perImage, else the batch), with m = -s * logit
 * (s = 2y - 1) and errors e = 1 + m, the margins are sorted decreasingly with tf.topk (void
 * pixels last); d = jaccardGradSorted of the sorted labels (symmetric: the mean of that and of
 * the flipped labels' d, with G' = valid - G); the group loss is sum f(e_sorted) d, f = relu
 * ('relu': margins are clamped at -1 first, so pixels with e <= 0 sort after the rest and add
 * nothing) or elu + 1 (e + 1 for e > 0, exp(e) otherwise: every valid pixel counts).
 * d loss / d logit = -s d f'(e), put back in pixel order with tf.scatterND. An all-void group
 * scores 0 and counts. Reductions: 'mean' over groups, 'sum', 'none' ([G]).
 *
 * The values are not scanned: a label other than 0, 1 and `ignore` counts as background, and a
 * non-finite logit makes the loss NaN. Sums are float32.
 *
 * Shapes: logits and labels of `geo.batch * geo.pixels` values (any shape, e.g. [B, H, W] or
 * [B, D, H, W]). Returns a scalar, or [G] with reduction 'none'.
 * @example
 * ```ts
 * const loss = lovaszHingeOnDevice(logits, labels, {
 *   geo: { batch: 4, pixels: 100 * 100 }, perImage: true, ignore: 255,
 *   variant: 'relu', symmetric: false, reduction: 'mean',
 * });
 * ```
 */
export function lovaszHingeOnDevice(
  logits: tf.Tensor,
  labels: tf.Tensor,
  plan: TensorHingePlan,
): tf.Tensor {
  const { geo, perImage, ignore, variant, symmetric, reduction } = plan;
  const groups = perImage ? geo.batch : 1;
  if (logits.size === 0) return emptyLoss(logits, reduction === 'none' ? [groups] : []);
  const n = logits.size / groups;
  const elu = variant === 'elu+1';
  const shape = [...logits.shape];
  return deviceLossOp(logits, (x) => {
    const logit = tf.reshape(tf.cast(x, 'float32'), [groups, n]);
    const y = tf.reshape(tf.cast(labels, 'float32'), [groups, n]);
    const valid = validMask(y, ignore);
    const fg = tf.logicalAnd(tf.equal(y, tf.scalar(1)), valid);
    const m = tf.where(fg, tf.neg(logit), logit);
    const keys = elu
      ? tf.where(valid, m, tf.fill([groups, n], VOID_KEY))
      : tf.where(valid, tf.maximum(m, tf.scalar(-1)), tf.fill([groups, n], -2));
    const { values, indices } = sortDescending(keys);
    const flat = flatPositions(indices);
    const fgF = tf.cast(fg, 'float32');
    const validF = tf.cast(valid, 'float32');
    const total = tf.sum(fgF, 1, true);
    const fgSorted = inSortedOrder(fgF, flat);
    const validSorted = inSortedOrder(validF, flat);
    let d = jaccardGradSorted(fgSorted, total);
    if (symmetric) {
      const flipped = jaccardGradSorted(
        tf.sub(validSorted, fgSorted),
        tf.sub(tf.sum(validF, 1, true), total),
      );
      d = tf.div(tf.add(d, flipped), tf.scalar(2));
    }
    const e = tf.add(values, tf.scalar(1));
    const positive = tf.greater(e, tf.scalar(0));
    let f: tf.Tensor;
    let df: tf.Tensor;
    if (elu) {
      const ex = tf.exp(tf.minimum(e, tf.scalar(0)));
      f = tf.where(positive, tf.add(e, tf.scalar(1)), ex);
      df = tf.where(positive, tf.onesLike(e), ex);
    } else {
      f = tf.relu(e);
      df = tf.cast(positive, 'float32');
    }
    const dValid = tf.mul(d, validSorted);
    const groupLoss = tf.sum(tf.mul(f, dValid), 1);
    const value =
      reduction === 'none'
        ? groupLoss
        : reduction === 'sum'
          ? tf.sum(groupLoss)
          : tf.div(tf.sum(groupLoss), tf.scalar(groups));
    const scale = reduction === 'mean' ? 1 / groups : 1;
    const dPixel = tf.mul(inPixelOrder(tf.mul(dValid, df), flat), tf.scalar(scale));
    const grad = tf.where(fg, tf.neg(dPixel), dPixel);
    return {
      value,
      saved: [grad],
      backward: (dy, [g]) =>
        tf.reshape(tf.mul(dy.rank === 0 ? dy : tf.reshape(dy, [groups, 1]), g), shape),
    };
  });
}
