import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { formatShape, type Geometry, pixelGeometry } from '../core/geometry.js';
import { hingeResolved } from '../core/hinge.js';
import { booleanOption } from '../core/options/common-options.js';
import { HINGE_OPTIONS, type LovaszHingeOptions } from '../core/options/hinge-options.js';
import {
  checkOptionKeys,
  type OptionTable,
  omitOptions,
  resolveOptions,
} from '../core/options/option-spec.js';
import {
  type LovaszSigmoidOptions,
  type LovaszSoftmaxOptions,
  SIGMOID_OPTIONS,
  SOFTMAX_OPTIONS,
} from '../core/options/softmax-options.js';
import { checkOptionsFit, softmaxResolved } from '../core/softmax.js';
import { lossOp } from './loss-op.js';
import { choosePath, kernelNeedsCore, type PathOption, pathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { checkTensor } from './tensor-input.js';
import { lovaszHingeOnDevice } from './tensor-path/hinge.js';
import { lovaszSoftmaxOnDevice } from './tensor-path/softmax.js';

/**
 * A loss as tfjs-layers' model.compile takes it: targets and predictions of the model's
 * output shape in, a differentiable tf.Scalar out. Returned by the `keras*` factories.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { type KerasLoss, kerasLovaszSoftmax } from 'lovasz/tfjs';
 *
 * const loss: KerasLoss = kerasLovaszSoftmax({ perImage: true });
 * model.compile({ optimizer: tf.train.adam(1e-3), loss });
 * ```
 */
export type KerasLoss = (yTrue: Tensor, yPred: Tensor) => Scalar;

/**
 * Options a Keras loss cannot take, with the reason its error gives: tfjs-layers hands the
 * loss targets of the output's shape, channels last, and averages the loss itself.
 */
const REFUSED: Readonly<Record<string, string>> = {
  ignore:
    'an all-zero target row marks a void pixel (tf.oneHot(labels, C) makes one for every label outside [0, C), such as 255)',
  layout: 'tfjs-layers outputs are channels last',
  reduction: "model.fit needs one scalar per batch: the loss is always 'mean'",
  out: 'the loss returns a new tensor',
};

/**
 * Resolves a Keras factory's options when the factory is called: a refused option gets the
 * factory's name and the reason, an unknown one the list of what it accepts.
 */
function kerasOptions<T extends OptionTable>(fn: string, table: T, raw: unknown) {
  rejectOut(fn, raw);
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const key of Object.keys(raw)) {
      if (key in table || !(key in REFUSED)) continue;
      throw new TypeError(`${fn}: option '${key}' is not accepted: ${REFUSED[key]}`);
    }
  }
  checkOptionKeys(fn, raw, Object.keys(table));
  return resolveOptions(fn, table, raw);
}

/** The option tables of the Keras losses: their loss's, without the refused ones. */
const KERAS_SOFTMAX_OPTIONS = {
  ...omitOptions(SOFTMAX_OPTIONS, ['ignore', 'layout', 'reduction', 'out']),
  path: pathOption,
} as const;
const KERAS_HINGE_OPTIONS = {
  ...omitOptions(HINGE_OPTIONS, ['reduction', 'out']),
  path: pathOption,
};
const KERAS_SIGMOID_OPTIONS = {
  ...omitOptions(SIGMOID_OPTIONS, ['reduction', 'out']),
  fromLogits: booleanOption('fromLogits', false),
  path: pathOption,
} as const;

/**
 * Labels from one-hot targets on the device: the argmax of each row, or C (void) for an
 * all-zero row. The rows are not checked for being one-hot (that would need a read back).
 */
function labelsOnDevice(yTrue: Tensor, C: number): Tensor {
  return tf.tidy(() => {
    const empty = tf.equal(tf.sum(yTrue, -1), tf.scalar(0, yTrue.dtype));
    return tf.where(empty, tf.fill(empty.shape, C, 'int32'), tf.argMax(yTrue, -1));
  });
}

/**
 * Labels from one-hot targets `[B, ...spatial, C]`: the index of the 1 of each row, or `void`
 * (= C) for an all-zero row, the Keras way of marking a pixel to ignore.
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

/** yPred `[B, ...spatial, C]` and one-hot yTrue of its shape (integer labels get the fix). */
function oneHotTargets(fn: string, yTrue: Tensor, yPred: Tensor): Geometry {
  checkTensor(fn, 'yTrue', yTrue);
  checkTensor(fn, 'yPred', yPred);
  if (yPred.rank < 3) {
    throw new RangeError(
      `${fn}: 'yPred' must be [B, ...spatial, C] (rank >= 3), got ${formatShape(yPred.shape)}`,
    );
  }
  const same = yTrue.rank === yPred.rank && yTrue.shape.every((d, i) => d === yPred.shape[i]);
  if (!same) {
    const C = yPred.shape[yPred.rank - 1];
    const labelsShaped =
      yTrue.rank === yPred.rank - 1 && yTrue.shape.every((d, i) => d === yPred.shape[i]);
    const hint = labelsShaped
      ? `: these look like integer labels; pass tf.oneHot(labels, ${C}) (a label outside [0, ${C}), such as 255, becomes an all-zero row, which marks a void pixel)`
      : '';
    throw new RangeError(
      `${fn}: 'yTrue' must have shape ${formatShape(yPred.shape)} (the shape of 'yPred': one-hot targets), got ${formatShape(yTrue.shape)}${hint}`,
    );
  }
  const C = yPred.shape[yPred.rank - 1] as number;
  const dims = yPred.shape.slice(0, -1) as number[];
  return { ...pixelGeometry(fn, 'yPred', dims), channels: C };
}

/**
 * Lovász-Softmax for tfjs-layers' model.compile: yTrue one-hot `[B, ...spatial, C]` (an
 * all-zero row marks a pixel to ignore, since Keras wants targets of the output's shape; from
 * integer labels, `tf.oneHot(labels, C)` makes such rows of every label outside [0, C), such
 * as 255), yPred `[B, ...spatial, C]` softmax probabilities (or logits with fromLogits).
 * Options: those of lovaszSoftmax but ignore, layout (channels last, as tfjs-layers) and
 * reduction (always 'mean'), and `path` (default 'auto'); they are checked when the factory is
 * called. On webgl and webgpu 'auto' takes the tensor path: the labels come from the one-hot
 * targets on the device (argmax; an all-zero row is void) and nothing is read back per step
 * (the rows are then not checked for being one-hot, which would need a read).
 *
 * The loss is that of the core lovaszSoftmax: for each class c considered, fg = (label == c),
 * e = |fg - p_c|, L_c = sum_i e_pi(i) * d_i (pi orders e decreasingly, d the Lovász gradient
 * of fg in that order), averaged over the classes considered. Labels are the argmax of the
 * one-hot rows, read synchronously; the gradient is analytic, so the model needs no
 * registered gradient for the loss.
 * @example
 * ```ts
 * import { kerasLovaszSoftmax } from 'lovasz/tfjs';
 *
 * model.compile({ optimizer: 'adam', loss: kerasLovaszSoftmax() });
 * ```
 */
export function kerasLovaszSoftmax(
  options: Omit<LovaszSoftmaxOptions, 'ignore' | 'layout' | 'reduction'> & PathOption = {},
): KerasLoss {
  const fn = 'kerasLovaszSoftmax';
  const { path, kernel, ...opts } = kerasOptions(fn, KERAS_SOFTMAX_OPTIONS, options);
  return (yTrue, yPred) => {
    const geo = oneHotTargets(fn, yTrue, yPred);
    const C = geo.channels;
    const resolved = { ...opts, ignore: C, layout: 'NHWC', reduction: 'mean' } as const;
    checkOptionsFit(fn, geo, resolved);
    if (choosePath(fn, path, kernelNeedsCore(kernel)) === 'tensor' && yPred.size > 0) {
      const labels = labelsOnDevice(yTrue, C);
      try {
        return lovaszSoftmaxOnDevice(yPred, labels, { ...resolved, geo }) as Scalar;
      } finally {
        // The op saved what its backward pass needs; the labels themselves are not among it.
        labels.dispose();
      }
    }
    const core = { ...resolved, kernel, out: null };
    return lossOp(yPred, yTrue, (x, t, out) =>
      softmaxResolved(fn, 'yPred', x, labelsFromOneHot(fn, t, C), geo, { ...core, out }),
    ) as Scalar;
  };
}

/** Binary targets `[B, ...spatial, 1]` or `[B, ...spatial]` of yPred's shape: the geometry. */
function binaryTargets(fn: string, yTrue: Tensor, yPred: Tensor): Geometry {
  checkTensor(fn, 'yTrue', yTrue);
  checkTensor(fn, 'yPred', yPred);
  const same = yTrue.rank === yPred.rank && yTrue.shape.every((d, i) => d === yPred.shape[i]);
  if (!same) {
    throw new RangeError(
      `${fn}: 'yTrue' must have shape ${formatShape(yPred.shape)} (the shape of 'yPred'), got ${formatShape(yTrue.shape)}`,
    );
  }
  // One channel last ([B, ...spatial, 1]) or none ([B, ...spatial]): one value per pixel.
  return pixelGeometry(fn, 'yPred', yPred.shape);
}

/**
 * Lovász hinge for model.compile: yTrue `[B, ...spatial, 1]` (or `[B, ...spatial]`) of 0, 1
 * (or `ignore`), yPred logits of the same shape (a final layer without activation). Options:
 * those of lovaszHinge but reduction (always 'mean'), and `path` (default 'auto': the tensor
 * path on webgl and webgpu, nothing read back), checked when the factory is called.
 *
 * The loss is that of the core lovaszHinge: with s = 2y - 1 and e = 1 - s * logit,
 * sum_i relu(e_pi(i)) * d_i, pi ordering the errors decreasingly and d the Lovász gradient of
 * the labels in that order (mean over images with perImage).
 * @example
 * ```ts
 * import { kerasLovaszHinge } from 'lovasz/tfjs';
 *
 * model.compile({ optimizer: 'adam', loss: kerasLovaszHinge() });
 * ```
 */
export function kerasLovaszHinge(
  options: Omit<LovaszHingeOptions, 'reduction'> & PathOption = {},
): KerasLoss {
  const fn = 'kerasLovaszHinge';
  const { path, kernel, ...opts } = kerasOptions(fn, KERAS_HINGE_OPTIONS, options);
  const resolved = { ...opts, reduction: 'mean' } as const;
  return (yTrue, yPred) => {
    const geo = binaryTargets(fn, yTrue, yPred);
    if (choosePath(fn, path, kernelNeedsCore(kernel)) === 'tensor' && yPred.size > 0) {
      return lovaszHingeOnDevice(yPred, yTrue, { ...resolved, geo }) as Scalar;
    }
    const core = { ...resolved, kernel, out: null };
    return lossOp(yPred, yTrue, (x, y, out) =>
      hingeResolved(fn, x, y, geo, { ...core, out }),
    ) as Scalar;
  };
}

/**
 * Lovász-Sigmoid for model.compile: yTrue `[B, ...spatial, 1]` (or `[B, ...spatial]`) of 0, 1
 * (or `ignore`), yPred sigmoid probabilities of the same shape, or logits with
 * `fromLogits: true` (as Keras' binary cross-entropy). Options: those of lovaszSigmoid but
 * reduction (always 'mean'), plus fromLogits (default false) and `path` (default 'auto': the
 * tensor path on webgl and webgpu, nothing read back); checked when the factory is called.
 *
 * The loss is the Lovász-Softmax of one channel: with p the foreground probability,
 * fg = (label == 1) and e = |fg - p|, sum_i e_pi(i) * d_i, pi ordering e decreasingly and d the
 * Lovász gradient of fg in that order.
 * @example
 * ```ts
 * import { kerasLovaszSigmoid } from 'lovasz/tfjs';
 *
 * model.compile({ optimizer: 'adam', loss: kerasLovaszSigmoid({ fromLogits: true }) });
 * ```
 */
export function kerasLovaszSigmoid(
  options: Omit<LovaszSigmoidOptions, 'reduction'> & { fromLogits?: boolean } & PathOption = {},
): KerasLoss {
  const fn = 'kerasLovaszSigmoid';
  const { path, kernel, ...opts } = kerasOptions(fn, KERAS_SIGMOID_OPTIONS, options);
  const resolved = { ...opts, layout: 'NHWC', reduction: 'mean' } as const;
  return (yTrue, yPred) => {
    const geo = binaryTargets(fn, yTrue, yPred);
    checkOptionsFit(fn, geo, resolved);
    if (choosePath(fn, path, kernelNeedsCore(kernel)) === 'tensor' && yPred.size > 0) {
      return lovaszSoftmaxOnDevice(yPred, yTrue, { ...resolved, geo }) as Scalar;
    }
    const core = { ...resolved, kernel, out: null };
    return lossOp(yPred, yTrue, (x, y, out) =>
      softmaxResolved(fn, 'yPred', x, y, geo, { ...core, out }),
    ) as Scalar;
  };
}
