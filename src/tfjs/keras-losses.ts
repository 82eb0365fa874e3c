import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { formatShape } from '../core/check.js';
import { lovaszHinge as coreHinge, type LovaszHingeOptions } from '../core/hinge.js';
import {
  lovaszSigmoid as coreSigmoid,
  lovaszSoftmax as coreSoftmax,
  type LovaszSigmoidOptions,
  type LovaszSoftmaxOptions,
} from '../core/softmax.js';
import { rejectOut } from './core-only.js';
import { lossOp } from './loss-op.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';

/**
 * A loss as tfjs-layers' model.compile takes it: targets and predictions of the model's
 * output shape in, a differentiable tf.Scalar out. Returned by the `keras*` factories.
 *
 * @example
 * ```ts
 * const loss: KerasLoss = kerasLovaszSoftmax({ perImage: true });
 * model.compile({ optimizer: tf.train.adam(1e-3), loss });
 * ```
 */
export type KerasLoss = (yTrue: Tensor, yPred: Tensor) => Scalar;

/**
 * Labels [B * H * W] from one-hot targets [B, H, W, C]: the index of the 1 of each row, or
 * `void` (= C) for an all-zero row, the Keras way of marking a pixel to ignore.
 */
function labelsFromOneHot(fn: string, yTrue: ArrayLike<number>, C: number): Int32Array {
  const P = yTrue.length / C;
  const labels = new Int32Array(P);
  for (let px = 0; px < P; px++) {
    let label = C;
    for (let c = 0; c < C; c++) {
      const v = yTrue[px * C + c];
      if (v === 0) continue;
      if (v !== 1 || label !== C) {
        const row = Array.from({ length: C }, (_, k) => yTrue[px * C + k]);
        throw new RangeError(
          `${fn}: 'yTrue' rows must be one-hot (or all zero for a void pixel), got [${row.join(', ')}] at pixel ${px}`,
        );
      }
      label = c;
    }
    labels[px] = label;
  }
  return labels;
}

/**
 * Lovász-Softmax for tfjs-layers' model.compile: yTrue one-hot [B, H, W, C] (an all-zero row
 * marks a pixel to ignore, since Keras wants targets of the output's shape), yPred [B, H, W, C]
 * softmax probabilities (or logits with fromLogits). Options: those of lovaszSoftmax but
 * ignore, layout (NHWC, as tfjs-layers) and reduction (always 'mean'); defaults classes
 * 'present', perImage false, fromLogits false, classWeights null.
 *
 * The loss is that of the core lovaszSoftmax: for each class c considered, fg = (label == c),
 * e = |fg - p_c|, L_c = sum_i e_pi(i) * d_i (pi orders e decreasingly, d the Lovász gradient
 * of fg in that order), averaged over the classes considered. Labels are the argmax of the
 * one-hot rows, read synchronously; the gradient is analytic, so the model needs no
 * registered gradient for the loss.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: kerasLovaszSoftmax() });
 * ```
 */
export function kerasLovaszSoftmax(
  options: Omit<LovaszSoftmaxOptions, 'ignore' | 'layout' | 'reduction'> = {},
): KerasLoss {
  const fn = 'kerasLovaszSoftmax';
  rejectOut(fn, options);
  return (yTrue, yPred) => {
    checkTensor(fn, 'yTrue', yTrue);
    checkTensor(fn, 'yPred', yPred);
    checkRank(fn, 'yPred', yPred, [4], '[B, H, W, C]');
    checkShapeIs(fn, 'yTrue', yTrue, yPred.shape, "the shape of 'yPred' (one-hot targets)");
    const C = yPred.shape[3] as number;
    const labels = labelsFromOneHot(fn, valuesOf(yTrue), C);
    const opts = { ...options, ignore: C };
    return lossOp(yPred, (x) => coreSoftmax(x, labels, yPred.shape, opts)) as Scalar;
  };
}

/** Binary targets [B, H, W, 1] or [B, H, W] as labels, and the [B, H, W] shape. */
function binaryTargets(
  fn: string,
  yTrue: Tensor,
  yPred: Tensor,
): { labels: ArrayLike<number>; shape: number[] } {
  checkTensor(fn, 'yTrue', yTrue);
  checkTensor(fn, 'yPred', yPred);
  checkRank(fn, 'yPred', yPred, [3, 4], '[B, H, W] or [B, H, W, 1]');
  if (yPred.rank === 4 && yPred.shape[3] !== 1) {
    throw new RangeError(
      `${fn}: 'yPred' must have one channel, got shape ${formatShape(yPred.shape)}`,
    );
  }
  checkShapeIs(fn, 'yTrue', yTrue, yPred.shape, "the shape of 'yPred'");
  return { labels: valuesOf(yTrue), shape: yPred.shape.slice(0, 3) as number[] };
}

/**
 * Lovász hinge for model.compile: yTrue [B, H, W, 1] (or [B, H, W]) of 0, 1 (or `ignore`),
 * yPred logits of the same shape (a final layer without activation). Options: those of
 * lovaszHinge but reduction (always 'mean'); defaults perImage true, ignore null, variant
 * 'relu', symmetric false.
 *
 * The loss is that of the core lovaszHinge: with s = 2y - 1 and e = 1 - s * logit,
 * sum_i relu(e_pi(i)) * d_i, pi ordering the errors decreasingly and d the Lovász gradient of
 * the labels in that order (mean over images with perImage).
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: kerasLovaszHinge() });
 * ```
 */
export function kerasLovaszHinge(options: Omit<LovaszHingeOptions, 'reduction'> = {}): KerasLoss {
  const fn = 'kerasLovaszHinge';
  rejectOut(fn, options);
  return (yTrue, yPred) => {
    const { labels, shape } = binaryTargets(fn, yTrue, yPred);
    return lossOp(yPred, (x) => coreHinge(x, labels, shape, options)) as Scalar;
  };
}

/**
 * Lovász-Sigmoid for model.compile: yTrue [B, H, W, 1] (or [B, H, W]) of 0, 1 (or `ignore`),
 * yPred sigmoid probabilities of the same shape, or logits with `fromLogits: true` (as Keras'
 * binary cross-entropy). Options: those of lovaszSigmoid but reduction (always 'mean');
 * defaults fromLogits false, classes [1], perImage false, ignore null, classWeights null.
 *
 * The loss is the Lovász-Softmax of one channel: with p the foreground probability,
 * fg = (label == 1) and e = |fg - p|, sum_i e_pi(i) * d_i, pi ordering e decreasingly and d the
 * Lovász gradient of fg in that order.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: kerasLovaszSigmoid({ fromLogits: true }) });
 * ```
 */
export function kerasLovaszSigmoid(
  options: Omit<LovaszSigmoidOptions, 'reduction'> & { fromLogits?: boolean } = {},
): KerasLoss {
  const fn = 'kerasLovaszSigmoid';
  rejectOut(fn, options);
  const { fromLogits = false, ...rest } = options;
  return (yTrue, yPred) => {
    const { labels, shape } = binaryTargets(fn, yTrue, yPred);
    const compute = fromLogits
      ? (x: ArrayLike<number>) => coreSigmoid(x, labels, shape, rest)
      : (x: ArrayLike<number>) => coreSoftmax(x, labels, shape, { classes: [1], ...rest });
    return lossOp(yPred, compute) as Scalar;
  };
}
