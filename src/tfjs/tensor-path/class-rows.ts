import * as tf from '@tensorflow/tfjs-core';
import type { Reduction } from '../../core/reduction.js';
import { jaccardGradSorted } from './jaccard-grad.js';
import { flatPositions, inPixelOrder, inSortedOrder, sortDescending } from './sort.js';

/** What {@link lovaszRows} computes for rows [G, K, n]. */
export interface RowLosses {
  /** The Lovász loss of each row, [G, K]. */
  loss: tf.Tensor;
  /** d row loss / d p, [G, K, n] (0 on void pixels). */
  grad: tf.Tensor;
  /** Valid foreground pixels of each row (G of the Jaccard index), [G, K]. */
  total: tf.Tensor;
  /** Valid pixels of each row, [G, K]. */
  valid: tf.Tensor;
}

/**
 * The per-class Lovász loss of rows of probabilities, as the core's classLoss computes it for
 * one class over a group of images: e = |fg - p| on valid pixels, sorted decreasingly with
 * tf.topk (void pixels keyed -1, after every valid one), d = jaccardGradSorted of fg in that
 * order, loss = sum e_sorted d, d loss / d p = sign(p - fg) d. A row without foreground has
 * d = [1, 0, ...]: its loss is the largest error and its gradient sits on the first pixel (by
 * index) that reaches it, as in the core. A row without valid pixels has loss 0.
 *
 * Shapes: p [G, K, n] float32; fg, valid [G, K, n] or broadcastable, float32 of 0 and 1 (fg
 * already 0 where void).
 */
export function lovaszRows(p: tf.Tensor, fg: tf.Tensor, valid: tf.Tensor): RowLosses {
  const shape = p.shape;
  const fgF = tf.broadcastTo(fg, shape);
  const validF = tf.broadcastTo(valid, shape);
  const errors = tf.abs(tf.sub(fgF, p));
  const keys = tf.sub(tf.mul(errors, validF), tf.sub(tf.scalar(1), validF));
  const { values, indices } = sortDescending(keys);
  const flat = flatPositions(indices);
  const total = tf.sum(fgF, 2, true);
  const d = jaccardGradSorted(inSortedOrder(fgF, flat), total);
  const loss = tf.sum(tf.mul(tf.relu(values), d), 2);
  const dPixel = inPixelOrder(d, flat);
  const grad = tf.mul(tf.mul(dPixel, tf.sign(tf.sub(p, fgF))), validF);
  return { loss, grad, total: tf.squeeze(total, [2]), valid: tf.sum(validF, 2) };
}

/** The loss of a group of rows and the factor each row's gradient takes in it. */
export interface ReducedRows {
  /** A scalar, or the items of reduction 'none': [G] with perImage, else [K]. */
  value: tf.Tensor;
  /** [G, K]: the factor of each row's gradient (before dy). */
  factor: tf.Tensor;
}

/**
 * The core's lovaszGroups reduction on the device. A row (group g, class k) is considered when
 * it has a valid pixel and, with 'present', a foreground one. With w the class weights (1 by
 * default), wk = w [considered] and r = wk / sum_k wk (0 for a group whose total weight is 0):
 * - perImage: group losses l_g = sum_k r L_gk (an all-void image scores 0 and still counts);
 *   'mean': sum_g l_g / G (factor r / G), 'sum': sum_g l_g (factor r), 'none': [G] l_g;
 * - otherwise (G = 1): 'mean' sum_k r L_k, 'sum' sum_k wk L_k, 'none' [K] L_k unweighted, 0
 *   for a class not considered.
 *
 * Shapes: loss, total, valid [G, K]; weights: K numbers or null.
 */
export function reduceRows(
  rows: RowLosses,
  present: boolean,
  weights: readonly number[] | null,
  perImage: boolean,
  reduction: Reduction,
): ReducedRows {
  const [G, K] = rows.loss.shape;
  const hasValid = tf.greater(rows.valid, tf.scalar(0));
  const considered = tf.cast(
    present ? tf.logicalAnd(hasValid, tf.greater(rows.total, tf.scalar(0))) : hasValid,
    'float32',
  );
  const wk = weights === null ? considered : tf.mul(considered, tf.tensor2d([...weights], [1, K]));
  const wsum = tf.sum(wk, 1, true);
  // wk >= 0, so a zero sum means every wk is 0: r is 0 there with any non-zero divisor.
  const r = tf.div(wk, tf.where(tf.greater(wsum, tf.scalar(0)), wsum, tf.onesLike(wsum)));
  if (perImage) {
    const groupLoss = tf.sum(tf.mul(r, rows.loss), 1);
    if (reduction === 'none') return { value: groupLoss, factor: r };
    if (reduction === 'sum') return { value: tf.sum(groupLoss), factor: r };
    return {
      value: tf.div(tf.sum(groupLoss), tf.scalar(G)),
      factor: tf.div(r, tf.scalar(G)),
    };
  }
  if (reduction === 'none')
    return { value: tf.reshape(tf.mul(rows.loss, considered), [K]), factor: considered };
  const factor = reduction === 'sum' ? wk : r;
  return { value: tf.sum(tf.mul(factor, rows.loss)), factor };
}

/**
 * dy of a reduced loss spread over rows [G, K, n]: a scalar as it is; [G] items (perImage)
 * over the groups; [K] items over the classes.
 */
export function spreadDy(dy: tf.Tensor, perImage: boolean): tf.Tensor {
  if (dy.rank === 0) return dy;
  return perImage ? tf.reshape(dy, [dy.size, 1, 1]) : tf.reshape(dy, [1, dy.size, 1]);
}
