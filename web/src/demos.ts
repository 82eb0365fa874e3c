/**
 * The two demos of `lovasz demo`, for the page: the same data (seeded), models, optimiser and
 * losses as the command, with the library imported by its public names.
 *
 * From src/demo the page imports only the browser-safe modules (data, models, activations);
 * not train.ts (it yields with Node's setImmediate), nor the modules that write files or
 * draw PNGs with Node APIs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { iou, iouBinary } from 'lovasz';
import {
  binaryXloss,
  combinedLoss,
  lossSchedule,
  lovaszHinge,
  lovaszSoftmax,
  xloss,
} from 'lovasz/tfjs';
import { binaryData } from '../../src/demo/binary-data.js';
import { multiclassData } from '../../src/demo/multiclass-data.js';
import { Random } from '../../src/demo/random.js';
import { residualConv3x3 } from '../../src/demo/residual-conv.js';
import { VOID } from '../../src/demo/void.js';
import { pageBiasModel, pageSigmoid, pageSoftmax } from './device-ops.js';

export { VOID };

/** A training loss of the model's outputs, for a step (0-based). */
export type LossFn = (outputs: tf.Tensor, labels: tf.Tensor, step: number) => tf.Scalar;

/** One loss the user can choose. */
export interface LossChoice {
  id: string;
  label: string;
  /** The call, as the page makes it, shown under the chooser. */
  code: string;
  /** The loss for a run of `steps` steps. */
  make: (steps: number) => LossFn;
}

/** The data and model of one demo, ready to train. */
export interface Problem {
  /** [B, H, W] of the labels. */
  shape: [number, number, number];
  labels: Int32Array;
  labelsTensor: tf.Tensor;
  /** Fresh trainable parameters at the demo's initial values (the same for every run). */
  makeParams: () => tf.Variable[];
  /** The model's outputs (logits) at `params`. */
  forward: (params: tf.Variable[]) => tf.Tensor;
  /** Predicted labels [B, H, W] of the outputs. */
  predict: (outputs: tf.Tensor) => Promise<Uint8Array>;
  /** The demo's IoU (percent) of predictions. */
  score: (preds: Uint8Array) => number;
  dispose: () => void;
}

/** Sizes and optimiser settings. */
export interface Settings {
  steps: number;
  learningRate: number;
  seed: number;
  images: number;
  size: number;
}

export interface DemoSpec {
  name: 'binary' | 'multiclass';
  title: string;
  /** The IoU the demo tracks, for axis titles. */
  metric: string;
  description: string;
  losses: LossChoice[];
  /** The two losses compared by default. */
  pair: [string, string];
  /** The page's defaults: smaller or shorter than the command's, to run in seconds. */
  defaults: Settings;
  /** The command's settings, for the note on the page. */
  cli: Omit<Settings, 'seed'>;
  make: (seed: number, images: number, size: number) => Problem;
}

/** Half of the steps with the first loss, the rest with the second: the authors' advice. */
function schedule(first: LossFn, then: LossFn): (steps: number) => LossFn {
  return (steps) => {
    const at = lossSchedule([
      { until: Math.max(1, Math.round(steps / 2)), loss: first },
      { loss: then },
    ]);
    return (z, y, step) => at(step)(z, y, step);
  };
}

const hinge: LossFn = (z, y) => lovaszHinge(z, y, { ignore: VOID, perImage: true });
const bce: LossFn = (z, y) => binaryXloss(z, y, { ignore: VOID });
const bcePlusHinge = combinedLoss([
  { loss: 'binaryXloss', options: { ignore: VOID } },
  { loss: 'lovaszHinge', options: { ignore: VOID, perImage: true } },
]);

const binary: DemoSpec = {
  name: 'binary',
  title: 'Binary',
  metric: 'image-IoU',
  description:
    'Each image has a foreground triangle (red) and a void triangle (beige, ignored). Every pixel has one noisy feature x (mean +1 on foreground, -1 on background, standard deviation 2.5); the model is logits = x + b with a single learned bias b. The only question is where to put the threshold: cross-entropy picks the best per-pixel accuracy, the Lovász losses the best IoU.',
  losses: [
    {
      id: 'hinge',
      label: 'Lovász hinge',
      code: 'lovaszHinge(logits, labels, { ignore: 255, perImage: true })',
      make: () => hinge,
    },
    {
      id: 'sigmoid',
      label: 'Lovász-Sigmoid',
      code: 'lovaszSoftmax(sigmoid(logits), labels, { classes: [1], ignore: 255 })',
      make: () => (z, y) => lovaszSoftmax(pageSigmoid(z), y, { classes: [1], ignore: VOID }),
    },
    {
      id: 'bce',
      label: 'Binary cross-entropy',
      code: 'binaryXloss(logits, labels, { ignore: 255 })',
      make: () => bce,
    },
    {
      id: 'bce+hinge',
      label: 'BCE + Lovász hinge',
      code: "combinedLoss([{ loss: 'binaryXloss', … }, { loss: 'lovaszHinge', … }])",
      make: () => (z, y) => bcePlusHinge(z, y),
    },
    {
      id: 'bce-then-hinge',
      label: 'BCE, then Lovász hinge',
      code: 'lossSchedule([{ until: steps / 2, loss: bce }, { loss: hinge }])',
      make: schedule(bce, hinge),
    },
  ],
  pair: ['hinge', 'bce'],
  defaults: { steps: 150, learningRate: 0.05, seed: 0, images: 10, size: 100 },
  cli: { steps: 500, learningRate: 0.05, images: 10, size: 200 },
  make(seed, images, size) {
    const data = binaryData(seed, { count: images, size });
    const { model, dispose: disposeModel } = pageBiasModel(data.features, data.shape);
    const labelsTensor = tf.tensor3d(data.labels, data.shape, 'int32');
    return {
      shape: data.shape,
      labels: data.labels,
      labelsTensor,
      makeParams: () => [tf.tidy(() => tf.variable(tf.scalar(0), true))],
      forward: ([b]) => model(b as tf.Scalar),
      predict: async (logits) => {
        const v = await logits.data();
        const out = new Uint8Array(v.length);
        for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? 1 : 0;
        return out;
      },
      score: (preds) => iouBinary(preds, data.labels, data.shape, { ignore: VOID, perImage: true }),
      dispose: () => {
        labelsTensor.dispose();
        disposeModel();
      },
    };
  },
};

const lovasz: LossFn = (z, y) => lovaszSoftmax(pageSoftmax(z), y, { ignore: VOID });
const xent: LossFn = (z, y) => xloss(z, y, { ignore: VOID });
const xentPlusLovasz = combinedLoss([
  { loss: 'xloss', options: { ignore: VOID } },
  { loss: 'lovaszSoftmax', options: { fromLogits: true, ignore: VOID } },
]);

const multiclass: DemoSpec = {
  name: 'multiclass',
  title: 'Multiclass',
  metric: 'mIoU',
  description:
    'Three classes: background (black), class 1 (red) and class 2 (green), plus void (beige, ignored). Each pixel has three features, the one-hot code of its class plus heavy noise (standard deviation 2); the model is outputs = x + conv3x3(x) + bias, 84 parameters, all starting from the same random weights.',
  losses: [
    {
      id: 'lovasz',
      label: 'Lovász-Softmax',
      code: 'lovaszSoftmax(softmax(outputs), labels, { ignore: 255 })',
      make: () => lovasz,
    },
    {
      id: 'xent',
      label: 'Cross-entropy',
      code: 'xloss(outputs, labels, { ignore: 255 })',
      make: () => xent,
    },
    {
      id: 'xent+lovasz',
      label: 'Cross-entropy + Lovász',
      code: "combinedLoss([{ loss: 'xloss', … }, { loss: 'lovaszSoftmax', options: { fromLogits: true, … } }])",
      make: () => (z, y) => xentPlusLovasz(z, y),
    },
    {
      id: 'xent-then-lovasz',
      label: 'Cross-entropy, then Lovász',
      code: 'lossSchedule([{ until: steps / 2, loss: xent }, { loss: lovasz }])',
      make: schedule(xent, lovasz),
    },
  ],
  pair: ['lovasz', 'xent'],
  defaults: { steps: 150, learningRate: 0.005, seed: 0, images: 5, size: 100 },
  cli: { steps: 1000, learningRate: 0.005, images: 5, size: 200 },
  make(seed, images, size) {
    const data = multiclassData(seed, { count: images, size });
    const C = data.classes;
    const [B, H, W] = data.shape;
    const model = residualConv3x3(data.features, [B, H, W, C]);
    const labelsTensor = tf.tensor3d(data.labels, data.shape, 'int32');
    const init = initialWeights(seed, C);
    return {
      shape: data.shape,
      labels: data.labels,
      labelsTensor,
      // Variables outlive tidy; their initial tensors do not.
      makeParams: () =>
        tf.tidy(() => [
          tf.variable(tf.tensor4d(init.filter, [3, 3, C, C])),
          tf.variable(tf.tensor1d(init.bias)),
        ]),
      forward: ([filter, bias]) => model(filter as tf.Tensor4D, bias as tf.Tensor1D),
      predict: async (outputs) => {
        const v = await outputs.data();
        const out = new Uint8Array(v.length / C);
        for (let p = 0; p < out.length; p++) {
          let best = 0;
          for (let c = 1; c < C; c++) if (v[p * C + c] > v[p * C + best]) best = c;
          out[p] = best;
        }
        return out;
      },
      score: (preds) => {
        const perClass = iou(preds, data.labels, data.shape, C, { ignore: VOID });
        return perClass.reduce((a, b) => a + b, 0) / perClass.length;
      },
      dispose: () => labelsTensor.dispose(),
    };
  },
};

/**
 * The multiclass demo's initial weights, drawn as `lovasz demo` draws them (PyTorch's Conv2d
 * default, U(-k, k) with k = 1 / sqrt(9 C), from the seed's 'multiclass-weights' stream), so
 * that a run here starts where the command's does.
 */
function initialWeights(seed: number, C: number): { filter: Float32Array; bias: Float32Array } {
  const rng = Random.derive(seed, 'multiclass-weights');
  const k = 1 / Math.sqrt(9 * C);
  const draw = (n: number) => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * k);
  return { filter: draw(9 * C * C), bias: draw(C) };
}

export const DEMOS = { binary, multiclass } as const;
export type DemoName = keyof typeof DEMOS;
