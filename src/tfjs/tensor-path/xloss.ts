import * as tf from '@tensorflow/tfjs-core';
import { deviceLossOp, emptyLoss } from './loss-op.js';
import type { TensorBinaryXlossPlan, TensorXlossPlan } from './plans.js';
import { validMask } from './valid.js';

/**
 * The softmax cross-entropy from logits on the tensor path: the loss and gradient of the core
 * `xloss`, with tensor ops and nothing read back (the number of valid pixels stays a tensor).
 *
 * Per valid pixel with label y: logsumexp(x) - x_y (the maximum subtracted first); 'mean'
 * divides the sum by the number n of valid pixels (loss 0 when there is none), 'sum' does not,
 * 'none' returns the per-pixel losses (0 where void). d loss / d x = (softmax(x) - onehot(y))
 * / n on valid pixels, 0 on void ones. Float32 sums; labels are not scanned (one outside
 * [0, C) that is not `ignore` has no one-hot entry).
 *
 * Shapes: logits of `geo.batch * geo.pixels * geo.channels` values (channels last, or second
 * with `nchw`), labels of `batch * pixels`. Returns a scalar, or with 'none' the per-pixel
 * losses in the labels' shape; the gradient has the logits' shape.
 * @example
 * ```ts
 * const loss = xlossOnDevice(logits, labels, {
 *   geo: { batch: 2, pixels: 1024, channels: 21, nchw: false }, ignore: 255, reduction: 'mean',
 * });
 * ```
 */
export function xlossOnDevice(
  logits: tf.Tensor,
  labels: tf.Tensor,
  plan: TensorXlossPlan,
): tf.Tensor {
  const { geo, ignore, reduction } = plan;
  const { batch: B, pixels: P, channels: C, nchw } = geo;
  const itemShape = [...labels.shape];
  if (logits.size === 0) return emptyLoss(logits, reduction === 'none' ? itemShape : []);
  const shape = [...logits.shape];
  return deviceLossOp(logits, (input) => {
    // [B * P, C], channels last.
    const x3 = tf.reshape(tf.cast(input, 'float32'), nchw ? [B, C, P] : [B, P, C]);
    const x = tf.reshape(nchw ? tf.transpose(x3, [0, 2, 1]) : x3, [B * P, C]);
    const y = tf.reshape(tf.cast(labels, 'float32'), [B * P, 1]);
    const valid = tf.cast(validMask(y, ignore), 'float32');
    const onehot = tf.cast(
      tf.equal(y, tf.reshape(tf.range(0, C, 1, 'float32'), [1, C])),
      'float32',
    );
    const max = tf.max(x, 1, true);
    const e = tf.exp(tf.sub(x, max));
    const sum = tf.sum(e, 1, true);
    const lse = tf.add(tf.log(sum), max);
    const picked = tf.sum(tf.mul(x, onehot), 1, true);
    const perPixel = tf.mul(tf.sub(lse, picked), valid);
    const norm = reduction === 'mean' ? tf.maximum(tf.sum(valid), tf.scalar(1)) : tf.scalar(1);
    const value =
      reduction === 'none' ? tf.reshape(perPixel, itemShape) : tf.div(tf.sum(perPixel), norm);
    const grad = tf.div(tf.mul(tf.sub(tf.div(e, sum), onehot), valid), norm);
    return {
      value,
      saved: [grad],
      backward: (dy, [g]) => {
        const scaled = tf.mul(g, dy.rank === 0 ? dy : tf.reshape(dy, [B * P, 1]));
        const back = nchw ? tf.transpose(tf.reshape(scaled, [B, P, C]), [0, 2, 1]) : scaled;
        return tf.reshape(back, shape);
      },
    };
  });
}

/**
 * The binary cross-entropy from logits on the tensor path: the loss and gradient of the core
 * `binaryXloss`, with tensor ops and nothing read back.
 *
 * Per valid value: max(x, 0) - x y + log(1 + exp(-|x|)) (stable); 'mean' over the valid values
 * (0 when there is none), 'sum', or 'none' (per value, 0 where void). d loss / d x =
 * (sigmoid(x) - y) / n on valid values. Float32 sums; labels are not scanned.
 *
 * Shapes: logits of any shape, labels of the same size. Returns a scalar, or with 'none' the
 * per-value losses in the logits' shape.
 * @example
 * ```ts
 * const loss = binaryXlossOnDevice(logits, labels, { ignore: 255, reduction: 'mean' });
 * ```
 */
export function binaryXlossOnDevice(
  logits: tf.Tensor,
  labels: tf.Tensor,
  plan: TensorBinaryXlossPlan,
): tf.Tensor {
  const { ignore, reduction } = plan;
  const shape = [...logits.shape];
  if (logits.size === 0) return emptyLoss(logits, reduction === 'none' ? shape : []);
  return deviceLossOp(logits, (input) => {
    const x = tf.reshape(tf.cast(input, 'float32'), [-1]);
    const y = tf.reshape(tf.cast(labels, 'float32'), [-1]);
    const valid = tf.cast(validMask(y, ignore), 'float32');
    const fg = tf.mul(y, valid);
    const l = tf.add(tf.sub(tf.relu(x), tf.mul(x, fg)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    const perValue = tf.mul(l, valid);
    const norm = reduction === 'mean' ? tf.maximum(tf.sum(valid), tf.scalar(1)) : tf.scalar(1);
    const value =
      reduction === 'none' ? tf.reshape(perValue, shape) : tf.div(tf.sum(perValue), norm);
    const grad = tf.div(tf.mul(tf.sub(tf.sigmoid(x), fg), valid), norm);
    return {
      value,
      saved: [grad],
      backward: (dy, [g]) =>
        tf.reshape(tf.mul(g, dy.rank === 0 ? dy : tf.reshape(dy, [-1])), shape),
    };
  });
}
