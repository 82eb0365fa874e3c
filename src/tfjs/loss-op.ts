import * as tf from '@tensorflow/tfjs-core';
import type { LossResult } from '../core/loss-result.js';
import type { ClassSelection } from '../core/options/common-options.js';
import { customOp } from './custom-op.js';
import { readValues } from './read-values.js';
import { softmaxItemClasses } from './tensor-path/plans.js';

/**
 * How the losses of reduction 'none' sit over the input: the shape of the losses tensor, and
 * how its upstream gradient dy spreads over the input (each input entry belongs to one item).
 */
export interface ItemLayout {
  shape(result: LossResult): number[];
  /** The losses tensor's values (by default the core's `losses`). */
  values?(result: LossResult): Float32Array;
  spread(dy: tf.Tensor, result: LossResult): tf.Tensor;
}

/**
 * Wraps a core loss as a differentiable op: a scalar, or with `items` (reduction 'none') a
 * tensor of per-item losses.
 *
 * The forward pass reads the input and the labels (or targets) once (views of the heap on the
 * wasm backend, see {@link readValues}) and lets the core compute the loss and its gradient
 * in one pass; the backward pass makes the gradient a tensor and scales it by dy (spread over
 * the items with reduction 'none'). Nothing is differentiated through tf.gather or tf.topk
 * (their gradients are quadratic or missing on some backends), so this works with only
 * @tensorflow/tfjs-core and a backend loaded.
 *
 * The gradient stays a typed array until the backward pass asks for it, not a tensor saved
 * with customGrad's `save`: the engine clones what is saved, and the backward pass would have
 * to clone it again to hand out a tensor the engine does not dispose. On the wasm backend each
 * clone is a copy of the whole gradient in its heap, beside tf.tensor's one copy into it; a
 * forward pass with no tape recording (a validation loss) makes no gradient tensor at all.
 */
export function lossOp(
  x: tf.Tensor,
  labels: tf.Tensor,
  compute: (
    values: ArrayLike<number>,
    labels: ArrayLike<number>,
    out: Float32Array | null,
  ) => LossResult,
  items?: ItemLayout,
): tf.Tensor {
  const op = customOp((input: tf.Tensor) => {
    // Both are read here, just before the core, which makes no tfjs call: views of the wasm
    // heap stay valid throughout.
    const [values, y] = readValues([input, labels]);
    const result = compute(values, y, takeSpare(input.size));
    let copied = false;
    // One tensor for the backward pass (tf.tensor copies on wasm, shares the array on cpu; no
    // kernel writes into its inputs, so sharing is safe).
    const gradient = () => {
      if (copied) throw new Error('lossOp: the gradient of one forward pass was asked for twice');
      const t = tf.tensor(result.grad, input.shape, 'float32');
      copied = keepSpare(result.grad);
      return t;
    };
    if (items && result.losses) {
      return {
        value: tf.tensor(
          items.values ? items.values(result) : Float32Array.from(result.losses),
          items.shape(result),
          'float32',
        ),
        backward: (dy) => tf.mul(items.spread(dy, result), gradient()),
      };
    }
    return {
      value: tf.scalar(result.loss, 'float32'),
      backward: (dy) =>
        // dy = 1 (the gradient of the loss itself) needs no product: the cpu backend
        // broadcasts a scalar with a generic strided loop that took longer than the loss
        // (about 5 ms at 900K values, 150 ms at 18M). The input was read on the CPU already,
        // so reading dy is no new synchronisation.
        dy.size === 1 && dy.dataSync()[0] === 1 ? gradient() : tf.mul(dy, gradient()),
    };
  });
  return op(x);
}

// On the wasm backend tf.tensor copies a gradient into the backend's heap, after which the
// array is free: the next forward pass of the same size writes its gradient into it (the
// core's `out`), where a new array would cost its page faults (about 3 ms at 11 MB here, a
// fifth of the loss at 8x21x128x128). One array is kept, the last one copied.
let spare: Float32Array | null = null;

/** The spare gradient array if it has n values and the backend copies (wasm), else null. */
function takeSpare(n: number): Float32Array | null {
  if (spare === null || spare.length !== n || tf.getBackend() !== 'wasm') return null;
  const a = spare;
  spare = null;
  return a;
}

/**
 * Keeps `grad` (the core's own array, or the spare it was given) for the next forward pass
 * once tf.tensor has copied it, which only the wasm backend does; says whether it was kept.
 */
function keepSpare(grad: Float32Array): boolean {
  if (tf.getBackend() !== 'wasm' || grad.length === 0) return false;
  spare = grad;
  return true;
}

/** One loss per leading index (image): dy [n] spreads as [n, 1, ...] over an input of `rank`. */
export function perImageItems(rank: number): ItemLayout {
  return {
    shape: (r) => [r.losses!.length],
    spread: (dy) => tf.reshape(dy, [dy.size, ...new Array(rank - 1).fill(1)]),
  };
}

/**
 * One loss per candidate class, in increasing order (every class for 'present' and 'all', the
 * listed ones for a list): a fixed shape [K] on every path and backend, where the core lists
 * only the classes the data has; a candidate not considered scores 0 and has no gradient.
 * dy [K] spreads over the channel axis (`axis` of an input of `rank` with `channels`
 * channels). With one channel (sigmoid input) the single candidate maps to it.
 */
export function perCandidateItems(
  rank: number,
  axis: number,
  channels: number,
  candidates: readonly number[],
): ItemLayout {
  const K = candidates.length;
  return {
    shape: () => [K],
    values: (r) => {
      const out = new Float32Array(K);
      (r.classes ?? []).forEach((c, j) => {
        out[candidates.indexOf(c)] = r.losses![j];
      });
      return out;
    },
    spread: (dy) => {
      const shape = new Array(rank).fill(1);
      shape[axis] = channels;
      if (channels === 1) return tf.reshape(dy, shape);
      // Channel c takes dy[k] where candidates[k] = c; other channels point at an appended 0.
      const index = new Int32Array(channels).fill(K);
      candidates.forEach((c, k) => {
        index[c] = k;
      });
      const padded = tf.concat([tf.reshape(dy, [K]), tf.zeros([1])]);
      return tf.reshape(tf.gather(padded, tf.tensor1d(index, 'int32')), shape);
    },
  };
}

/**
 * The items of a Lovász loss with reduction 'none' (undefined otherwise): one per image with
 * perImage, else one per candidate class (see {@link perCandidateItems}).
 */
export function lovaszItems(
  x: tf.Tensor,
  geo: { nchw: boolean; channels: number },
  opts: { reduction: string; perImage: boolean; classes: ClassSelection },
): ItemLayout | undefined {
  if (opts.reduction !== 'none') return undefined;
  if (opts.perImage) return perImageItems(x.rank);
  const candidates = softmaxItemClasses({ geo, classes: opts.classes });
  return perCandidateItems(x.rank, geo.nchw ? 1 : x.rank - 1, geo.channels, candidates);
}

/**
 * One loss per pixel: the losses tensor has `itemShape` (the labels' shape), and dy spreads
 * over the channel axis `axis` of the input after taking the pixels' shape `spatial` (none:
 * the input has the pixels' shape).
 */
export function perPixelItems(
  itemShape: readonly number[],
  spatial: readonly number[],
  axis: number | null,
): ItemLayout {
  return {
    shape: () => [...itemShape],
    spread: (dy) => {
      const pixels = tf.reshape(dy, [...spatial]);
      return axis === null ? pixels : tf.expandDims(pixels, axis);
    },
  };
}
