import * as tf from '@tensorflow/tfjs-core';
import { iou, lovaszSoftmax, xloss } from '../tfjs/index.js';
import {
  type MulticlassData,
  type MulticlassDataOptions,
  multiclassData,
} from './multiclass-data.js';
import type { RunProgress } from './progress.js';
import { Random } from './random.js';
import { residualConv3x3 } from './residual-conv.js';
import {
  MULTICLASS_RUNS,
  type MulticlassMetrics,
  type MulticlassResults,
  type MulticlassRun,
  type MulticlassRunName,
} from './results.js';
import { softmax } from './softmax.js';
import { train } from './train.js';
import { VOID } from './void.js';

/** Options of {@link runMulticlassDemo}. */
export interface MulticlassDemoOptions {
  seed: number;
  /** Adam steps per run; default 1000. */
  steps?: number;
  /** Size of the data; defaults: 5 images of 200 x 200. */
  data?: MulticlassDataOptions;
  /** A step callback per run (e.g. a progress bar), asked for when the run starts. */
  onRun?: (run: MulticlassRunName, steps: number) => RunProgress;
  signal?: AbortSignal;
}

/** What {@link runMulticlassDemo} returns: results.json's part and the masks to draw. */
export interface MulticlassDemo {
  results: MulticlassResults;
  data: MulticlassData;
  /** Final predictions (argmax class) of each run, [B, H, W]. */
  predictions: Record<MulticlassRunName, Uint8Array>;
}

/** The training loss of each run, from outputs [B, H, W, C] and labels [B, H, W]. */
const LOSSES: Record<MulticlassRunName, (outputs: tf.Tensor, labels: tf.Tensor) => tf.Scalar> = {
  lovasz: (z, y) => lovaszSoftmax(softmax(z), y, { ignore: VOID }),
  xent: (z, y) => xloss(z, y, { ignore: VOID }),
};

/**
 * The multiclass demo of the original notebooks: outputs = x + conv3x3(x) (C -> C, same
 * padding, with bias) on one-hot-plus-noise features, trained with Adam (learning rate 0.005)
 * from the same initial weights by `lovasz` (Lovász-Softmax of softmax(outputs)) and `xent`
 * (softmax cross-entropy); void pixels (255) are ignored. Initial weights as PyTorch's
 * Conv2d default: filter and bias uniform in +-1/sqrt(9 C). Predictions are the argmax class;
 * IoUs are per class over the batch. Defaults: 1000 steps, 5 images of 200 x 200, C = 3.
 * @example
 *   const { results } = await runMulticlassDemo({ seed: 0 });
 *   results.runs.lovasz.final.mIoU // e.g. 55 (percent)
 */
export async function runMulticlassDemo(options: MulticlassDemoOptions): Promise<MulticlassDemo> {
  const steps = options.steps ?? 1000;
  const data = multiclassData(options.seed, options.data);
  const C = data.classes;
  const [B, H, W] = data.shape;
  const model = residualConv3x3(data.features, [B, H, W, C]);
  const labels = tf.tensor3d(data.labels, data.shape, 'int32');
  const metrics = (outputs: tf.Tensor): MulticlassMetrics =>
    tf.tidy(() => {
      const perClass = iou(argmax(outputs), labels, C, { ignore: VOID });
      return { iou: perClass, mIoU: mean(perClass) };
    });
  const init = initialWeights(options.seed, C);
  try {
    const initialOutputs = model(init.filter, init.bias);
    const initial = metrics(initialOutputs);
    initialOutputs.dispose();
    const runs = {} as Record<MulticlassRunName, MulticlassRun>;
    const predictions = {} as Record<MulticlassRunName, Uint8Array>;
    for (const name of MULTICLASS_RUNS) {
      const start = performance.now();
      const filter = tf.variable(init.filter, true, `multiclass-${name}-filter`);
      const bias = tf.variable(init.bias, true, `multiclass-${name}-bias`);
      const progress = options.onRun?.(name, steps);
      let finalIou: number | undefined;
      try {
        const curves = await train({
          steps,
          learningRate: 0.005,
          variables: [filter, bias],
          forward: () => model(filter, bias),
          loss: (outputs) => LOSSES[name](outputs, labels),
          evaluate: (outputs) => metrics(outputs).mIoU,
          onStep: progress?.onStep,
          signal: options.signal,
        });
        const outputs = model(filter, bias);
        const preds = argmax(outputs);
        predictions[name] = Uint8Array.from(preds.dataSync());
        runs[name] = {
          final: metrics(outputs),
          loss: curves.loss,
          mIoU: curves.iou,
          seconds: (performance.now() - start) / 1000,
        };
        finalIou = runs[name].final.mIoU;
        tf.dispose([outputs, preds]);
      } finally {
        progress?.done(finalIou);
        tf.dispose([filter, bias]);
      }
    }
    return {
      results: { initial, runs, shape: [B, H, W, C], steps },
      data,
      predictions,
    };
  } finally {
    tf.dispose([labels, init.filter, init.bias]);
  }
}

/** PyTorch's default Conv2d initialisation, from the seed: U(-k, k), k = 1 / sqrt(9 C). */
function initialWeights(seed: number, C: number): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  const rng = Random.derive(seed, 'multiclass-weights');
  const k = 1 / Math.sqrt(9 * C);
  const draw = (n: number) => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * k);
  return { filter: tf.tensor4d(draw(9 * C * C), [3, 3, C, C]), bias: tf.tensor1d(draw(C)) };
}

/** The argmax over the last axis as int32 [B, H, W] (first maximum on ties). */
function argmax(outputs: tf.Tensor): tf.Tensor {
  const C = outputs.shape[outputs.rank - 1];
  const v = outputs.dataSync();
  const out = new Int32Array(v.length / C);
  for (let p = 0; p < out.length; p++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (v[p * C + c] > v[p * C + best]) best = c;
    out[p] = best;
  }
  return tf.tensor(out, outputs.shape.slice(0, -1), 'int32');
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
