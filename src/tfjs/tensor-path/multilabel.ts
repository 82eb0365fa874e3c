import * as tf from '@tensorflow/tfjs-core';
import { lovaszRows, reduceRows, spreadDy } from './class-rows.js';
import { deviceLossOp, emptyLoss } from './loss-op.js';
import { softmaxItemClasses, type TensorMultilabelPlan } from './plans.js';
import {
  activateRows,
  activateRowsBackward,
  fromRows,
  pickChannels,
  putChannels,
  toRows,
} from './rows.js';
import { validMask } from './valid.js';

/**
 * The multilabel Lovász loss on the tensor path: the loss and gradient of the core
 * `lovaszMultilabel` for every option, with tensor ops and nothing read back.
 *
 * Probabilities (or logits with fromLogits: an element-wise sigmoid on the device) and targets
 * share one geometry; both become rows [G, C, n]. Row (g, c) has fg = (target == 1) and its
 * own valid mask (target != ignore, per channel), and {@link lovaszRows} /
 * {@link reduceRows} give the loss as for the softmax: 'present' keeps the channels with a
 * positive target, a channel with no valid pixel is not considered, classWeights weigh the
 * channels, perImage averages over images. Float32 throughout; the values are not scanned (a
 * target other than 0, 1 and `ignore` counts as 0).
 *
 * Shapes: x and targets of `geo.batch * geo.pixels * geo.channels` values in the plan's layout.
 * Returns a scalar, or with reduction 'none' [B] (perImage) or [K] (per candidate channel, 0
 * for one not considered); the gradient has x's shape.
 * @example
 * ```ts
 * const loss = lovaszMultilabelOnDevice(logits, targets, {
 *   geo: { batch: 2, pixels: 1024, channels: 5, nchw: false }, classes: 'present',
 *   perImage: false, ignore: 255, fromLogits: true, classWeights: null, reduction: 'mean',
 * });
 * ```
 */
export function lovaszMultilabelOnDevice(
  x: tf.Tensor,
  targets: tf.Tensor,
  plan: TensorMultilabelPlan,
): tf.Tensor {
  const { geo, perImage, ignore, fromLogits, reduction } = plan;
  const C = geo.channels;
  const groups = perImage ? geo.batch : 1;
  const ids = softmaxItemClasses(plan);
  const K = ids.length;
  if (x.size === 0 || K === 0) {
    return emptyLoss(x, reduction !== 'none' ? [] : perImage ? [geo.batch] : [K]);
  }
  const channels = typeof plan.classes === 'string' ? null : ids;
  const weights = plan.classWeights ? ids.map((c) => plan.classWeights![c]) : null;
  const shape = [...x.shape];
  return deviceLossOp(x, (input) => {
    const z = toRows(tf.cast(input, 'float32'), geo, groups);
    const pAll = fromLogits ? activateRows(z, true) : z;
    const p = pickChannels(pAll, channels);
    const t = pickChannels(toRows(tf.cast(targets, 'float32'), geo, groups), channels);
    const valid = tf.cast(validMask(t, ignore), 'float32');
    const fg = tf.mul(tf.cast(tf.equal(t, tf.scalar(1)), 'float32'), valid);
    const rows = lovaszRows(p, fg, valid);
    const { value, factor } = reduceRows(
      rows,
      plan.classes === 'present',
      weights,
      perImage,
      reduction,
    );
    const gradK = tf.mul(rows.grad, tf.expandDims(factor, 2));
    return {
      value,
      saved: fromLogits ? [gradK, pAll] : [gradK],
      backward: (dy, [g, pSaved]) => {
        const gC = putChannels(tf.mul(g, spreadDy(dy, perImage)), channels, C);
        const dz = fromLogits ? activateRowsBackward(pSaved, gC, true) : gC;
        return fromRows(dz, geo, groups, shape);
      },
    };
  });
}
