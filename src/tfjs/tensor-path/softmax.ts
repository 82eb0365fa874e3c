import * as tf from '@tensorflow/tfjs-core';
import { classRowsOp } from './class-rows-op.js';
import { softmaxItemClasses, type TensorSoftmaxPlan } from './plans.js';
import { labelRows } from './rows.js';
import { validMask } from './valid.js';

/**
 * Lovász-Softmax (and Lovász-Sigmoid) on the tensor path: the loss and gradient of the core
 * `lovaszSoftmax` for every option, computed with tensor ops on the active backend; nothing is
 * read back (no dataSync, data or arraySync), so on webgl and webgpu the data stays on the GPU.
 *
 * The input becomes rows [G, K, n] (see rows.ts): G groups (images with perImage, else one),
 * the K candidate classes ({@link softmaxItemClasses}), n pixels per group. With fromLogits the
 * softmax over channels (one channel: the sigmoid) is taken on the device first, on all
 * channels. Per row: fg = (label == class) on valid pixels, {@link lovaszRows} gives the class
 * loss and d loss / d p; {@link reduceRows} applies 'present', classWeights, perImage
 * (all-void images score 0 and count) and the reduction with tensor masks, so which classes
 * are present and which images are void is never read back. The backward pass scales the
 * saved row gradient by dy, adds it into the channels and, with fromLogits, goes through the
 * softmax (dz_k = p_k (g_k - sum_j p_j g_j)) or sigmoid (dz = g p (1 - p)).
 *
 * Differences from the core: errors and sums are float32 (the core: exact comparisons,
 * float64 sums), so two errors within an ulp may sort as a tie (by pixel index), moving d
 * between them by one rank. The values are not scanned: probabilities outside [0, 1] are used
 * as they are, and a label outside the classes that is not `ignore` is background for all.
 *
 * Shapes: `x` of `geo.batch * geo.pixels * geo.channels` values in the plan's layout (any
 * shape, e.g. [B, H, W, C], [B, C, D, H, W] or [B, P, C]); labels `batch * pixels` values.
 * Returns a scalar, or with reduction 'none' [B] (perImage) or [K] (per candidate class, 0 for
 * a class not considered); the gradient has x's shape.
 * @example
 * ```ts
 * const loss = lovaszSoftmaxOnDevice(logits, labels, {
 *   geo: { batch: 2, pixels: 64 * 64, channels: 21, nchw: false },
 *   classes: 'present', perImage: false, ignore: 255, fromLogits: true,
 *   classWeights: null, reduction: 'mean',
 * });
 * ```
 */
export function lovaszSoftmaxOnDevice(
  x: tf.Tensor,
  labels: tf.Tensor,
  plan: TensorSoftmaxPlan,
): tf.Tensor {
  const { ignore } = plan;
  const sigmoid = plan.geo.channels === 1;
  const ids = softmaxItemClasses(plan);
  const K = ids.length;
  return classRowsOp(x, plan, {
    ids,
    // The channel each row reads: the single sigmoid channel for any class; null: all, in order.
    channels: sigmoid ? ids.map(() => 0) : typeof plan.classes === 'string' ? null : ids,
    sigmoid,
    masks: (groups) => {
      const y = labelRows(labels, groups);
      const valid = tf.cast(validMask(y, ignore), 'float32');
      const isClass = tf.equal(y, tf.reshape(tf.tensor1d(ids, 'float32'), [1, K, 1]));
      return { fg: tf.mul(tf.cast(isClass, 'float32'), valid), valid };
    },
  });
}
