import * as tf from '@tensorflow/tfjs-core';
import type { ClassSelection } from '../../core/options/common-options.js';
import type { LovaszSoftmaxOptions } from '../../core/options/softmax-options.js';
import { lovaszSoftmax as coreSoftmax } from '../../core/softmax.js';
import { jaccardGradSorted } from './jaccard-grad.js';
import { tensorLossOp } from './loss-op.js';
import { flatPositions, inPixelOrder, inSortedOrder, sortDescending } from './sort.js';
import { validMask } from './valid.js';

/** How the input maps to rows [G, channels, n] of G groups and n pixels per group. */
interface Rows {
  groups: number;
  /** Images per group. */
  per: number;
  channels: number;
  hw: number;
  layout: 'NHWC' | 'NCHW' | 'sigmoid';
}

/** [B, H, W, C], [B, C, H, W] or [B, H, W] -> [G, C, n], each group's pixels in batch order. */
function toRows(x: tf.Tensor, r: Rows): tf.Tensor {
  const { groups: G, per, channels: C, hw } = r;
  const n = per * hw;
  if (r.layout === 'sigmoid') return tf.reshape(x, [G, 1, n]);
  if (r.layout === 'NHWC') return tf.transpose(tf.reshape(x, [G, n, C]), [0, 2, 1]);
  if (per === 1) return tf.reshape(x, [G, C, n]);
  return tf.reshape(tf.transpose(tf.reshape(x, [G, per, C, hw]), [0, 2, 1, 3]), [G, C, n]);
}

/** The inverse of {@link toRows}. */
function fromRows(rows: tf.Tensor, r: Rows, shape: number[]): tf.Tensor {
  const { groups: G, per, channels: C, hw } = r;
  if (r.layout === 'sigmoid') return tf.reshape(rows, shape);
  if (r.layout === 'NHWC') return tf.reshape(tf.transpose(rows, [0, 2, 1]), shape);
  if (per === 1) return tf.reshape(rows, shape);
  return tf.reshape(tf.transpose(tf.reshape(rows, [G, C, per, hw]), [0, 2, 1, 3]), shape);
}

/**
 * Lovász-Softmax (and Lovász-Sigmoid) on the tensor path: the same loss and gradient as the
 * core `lovaszSoftmax`, computed with tensor ops on the active backend, without downloading
 * probabilities or labels.
 *
 * The input becomes rows [G, K, n]: G groups (images with perImage, else one), the K classes
 * considered ('present' and 'all': every class, 'present' masked afterwards; a list: only its
 * channels), n pixels per group. For each row, fg = (label == class) on valid pixels, the keys
 * are e = |fg - p| (ignored pixels: -1, sorted after every valid one), tf.topk sorts them, and
 * d = jaccardGradSorted of fg in that order; the class loss is sum e_sorted d. A class with no
 * valid pixel has d = [1, 0, ...]: its loss is the largest error, as in the core.
 * 'present' keeps the classes with G > 0 in the group (a tensor mask, nothing is downloaded);
 * the group loss is the mean over the kept classes (0 with none: an all-void group), and the
 * loss the mean over groups. d loss / d p = sign(p - fg) d w, w = 1 / (groups * classes kept),
 * with d put back in pixel order by tf.scatterND and the rows back into the input's layout.
 *
 * Differences from the core: errors are float32, so 1 - p is rounded where the core compares
 * exactly; two errors within an ulp may then sort as a tie (by pixel index), which moves d
 * between them by at most one rank. Sums are float32 on the backend.
 * Checks: the options, layout and class list are checked by the core itself (on an empty
 * batch), so their errors are identical; the values are not scanned (that would need a
 * download): probabilities outside [0, 1] are used as they are, and a label outside [0, C) that
 * is not `ignore` counts as background for every class.
 *
 * Shapes: probas [B, H, W, C] ('NHWC'), [B, C, H, W] ('NCHW') or [B, H, W] (sigmoid, classes
 * a one-class list), size > 0; labels [B, H, W]. Defaults: classes 'present', perImage false,
 * ignore null, layout 'NHWC'.
 */
export function lovaszSoftmaxTensor(
  probas: tf.Tensor,
  labels: tf.Tensor,
  options: LovaszSoftmaxOptions,
): tf.Scalar {
  const shape = probas.shape as number[];
  // The core's own option checks, on an empty batch: same errors, no data read.
  coreSoftmax(new Float32Array(0), new Int32Array(0), [0, ...shape.slice(1)], options);
  const classes: ClassSelection = options.classes ?? 'present';
  const perImage = options.perImage ?? false;
  const ignore = options.ignore ?? null;
  const sigmoid = probas.rank === 3;
  const layout = sigmoid ? 'sigmoid' : (options.layout ?? 'NHWC');
  const [B, C, H, W]: number[] = sigmoid
    ? [shape[0], 1, shape[1], shape[2]]
    : layout === 'NHWC'
      ? [shape[0], shape[3], shape[1], shape[2]]
      : shape;
  const groups = perImage ? B : 1;
  const rows: Rows = { groups, per: B / groups, channels: C, hw: H * W, layout };
  const n = rows.per * rows.hw;
  // The classes of the rows, and the channels they read (null: all channels, in order; the
  // single sigmoid channel is all channels too, whatever class it predicts).
  const ids = typeof classes === 'string' ? range(C) : [...classes];
  const channels = sigmoid || typeof classes === 'string' ? null : ids;
  const K = ids.length;
  return tensorLossOp(probas, (x) => {
    const all = toRows(tf.cast(x, 'float32'), rows);
    const p = channels === null ? all : tf.gather(all, tf.tensor1d(channels, 'int32'), 1);
    const y = tf.reshape(tf.cast(labels, 'float32'), [groups, 1, n]);
    const validF = tf.cast(validMask(y, ignore), 'float32');
    const isClass = tf.equal(y, tf.reshape(tf.tensor1d(ids, 'float32'), [1, K, 1]));
    const fgF = tf.mul(tf.cast(isClass, 'float32'), validF);
    const errors = tf.abs(tf.sub(fgF, p));
    // e on valid pixels, -1 on ignored ones (e >= 0, so they sort last).
    const keys = tf.sub(tf.mul(errors, validF), tf.sub(tf.scalar(1), validF));
    const { values, indices } = sortDescending(keys);
    const flat = flatPositions(indices);
    const total = tf.sum(fgF, 2, true);
    const d = jaccardGradSorted(inSortedOrder(fgF, flat), total);
    const classLoss = tf.sum(tf.mul(tf.relu(values), d), 2);
    const kept =
      classes === 'present'
        ? tf.cast(tf.greater(tf.reshape(total, [groups, K]), tf.scalar(0)), 'float32')
        : tf.ones([groups, K]);
    const count = tf.maximum(tf.sum(kept, 1, true), tf.scalar(1));
    const perGroup = tf.sum(tf.div(tf.mul(classLoss, kept), count), 1);
    const loss = tf.div(tf.sum(perGroup), tf.scalar(groups)) as tf.Scalar;
    const w = tf.reshape(tf.div(kept, tf.mul(count, tf.scalar(groups))), [groups, K, 1]);
    const dPixel = inPixelOrder(d, flat);
    const gradK = tf.mul(tf.mul(tf.mul(dPixel, tf.sign(tf.sub(p, fgF))), validF), w);
    const gradC =
      channels === null
        ? gradK
        : tf.transpose(
            tf.scatterND(tf.tensor2d(channels, [K, 1], 'int32'), tf.transpose(gradK, [1, 0, 2]), [
              C,
              groups,
              n,
            ]),
            [1, 0, 2],
          );
    return { loss, grad: fromRows(gradC, rows, shape) };
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
