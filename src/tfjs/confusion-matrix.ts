import type { Tensor } from '@tensorflow/tfjs-core';
import type { NumericArray } from '../core/check.js';
import { formatShape } from '../core/geometry.js';
import { ConfusionMatrix } from '../metrics/confusion-matrix.js';
import { pixelTensors } from './tensor-geometry.js';
import { checkTensor, valuesOf } from './tensor-input.js';

/**
 * The streaming {@link ConfusionMatrix} of the core, whose `update` also takes tensors: the
 * usual evaluation loop then needs no dataSync of its own. Every metric, option and rule is the
 * core's (see there); only the input differs.
 *
 * Shapes: preds `[B, ...spatial]` (e.g. tf.argMax(logits, -1), int32), labels of the same
 * shape or with a trailing 1; int32, float32 (integer-valued) and bool tensors are accepted. The values are read synchronously
 * and no tensor is created, so nothing needs disposing beyond the caller's own tensors.
 * Defaults: empty none (a class absent from labels and predictions is NaN), ignore null, perImage false.
 * @example
 * ```ts
 * const cm = new TensorConfusionMatrix(21, { ignore: 255, perImage: true });
 * for (const { images, labels } of batches) {
 *   const preds = tf.tidy(() => tf.argMax(model.predict(images) as tf.Tensor, -1));
 *   cm.update(preds, labels);
 *   preds.dispose();
 * }
 * cm.meanIoU(); cm.perImageMeanIoU();
 * ```
 */
export class TensorConfusionMatrix extends ConfusionMatrix {
  protected static override readonly displayName: string = 'TensorConfusionMatrix';

  /**
   * Adds a batch: two tensors of the same shape `[B, ...spatial]` (the shape is read from them, so
   * `shape` must be left out), or two arrays exactly as in the core `update`. With perImage
   * each of the B masks is one image. Validated in full before counting; returns `this`.
   *
   * @example
   * ```ts
   * const preds = tf.argMax(probas, -1); // [B, H, W], int32
   * cm.update(preds, labels);
   * preds.dispose();
   * ```
   */
  override update(
    preds: Tensor | NumericArray,
    labels: Tensor | NumericArray,
    shape?: readonly number[],
  ): this {
    const fn = 'TensorConfusionMatrix.update';
    if (!isTensor(preds) && !isTensor(labels)) return this.accumulate(fn, preds, labels, shape);
    checkTensor(fn, 'preds', preds);
    checkTensor(fn, 'labels', labels);
    if (shape !== undefined) {
      throw new TypeError(
        `${fn}: 'shape' must be left out with tensors (it is read from 'preds'), got ${Array.isArray(shape) ? formatShape(shape) : String(shape)}`,
      );
    }
    pixelTensors(fn, 'preds', preds, labels);
    return this.accumulate(fn, valuesOf(preds), valuesOf(labels), preds.shape);
  }

  /**
   * {@link TensorConfusionMatrix.update} for tensors, reading them with `await tensor.data()`
   * instead of dataSync, so that on webgl/webgpu the page keeps running while the GPU
   * finishes. Same checks and counts; the matrix changes only once both reads are done. The
   * tensors must stay undisposed until the promise settles. Resolves to `this`.
   *
   * Shapes: preds `[B, ...spatial]`, labels of the same shape or with a trailing 1.
   * @example
   * ```ts
   * const preds = tf.tidy(() => tf.argMax(model.predict(images) as tf.Tensor, -1));
   * await cm.updateAsync(preds, labels);
   * preds.dispose();
   * ```
   */
  async updateAsync(preds: Tensor, labels: Tensor): Promise<this> {
    const fn = 'TensorConfusionMatrix.updateAsync';
    checkTensor(fn, 'preds', preds);
    checkTensor(fn, 'labels', labels);
    pixelTensors(fn, 'preds', preds, labels);
    const shape = preds.shape;
    const [p, y] = await Promise.all([preds.data(), labels.data()]);
    return this.accumulate(fn, p as NumericArray, y as NumericArray, shape);
  }
}

/** Tells a tensor from an array; the full check (disposed, wrong type) is checkTensor's. */
function isTensor(value: unknown): value is Tensor {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value)
  );
}
