import * as tf from '@tensorflow/tfjs-core';
import { classRowsOp } from './class-rows-op.js';
import { softmaxItemClasses, type TensorMultilabelPlan } from './plans.js';
import { pickChannels, toRows } from './rows.js';
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
  const { geo, ignore } = plan;
  const ids = softmaxItemClasses(plan);
  const channels = typeof plan.classes === 'string' ? null : ids;
  return classRowsOp(x, plan, {
    ids,
    channels,
    sigmoid: true,
    masks: (groups) => {
      const t = pickChannels(toRows(tf.cast(targets, 'float32'), geo, groups), channels);
      const valid = tf.cast(validMask(t, ignore), 'float32');
      return { fg: tf.mul(tf.cast(tf.equal(t, tf.scalar(1)), 'float32'), valid), valid };
    },
  });
}
