import * as tf from '@tensorflow/tfjs-core';
import { Callback, type LayersModel, registerCallbackConstructor } from '@tensorflow/tfjs-layers';
import { formatShape } from '../core/geometry.js';
import {
  booleanOption,
  ignoreOption,
  positiveIntOption,
  stringOption,
} from '../core/options/common-options.js';
import { type OptionTable, resolveOptions } from '../core/options/option-spec.js';
import { ConfusionMatrix } from '../metrics/confusion-matrix.js';
import { checkTensor } from '../tfjs/tensor-input.js';
import { argmaxRows, labelsFromOneHot } from './one-hot.js';

/**
 * The validation set of {@link iouCallback}: `x` the model's input [N, ...], `y` its labels,
 * either integer labels [N, ...spatial] (or [N, ...spatial, 1]) or one-hot targets
 * [N, ...spatial, C] (an all-zero row is a void pixel), where the model's output is
 * [N, ...spatial, C].
 *
 * @example
 * ```ts
 * const validation: IouValidation = { x: xVal, y: labelsVal };
 * ```
 */
export interface IouValidation {
  /** Model input [N, ...]; predicted `batchSize` images at a time. */
  x: tf.Tensor;
  /** Integer labels [N, ...spatial] or [N, ...spatial, 1], or one-hot [N, ...spatial, C]. */
  y: tf.Tensor;
}

/**
 * Options of {@link iouCallback}.
 *
 * @example
 * ```ts
 * iouCallback({ x, y }, { numClasses: 21, ignore: 255, perImage: true, batchSize: 8 });
 * ```
 */
export interface IouCallbackOptions {
  /** C, the number of classes; the model's output has C channels last. Required. */
  numClasses: number;
  /**
   * Label value of void pixels in integer labels; null: none.
   * @default null
   */
  ignore?: number | null;
  /**
   * Images predicted at a time.
   * @default 32
   */
  batchSize?: number;
  /**
   * Prefix of the keys written into the epoch logs.
   * @default 'val_'
   */
  prefix?: string;
  /**
   * Also write the mean of per-image mIoUs as `<prefix>perImageMIoU`.
   * @default false
   */
  perImage?: boolean;
  /**
   * Evaluate every `every` epochs (epochs e with (e + 1) % every === 0).
   * @default 1
   */
  every?: number;
}

/** The options of {@link iouCallback}. */
export const IOU_CALLBACK_OPTIONS = {
  numClasses: positiveIntOption('numClasses', 1, true),
  ignore: ignoreOption(null),
  batchSize: positiveIntOption('batchSize', 32),
  prefix: stringOption('prefix', 'val_'),
  perImage: booleanOption('perImage', false),
  every: positiveIntOption('every', 1),
} as const satisfies OptionTable;

/**
 * The metrics of one evaluation, in percent: what {@link IouCallback.evaluate} returns and
 * {@link IouCallback.last} keeps.
 *
 * @example
 * ```ts
 * import { iouCallback } from 'lovasz/layers';
 *
 * const callback = iouCallback({ x: xVal, y: labelsVal }, { numClasses: 21 });
 * const { mIoU, iou } = await callback.evaluate(model);
 * ```
 */
export interface IouResult {
  /** Dataset IoU of each class c in [0, C) other than `ignore`, in order. */
  iou: number[];
  /** Dataset mIoU (ConfusionMatrix.meanIoU). */
  mIoU: number;
  /** Pixel accuracy (ConfusionMatrix.pixelAccuracy). */
  pixelAccuracy: number;
  /** Mean of per-image mIoUs (ConfusionMatrix.perImageMeanIoU), with perImage only. */
  perImageMIoU?: number;
}

/**
 * The iouCallbacks of each model in training. Filled by IouCallback.onTrainBegin and read by
 * the dispatcher below, which tfjs-layers runs before any callback passed to fit.
 */
const attached = new WeakMap<object, Set<IouCallback>>();

/**
 * Writes the IoU metrics before any user callback's onEpochEnd. tfjs-layers calls callbacks
 * in the order of fit's array, and tf.callbacks.earlyStopping reads the logs in its own
 * onEpochEnd: placed before an iouCallback it would find no `val_mIoU`. Callbacks built from
 * constructors registered with registerCallbackConstructor run before those passed to fit, so
 * this one, registered once when the first iouCallback is made, evaluates every iouCallback of
 * the model first; the callbacks' own onEpochEnd then finds the epoch done.
 */
class IouDispatcher extends Callback {
  override async onEpochEnd(
    epoch: number,
    logs?: Record<string, number | tf.Scalar>,
  ): Promise<void> {
    const callbacks = attached.get(this.model);
    if (!callbacks || !logs) return;
    for (const callback of callbacks) await callback.writeLogs(epoch, logs);
  }
}

let dispatcherRegistered = false;

/**
 * A tfjs-layers Callback that measures the exact validation IoU at the end of epochs and
 * writes it into fit's epoch logs (made by {@link iouCallback}; see there).
 *
 * @example
 * ```ts
 * const callback = new IouCallback({ x: xVal, y: yVal }, { numClasses: 5 });
 * await model.fit(x, y, { epochs: 10, callbacks: [callback] });
 * callback.last?.iou; // per-class IoU after the last evaluation
 * ```
 */
export class IouCallback extends Callback {
  /** The metrics of the last evaluation during fit, or null before the first. */
  last: IouResult | null = null;

  private readonly x: tf.Tensor;
  private readonly y: tf.Tensor;
  private readonly numClasses: number;
  private readonly ignore: number | null;
  private readonly batchSize: number;
  private readonly prefix: string;
  private readonly perImage: boolean;
  private readonly every: number;
  /** Labels [N * P] (void = C for one-hot), read and checked once, at the first evaluation. */
  private labels: Int32Array | null = null;
  private labelsShape: number[] | null = null;
  /** The void label of `labels`: C for one-hot targets, else `ignore`. */
  private labelIgnore: number | null = null;
  private doneEpoch = -1;
  private training: object | null = null;

  /**
   * @param validation `{ x, y }`, see {@link IouValidation}; its tensors stay the caller's.
   * @param options see {@link IouCallbackOptions}.
   * @throws TypeError / RangeError naming the argument on bad tensors, shapes or options.
   */
  constructor(validation: IouValidation, options: IouCallbackOptions) {
    super();
    const fn = 'iouCallback';
    if (validation === null || typeof validation !== 'object') {
      throw new TypeError(
        `${fn}: 'validation' must be an object { x, y } of tensors, got ${String(validation)}`,
      );
    }
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `${fn}: 'options' must be an object with numClasses, got ${String(options)}`,
      );
    }
    const opts = resolveOptions(fn, IOU_CALLBACK_OPTIONS, options);
    this.numClasses = opts.numClasses;
    this.ignore = opts.ignore;
    this.batchSize = opts.batchSize;
    this.every = opts.every;
    this.perImage = opts.perImage;
    this.prefix = opts.prefix;
    const { x, y } = validation;
    checkTensor(fn, 'validation.x', x);
    checkTensor(fn, 'validation.y', y);
    if (x.rank < 2 || x.shape[0] === 0) {
      throw new RangeError(
        `${fn}: 'validation.x' must be a batch [N, ...] of N >= 1 inputs, got shape ${formatShape(x.shape)}`,
      );
    }
    if (y.rank < 2 || y.shape[0] !== x.shape[0]) {
      throw new RangeError(
        `${fn}: 'validation.y' must hold the labels of the ${x.shape[0]} inputs of 'validation.x' ([${x.shape[0]}, ...spatial] or one-hot [${x.shape[0]}, ...spatial, ${this.numClasses}]), got shape ${formatShape(y.shape)}`,
      );
    }
    this.x = x;
    this.y = y;
    if (!dispatcherRegistered) {
      registerCallbackConstructor(0, IouDispatcher);
      dispatcherRegistered = true;
    }
  }

  /**
   * Predicts the validation set with `model`, `batchSize` inputs at a time, and returns its
   * IoU metrics from a ConfusionMatrix of argmax predictions against the labels (exact integer
   * counts). Creates no tensor that outlives it. Called by fit at the end of epochs; callable
   * on its own (after fit, or in a custom loop).
   *
   * @throws RangeError when the model's output does not fit the labels (shape, channels) or
   *   the labels do not fit the classes.
   * @example
   * ```ts
   * const callback = new IouCallback({ x: xVal, y: labelsVal }, { numClasses: 21 });
   * const { mIoU } = await callback.evaluate(model);
   * ```
   */
  async evaluate(model: LayersModel): Promise<IouResult> {
    const fn = 'iouCallback';
    const C = this.numClasses;
    const N = this.x.shape[0];
    let cm: ConfusionMatrix | null = null;
    for (let start = 0; start < N; start += this.batchSize) {
      const n = Math.min(this.batchSize, N - start);
      const out = tf.tidy(() => {
        const begin = this.x.shape.map((_, k) => (k === 0 ? start : 0));
        const size = this.x.shape.map((d, k) => (k === 0 ? n : d));
        const prediction = model.predict(tf.slice(this.x, begin, size));
        if (Array.isArray(prediction)) {
          throw new RangeError(`${fn}: the model must have one output, got ${prediction.length}`);
        }
        return prediction;
      });
      let values: ArrayLike<number>;
      let shape: number[];
      try {
        shape = out.shape;
        values = await out.data();
      } finally {
        out.dispose();
      }
      const labels = await this.labelsFor(shape, N);
      // One-hot labels mark void pixels with C; integer labels with `ignore`.
      cm ??= new ConfusionMatrix(C, { ignore: this.labelIgnore, perImage: this.perImage });
      const P = labels.length / N;
      const preds = argmaxRows(fn, 'model output', values, C);
      cm.update(preds, labels.subarray(start * P, (start + n) * P), [n, P, 1]);
    }
    if (!cm) throw new Error(`${fn}: no validation input was predicted`);
    const result: IouResult = {
      iou: cm.iou(),
      mIoU: cm.meanIoU(),
      pixelAccuracy: cm.pixelAccuracy(),
    };
    if (this.perImage) result.perImageMIoU = cm.perImageMeanIoU();
    return result;
  }

  /** Registers with the dispatcher for this fit. */
  override async onTrainBegin(): Promise<void> {
    this.doneEpoch = -1;
    this.training = this.model;
    const set = attached.get(this.model) ?? new Set<IouCallback>();
    attached.set(this.model, set);
    set.add(this);
  }

  /** Unregisters from the dispatcher at the end of this fit. */
  override async onTrainEnd(): Promise<void> {
    if (this.training) attached.get(this.training)?.delete(this);
    this.training = null;
  }

  /** Evaluates (unless the dispatcher did already) and writes the keys into `logs`. */
  override async onEpochEnd(
    epoch: number,
    logs?: Record<string, number | tf.Scalar>,
  ): Promise<void> {
    if (logs) await this.writeLogs(epoch, logs);
  }

  /** @internal Evaluates once per epoch (every `every` epochs) and writes into `logs`. */
  async writeLogs(epoch: number, logs: Record<string, number | tf.Scalar>): Promise<void> {
    if ((epoch + 1) % this.every !== 0) return;
    if (this.doneEpoch !== epoch) {
      this.last = await this.evaluate(this.model);
      this.doneEpoch = epoch;
    }
    const last = this.last as IouResult;
    logs[`${this.prefix}mIoU`] = last.mIoU;
    logs[`${this.prefix}pixelAccuracy`] = last.pixelAccuracy;
    if (last.perImageMIoU !== undefined) logs[`${this.prefix}perImageMIoU`] = last.perImageMIoU;
  }

  /**
   * The labels [N * P], read and checked against the first output shape [n, ...spatial, C]:
   * y is one-hot when its shape is [N, ...spatial, C], integer labels when it is
   * [N, ...spatial] or [N, ...spatial, 1]; anything else does not fit.
   */
  private async labelsFor(outShape: readonly number[], N: number): Promise<Int32Array> {
    const fn = 'iouCallback';
    const C = this.numClasses;
    const spatial = outShape.slice(1, -1);
    if (outShape.length < 2 || outShape[outShape.length - 1] !== C) {
      throw new RangeError(
        `${fn}: the model's output must be [B, ...spatial, ${C}] (numClasses ${C} channels last), got ${formatShape(outShape)}`,
      );
    }
    const expected = [N, ...spatial];
    if (this.labels && this.labelsShape && sameShape(this.labelsShape, expected))
      return this.labels;
    const yShape = this.y.shape.slice(1);
    const is = (s: readonly number[]) => sameShape(yShape, s);
    let labels: Int32Array;
    if (is([...spatial, C]) && C !== 1) {
      labels = labelsFromOneHot(fn, 'validation.y', await this.y.data(), C);
      this.labelIgnore = C;
    } else if (is(spatial) || is([...spatial, 1])) {
      const values = await this.y.data();
      labels = new Int32Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!(Number.isInteger(v) && ((v >= 0 && v < C) || v === this.ignore))) {
          throw new RangeError(
            `${fn}: 'validation.y' labels must be integers in [0, ${C})${this.ignore === null ? '' : ` or ${this.ignore}`}, got ${v} at index ${i}; numClasses is ${C}`,
          );
        }
        labels[i] = v;
      }
      this.labelIgnore = this.ignore;
    } else {
      throw new RangeError(
        `${fn}: 'validation.y' ${formatShape(this.y.shape)} does not fit the model's output ${formatShape([N, ...spatial, C])}: expected labels ${formatShape(expected)} or one-hot ${formatShape([N, ...spatial, C])}`,
      );
    }
    this.labels = labels;
    this.labelsShape = expected;
    return labels;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A tfjs-layers Callback for model.fit that measures the exact IoU of a validation set at the
 * end of each epoch and writes it into the epoch logs, so it lands in `history.history`, the
 * progress display and tf.callbacks.earlyStopping({ monitor: 'val_mIoU', mode: 'max' }), in
 * any order in fit's callbacks array.
 *
 * Keys written (in percent): `<prefix>mIoU` (dataset mIoU), `<prefix>pixelAccuracy`, and with
 * perImage `<prefix>perImageMIoU` (mean of per-image mIoUs, ConfusionMatrix.perImageMeanIoU).
 * The model predicts `batchSize` inputs at a time (so a large set needs no more memory than a
 * batch), the argmax of each output pixel (first on ties) goes into a ConfusionMatrix against
 * the labels, and only that batch's tensors live at a time; all are disposed. Integer labels
 * are checked against numClasses and ignore at the first evaluation (an error ends fit).
 *
 * Order: making an iouCallback registers (once per process) a small callback constructor with
 * tfjs-layers' registerCallbackConstructor; tfjs-layers runs such callbacks before those
 * passed to fit, and this one evaluates the model's iouCallbacks first, so that earlyStopping
 * sees the value even when it comes first in the array. For models without an iouCallback it
 * does nothing.
 *
 * Shapes: x [N, ...] (the model's input), output [N, ...spatial, C], y [N, ...spatial],
 * [N, ...spatial, 1] or one-hot [N, ...spatial, C]. Defaults: ignore null, batchSize 32,
 * prefix 'val_', perImage false, every 1 (epochs between evaluations; the history of each key
 * then has one value per evaluated epoch).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { iouCallback, kerasLovaszSoftmax, kerasMeanIoU } from 'lovasz/layers';
 *
 * model.compile({ optimizer: 'adam', loss: kerasLovaszSoftmax(), metrics: [kerasMeanIoU(5)] });
 * const history = await model.fit(x, yOneHot, {
 *   epochs: 50,
 *   callbacks: [
 *     tf.callbacks.earlyStopping({ monitor: 'val_mIoU', mode: 'max', patience: 5 }),
 *     iouCallback({ x: xVal, y: labelsVal }, { numClasses: 5 }),
 *   ],
 * });
 * history.history.val_mIoU; // one exact dataset mIoU per epoch
 * ```
 */
export function iouCallback(validation: IouValidation, options: IouCallbackOptions): IouCallback {
  return new IouCallback(validation, options);
}
