import * as tf from '@tensorflow/tfjs-core';
import { lovaszRows, reduceRows, spreadDy } from './class-rows.js';
import { deviceLossOp, emptyLoss } from './loss-op.js';
import type { TensorClassPlan } from './plans.js';
import {
  activateRows,
  activateRowsBackward,
  fromRows,
  pickChannels,
  putChannels,
  toRows,
} from './rows.js';

/** What a class loss of the tensor path adds to {@link classRowsOp}: its rows and masks. */
export interface ClassRows {
  /** The candidate classes, in increasing order ({@link softmaxItemClasses}): K rows. */
  ids: readonly number[];
  /** The channel each row reads, or null: all channels, in order. */
  channels: readonly number[] | null;
  /** With fromLogits: an element-wise sigmoid (true) or the softmax over channels (false). */
  sigmoid: boolean;
  /**
   * The foreground and valid masks of the rows, float32 of 0 and 1, [G, K, n] or broadcastable
   * (fg 0 where void). Called inside the op, so its tensors are freed with the forward pass.
   */
  masks(groups: number): { fg: tf.Tensor; valid: tf.Tensor };
}

/**
 * A Lovász class loss on the tensor path as one differentiable op, shared by
 * {@link lovaszSoftmaxOnDevice} and {@link lovaszMultilabelOnDevice}: x becomes rows [G, K, n]
 * (G groups: images with perImage, else one), activated on the device with fromLogits;
 * {@link lovaszRows} and {@link reduceRows} give the loss and each row's gradient factor. The
 * backward pass scales the saved row gradient by dy, adds it into the channels and, with
 * fromLogits, goes through the activation. An input without values, or no candidate class,
 * gives zeros (a scalar, or the items of reduction 'none').
 *
 * Shapes: x of `geo.batch * geo.pixels * geo.channels` values in the plan's layout. Returns a
 * scalar, or with reduction 'none' [B] (perImage) or [K]; the gradient has x's shape.
 */
export function classRowsOp(x: tf.Tensor, plan: TensorClassPlan, rows: ClassRows): tf.Tensor {
  const { geo, perImage, fromLogits, reduction } = plan;
  const { ids, channels, sigmoid } = rows;
  const C = geo.channels;
  const groups = perImage ? geo.batch : 1;
  const K = ids.length;
  if (x.size === 0 || K === 0) {
    return emptyLoss(x, reduction !== 'none' ? [] : perImage ? [geo.batch] : [K]);
  }
  const weights = plan.classWeights ? ids.map((c) => plan.classWeights![c]) : null;
  const shape = [...x.shape];
  return deviceLossOp(x, (input) => {
    const z = toRows(tf.cast(input, 'float32'), geo, groups);
    const pAll = fromLogits ? activateRows(z, sigmoid) : z;
    const p = pickChannels(pAll, channels);
    const { fg, valid } = rows.masks(groups);
    const losses = lovaszRows(p, fg, valid);
    const { value, factor } = reduceRows(
      losses,
      plan.classes === 'present',
      weights,
      perImage,
      reduction,
    );
    const gradK = tf.mul(losses.grad, tf.expandDims(factor, 2));
    return {
      value,
      saved: fromLogits ? [gradK, pAll] : [gradK],
      backward: (dy, [g, pSaved]) => {
        const gC = putChannels(tf.mul(g, spreadDy(dy, perImage)), channels, C);
        const dz = fromLogits ? activateRowsBackward(pSaved, gC, sigmoid) : gC;
        return fromRows(dz, geo, groups, shape);
      },
    };
  });
}
