import * as tf from '@tensorflow/tfjs-core';
import { lovaszHinge as coreHinge } from '../../core/hinge.js';
import type { LovaszHingeOptions } from '../../core/options/hinge-options.js';
import { jaccardGradSorted } from './jaccard-grad.js';
import { tensorLossOp } from './loss-op.js';
import { flatPositions, inPixelOrder, inSortedOrder, sortDescending } from './sort.js';
import { validMask } from './valid.js';

/**
 * Lovász hinge on the tensor path: the same loss and gradient as the core `lovaszHinge`,
 * computed with tensor ops on the active backend, without downloading logits or labels.
 *
 * Per group of pixels (an image with perImage, else the batch), with m = -s * logit
 * (s = 2y - 1) and errors e = 1 + m: the rows of keys max(m, -1) (ignored pixels: -2) are
 * sorted decreasingly with tf.topk, so positive errors come first in decreasing order and every
 * pixel with e <= 0 or ignored after them, where it adds nothing; d = jaccardGradSorted of the
 * sorted labels; the group loss is sum relu(e_sorted) d; the loss is the mean over the groups.
 * d loss / d logit = -s d [e > 0] / groups, put back in pixel order with tf.scatterND.
 *
 * Checks: the options are checked by the core itself (on an empty batch), so their errors are
 * identical; the values are not scanned (that would need a download): a label other than 0, 1
 * and `ignore` counts as background, and a non-finite logit makes the loss NaN.
 *
 * Shapes: logits [B, H, W] (size > 0), labels [B, H, W]. Defaults: perImage true, ignore null.
 */
export function lovaszHingeTensor(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options: LovaszHingeOptions,
): tf.Scalar {
  const [B, H, W] = logits.shape;
  // The core's own option checks, on an empty batch: same errors, no data read.
  coreHinge(new Float32Array(0), new Int32Array(0), [0, H, W], options);
  const perImage = options.perImage ?? true;
  const ignore = options.ignore ?? null;
  const groups = perImage ? B : 1;
  const n = (B * H * W) / groups;
  return tensorLossOp(logits, (x) => {
    const logit = tf.reshape(tf.cast(x, 'float32'), [groups, n]);
    const y = tf.reshape(tf.cast(labels, 'float32'), [groups, n]);
    const valid = validMask(y, ignore);
    const fg = tf.logicalAnd(tf.equal(y, tf.scalar(1)), valid);
    const m = tf.where(fg, tf.neg(logit), logit);
    // Keys below -1 only order pixels that add nothing; -2 puts ignored ones after them all.
    const keys = tf.where(valid, tf.maximum(m, tf.scalar(-1)), tf.fill([groups, n], -2));
    const { values, indices } = sortDescending(keys);
    const flat = flatPositions(indices);
    const fgF = tf.cast(fg, 'float32');
    const total = tf.sum(fgF, 1, true);
    const d = jaccardGradSorted(inSortedOrder(fgF, flat), total);
    const errors = tf.relu(tf.add(values, tf.scalar(1)));
    const loss = tf.div(tf.sum(tf.mul(errors, d)), tf.scalar(groups)) as tf.Scalar;
    // Only positive errors have a gradient; -s: -1 on foreground, +1 on background.
    const dPositive = tf.where(tf.greater(values, tf.scalar(-1)), d, tf.zerosLike(d));
    const dPixel = tf.div(inPixelOrder(dPositive, flat), tf.scalar(groups));
    const grad = tf.reshape(tf.where(fg, tf.neg(dPixel), dPixel), logits.shape);
    return { loss, grad };
  });
}
