import * as tf from '@tensorflow/tfjs-core';
import type { LossResult } from '../core/loss-result.js';
import { customOp } from './custom-op.js';

/**
 * How the losses of reduction 'none' sit over the input: the shape of the losses tensor, and
 * how its upstream gradient dy spreads over the input (each input entry belongs to one item).
 */
export interface ItemLayout {
  shape(result: LossResult): number[];
  spread(dy: tf.Tensor, result: LossResult): tf.Tensor;
}

/**
 * Wraps a core loss as a differentiable op: a scalar, or with `items` (reduction 'none') a
 * tensor of per-item losses.
 *
 * The forward pass reads the input once, lets the core compute the loss and its gradient in
 * one pass, and keeps the gradient; the backward pass only scales it by dy (spread over the
 * items with reduction 'none'). Nothing is differentiated through tf.gather or tf.topk (their
 * gradients are quadratic or missing on some backends), so this works with only
 * @tensorflow/tfjs-core and a backend loaded.
 */
export function lossOp(
  x: tf.Tensor,
  compute: (values: ArrayLike<number>) => LossResult,
  items?: ItemLayout,
): tf.Tensor {
  const op = customOp((input: tf.Tensor) => {
    const result = compute(input.dataSync() as ArrayLike<number>);
    const saved = [tf.tensor(result.grad, input.shape, 'float32')];
    if (items && result.losses) {
      return {
        value: tf.tensor(Float32Array.from(result.losses), items.shape(result), 'float32'),
        saved,
        backward: (dy, [grad]) => tf.mul(items.spread(dy, result), grad),
      };
    }
    return {
      value: tf.scalar(result.loss, 'float32'),
      saved,
      backward: (dy, [grad]) =>
        // dy = 1 (the gradient of the loss itself) needs no product: the cpu backend
        // broadcasts a scalar with a generic strided loop that took longer than the loss
        // (about 5 ms at 900K values, 150 ms at 18M). The input was read on the CPU already,
        // so reading dy is no new synchronisation.
        dy.size === 1 && dy.dataSync()[0] === 1 ? tf.clone(grad) : tf.mul(dy, grad),
    };
  });
  return op(x);
}

/** One loss per leading index (image): dy [n] spreads as [n, 1, ...] over an input of `rank`. */
export function perImageItems(rank: number): ItemLayout {
  return {
    shape: (r) => [r.losses!.length],
    spread: (dy) => tf.reshape(dy, [dy.size, ...new Array(rank - 1).fill(1)]),
  };
}

/**
 * One loss per class considered (listed in result.classes): dy [K] spreads over the channel
 * axis (`axis` of an input of `rank` with `channels` channels); a class not considered has a
 * zero gradient already. With one channel (sigmoid input) the single class maps to it.
 */
export function perClassItems(rank: number, axis: number, channels: number): ItemLayout {
  return {
    shape: (r) => [r.losses!.length],
    spread: (dy, r) => {
      const classes = r.classes ?? [];
      const shape = new Array(rank).fill(1);
      shape[axis] = channels;
      if (channels === 1) return tf.reshape(classes.length ? dy : tf.zeros([1]), shape);
      // Channel c takes dy[k] where classes[k] = c; absent channels point at an appended 0.
      const index = new Int32Array(channels).fill(classes.length);
      classes.forEach((c, k) => {
        index[c] = k;
      });
      const padded = tf.concat([tf.reshape(dy, [classes.length]), tf.zeros([1])]);
      return tf.reshape(tf.gather(padded, tf.tensor1d(index, 'int32')), shape);
    },
  };
}

/**
 * The items of a Lovász loss with reduction 'none' (undefined otherwise): one per image with
 * perImage, else one per class considered, along the channel axis of `geo`.
 */
export function lovaszItems(
  x: tf.Tensor,
  geo: { nchw: boolean; channels: number },
  opts: { reduction: string; perImage: boolean },
): ItemLayout | undefined {
  if (opts.reduction !== 'none') return undefined;
  if (opts.perImage) return perImageItems(x.rank);
  return perClassItems(x.rank, geo.nchw ? 1 : x.rank - 1, geo.channels);
}

/** One loss per pixel [B, H, W]: dy spreads over the channel axis `axis` (none: same shape). */
export function perPixelItems(labelShape: number[], axis: number | null): ItemLayout {
  return {
    shape: () => labelShape,
    spread: (dy) => (axis === null ? dy : tf.expandDims(dy, axis)),
  };
}
