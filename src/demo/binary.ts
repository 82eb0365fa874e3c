import * as tf from '@tensorflow/tfjs-core';
import { binaryXloss, iouBinary, lovaszHinge, lovaszSoftmax } from '../tfjs/index.js';
import { bestBias } from './best-bias.js';
import { biasModel } from './bias-model.js';
import { type BinaryData, type BinaryDataOptions, binaryData } from './binary-data.js';
import type { RunProgress } from './progress.js';
import {
  BINARY_RUNS,
  type BinaryMetrics,
  type BinaryResults,
  type BinaryRun,
  type BinaryRunName,
} from './results.js';
import { sigmoid } from './sigmoid.js';
import { train } from './train.js';
import { VOID } from './void.js';

/** Options of {@link runBinaryDemo}. */
export interface BinaryDemoOptions {
  seed: number;
  /** Adam steps per run; default 500. */
  steps?: number;
  /** Size of the data; defaults: 10 images of 200 x 200. */
  data?: BinaryDataOptions;
  /** A step callback per run (e.g. a progress bar), asked for when the run starts. */
  onRun?: (run: BinaryRunName, steps: number) => RunProgress;
  signal?: AbortSignal;
}

/** What {@link runBinaryDemo} returns: results.json's part and the masks to draw. */
export interface BinaryDemo {
  results: BinaryResults;
  data: BinaryData;
  /** Final predictions (0 or 1) of each run, [B, H, W]. */
  predictions: Record<BinaryRunName, Uint8Array>;
}

/** The training loss of each run, from logits [B, H, W] and labels. */
const LOSSES: Record<BinaryRunName, (logits: tf.Tensor, labels: tf.Tensor) => tf.Scalar> = {
  hinge: (z, y) => lovaszHinge(z, y, { ignore: VOID, perImage: true }),
  sigmoid: (z, y) => lovaszSoftmax(sigmoid(z), y, { classes: [1], ignore: VOID }),
  bce: (z, y) => binaryXloss(z, y, { ignore: VOID }),
};

/**
 * The binary demo of the original notebooks: logits = features + b with one scalar b (from
 * 0), trained with Adam (learning rate 0.05) by each loss in turn, restarting from b = 0:
 * `hinge` Lovász hinge (per image), `sigmoid` Lovász-Sigmoid (Lovász-Softmax of sigmoid(logits)
 * on class 1, over the batch), `bce` binary cross-entropy; void pixels (255) are ignored.
 * Predictions are logits > 0. Defaults: 500 steps, 10 images of 200 x 200.
 * @example
 *   const { results } = await runBinaryDemo({ seed: 0 });
 *   results.runs.hinge.final.imageIoU // about 13 (percent)
 */
export async function runBinaryDemo(options: BinaryDemoOptions): Promise<BinaryDemo> {
  const steps = options.steps ?? 500;
  const data = binaryData(options.seed, options.data);
  const model = biasModel(data.features, data.shape);
  const features = tf.tensor3d(data.features, data.shape, 'float32');
  const labels = tf.tensor3d(data.labels, data.shape, 'int32');
  const metrics = (logits: tf.Tensor): BinaryMetrics =>
    tf.tidy(() => {
      const preds = positive(logits);
      return {
        imageIoU: iouBinary(preds, labels, { ignore: VOID, perImage: true }),
        batchIoU: iouBinary(preds, labels, { ignore: VOID, perImage: false }),
      };
    });
  try {
    const initial = metrics(features);
    const runs = {} as Record<BinaryRunName, BinaryRun>;
    const predictions = {} as Record<BinaryRunName, Uint8Array>;
    for (const name of BINARY_RUNS) {
      const start = performance.now();
      // Variables outlive tidy; the initial scalar does not.
      const b = tf.tidy(() => tf.variable(tf.scalar(0), true, `binary-${name}-b`));
      const progress = options.onRun?.(name, steps);
      let finalIou: number | undefined;
      try {
        const curves = await train({
          steps,
          learningRate: 0.05,
          variables: [b],
          forward: () => model(b),
          loss: (logits) => LOSSES[name](logits, labels),
          evaluate: (logits) => iouBinary(positive(logits), labels, { ignore: VOID }),
          onStep: progress?.onStep,
          signal: options.signal,
        });
        const logits = model(b);
        const preds = positive(logits);
        predictions[name] = Uint8Array.from(preds.dataSync());
        runs[name] = {
          final: { ...metrics(logits), b: b.dataSync()[0] },
          ...curves,
          seconds: (performance.now() - start) / 1000,
        };
        finalIou = runs[name].final.imageIoU;
        tf.dispose([logits, preds]);
      } finally {
        progress?.done(finalIou);
        b.dispose();
      }
    }
    const best = bestBias(data.features, data.labels, data.shape, VOID);
    return { results: { initial, runs, best, shape: [...data.shape], steps }, data, predictions };
  } finally {
    tf.dispose([features, labels]);
  }
}

/** logits > 0 as an int32 tensor of 0 and 1 (a plain loop: tf.greater is slow on cpu). */
function positive(logits: tf.Tensor): tf.Tensor {
  const v = logits.dataSync();
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? 1 : 0;
  return tf.tensor(out, logits.shape, 'int32');
}
