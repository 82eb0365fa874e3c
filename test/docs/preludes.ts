// The inputs the documentation's examples take as given, declared once per context as ambient
// globals (`declare global`), so that an example's own top-level declarations and imports
// shadow them: an example that makes its own `logits` uses its own. (A prelude is a module only
// so that it can import types and alias `tf` as a namespace, usable in types as `tf.Tensor`;
// what it declares is global, as a script's declarations are.)
//
// Only inputs live here: data (predictions, labels, shapes, batches), the objects a snippet
// works on (a model, an optimizer, a confusion matrix being filled), a step counter, and `tf`,
// the TensorFlow.js namespace a tensor snippet writes its ops with. Never a function of
// `lovasz`: an example that calls one must import it (doc-comment examples get the exports of
// their own module, see typecheck-examples.ts).
//
// They are strings, not .d.ts files in the tree, so that the repository's own `tsc -p
// tsconfig.json` (which includes test/) never sees these globals.
import type { Context } from './extract-examples.js';

/** Typed arrays, as `lovasz` (src/core, src/metrics) takes them. */
const core = `
import type { ConfusionMatrix } from 'lovasz';

declare global {
  /** Probabilities [B, H, W, C] (NHWC), or [B, C, H, W] with layout 'NCHW'. */
  const probas: Float32Array;
  /** Logits: [B, H, W] for the binary losses, [B, H, W, C] for the multiclass ones. */
  const logits: Float32Array;
  /** Labels [B, H, W]: class indices, 0/1 for the binary losses, or the ignore label. */
  const labels: Int32Array;
  /** Binary labels [B, H, W] of 0 and 1. */
  const labels01: Uint8Array;
  /** Multilabel targets [B, H, W, C] of 0 and 1. */
  const targets: Float32Array;
  /** Predicted labels [B, H, W]. */
  const preds: Int32Array;
  /** Batch size, height, width, channels (classes). */
  const B: number, H: number, W: number, C: number;
  /** The shape of a prediction. */
  const shape: readonly number[];
  /** A dataset, batch by batch. */
  const batches: readonly {
    readonly logits: Float32Array;
    readonly probas: Float32Array;
    readonly preds: Int32Array;
    readonly labels: Int32Array;
    readonly shape: readonly number[];
  }[];
  /** A training step, and the steps of a run. */
  const step: number;
  const steps: readonly number[];
  /** A confusion matrix being filled. */
  const cm: ConfusionMatrix;
}
`;

/** tfjs tensors, as `lovasz/tfjs` (src/tfjs) and `lovasz/layers` take them. */
const tfjs = `
import * as tfjs from '@tensorflow/tfjs';
import type { Optimizer, Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TensorConfusionMatrix } from 'lovasz/tfjs';

declare global {
  /** The TensorFlow.js namespace, as \`import * as tf from '@tensorflow/tfjs'\` makes it. */
  export import tf = tfjs;
  /** Probabilities [B, H, W, C] (NHWC), [B, C, H, W] with layout 'NCHW', or [B, H, W]. */
  const probas: Tensor;
  /** Logits: [B, H, W] for the binary losses, [B, H, W, C] for the multiclass ones. */
  const logits: Tensor;
  /** Labels [B, H, W] (int32 or integer-valued float32), or one-hot targets for keras losses. */
  const labels: Tensor;
  /** Multilabel targets [B, H, W, C] of 0 and 1. */
  const targets: Tensor;
  /** Predicted labels [B, H, W]. */
  const preds: Tensor;
  /** Batch size, height, width, channels (classes). */
  const B: number, H: number, W: number, C: number;
  /** A dataset, batch by batch. */
  const batches: readonly { readonly images: Tensor4D; readonly labels: Tensor3D }[];
  /** A tfjs-layers model, and an optimizer. */
  const model: LayersModel;
  const optimizer: Optimizer;
  /** A training step, and the steps of a run. */
  const step: number;
  const steps: readonly number[];
  /** A confusion matrix being filled. */
  const cm: TensorConfusionMatrix;
  /** A model's training inputs and one-hot targets, and a validation set (inputs, labels). */
  const x: Tensor;
  const y: Tensor;
  const yOneHot: Tensor;
  const xVal: Tensor;
  const yVal: Tensor;
  const labelsVal: Tensor;
  /** A batch of model inputs. */
  const images: Tensor4D;
}
`;

/** The prelude of each context, as the text of a declaration file. */
export const PRELUDES: Readonly<Record<Context, string>> = { core, tfjs };
