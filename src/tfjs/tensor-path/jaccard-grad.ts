import * as tf from '@tensorflow/tfjs-core';

/**
 * The Lovász gradient of the Jaccard loss for rows of labels sorted by decreasing error
 * (Berman et al. 2018, Algorithm 1), with tensor ops: d_i = J_i - J_(i-1), where
 * J_i = 1 - (G - a_i) / (G + b_i), a_i and b_i are the foreground and background counts among
 * the first i entries and G is the row's foreground count.
 *
 * The counts before each entry come from an exclusive tf.cumsum (exact in float32 below 2^24),
 * and the difference is taken in closed form, as in the core, because subtracting two nearly
 * equal J values in float32 would lose most digits at large n:
 *   foreground entry: d_i = 1 / (G + b_(i-1))
 *   background entry: d_i = (G - a_(i-1)) / ((G + b_(i-1)) (G + b_(i-1) + 1)),
 * and d = 1 at the first entry of a row without foreground (J jumps from 0 to 1 there).
 * Entries sorted after every counted one (ignored pixels) may be in the rows: they change no
 * count before a counted entry, and their d is to be masked by the caller.
 *
 * Shapes: fgSorted [..., n] float32 of 0 and 1; total [..., 1] float32 (G, the foreground
 * entries that count, which may be fewer than the row's ones only when masked ones sort last)
 * -> d [..., n] float32.
 */
export function jaccardGradSorted(fgSorted: tf.Tensor, total: tf.Tensor): tf.Tensor {
  const axis = fgSorted.rank - 1;
  const n = fgSorted.shape[axis];
  const fgBefore = tf.cumsum(fgSorted, axis, true);
  const bgBefore = tf.sub(tf.range(0, n, 1, 'float32'), fgBefore);
  const union = tf.add(total, bgBefore);
  const dFg = tf.div(tf.scalar(1), union);
  const dBg = tf.div(tf.sub(total, fgBefore), tf.mul(union, tf.add(union, tf.scalar(1))));
  // union = 0 only at the first entry of a row with G = 0, where dBg is 0 / 0.
  const dBgSafe = tf.where(tf.equal(union, tf.scalar(0)), tf.onesLike(dBg), dBg);
  return tf.where(tf.greater(fgSorted, tf.scalar(0)), dFg, dBgSafe);
}
