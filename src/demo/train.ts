import * as tf from '@tensorflow/tfjs-core';

/** What {@link train} reports after each step. */
export type StepCallback = (step: number, loss: number, iou: number) => void;

/** Options of {@link train}. */
export interface TrainOptions {
  /** Number of Adam steps (>= 1). */
  steps: number;
  /** Adam learning rate. */
  learningRate: number;
  /** The parameters to train, updated in place. */
  variables: tf.Variable[];
  /** The model's outputs at the current parameters (logits). */
  forward: () => tf.Tensor;
  /** The training loss of the outputs. */
  loss: (outputs: tf.Tensor) => tf.Scalar;
  /** The IoU (percent) of the outputs' predictions, tracked at every step. */
  evaluate: (outputs: tf.Tensor) => number;
  /** Called after each step with its 1-based index, loss and IoU. */
  onStep?: StepCallback;
  /** Aborts training between two steps (e.g. on Ctrl-C); train then rejects with its reason. */
  signal?: AbortSignal;
}

/** The curves of one training run: entry k is the loss and IoU before update k + 1. */
export interface TrainCurves {
  loss: number[];
  iou: number[];
}

/**
 * Minimises a loss with Adam (betas 0.9 and 0.999, epsilon 1e-8, as PyTorch's defaults used
 * by the original notebooks), recording the loss and the IoU of the same forward pass at every
 * step, i.e. of the parameters before that step's update.
 *
 * Yields to the event loop after every step, so that a SIGINT handler can abort the run.
 * @example
 *   const curves = await train({ steps: 500, learningRate: 0.05, variables: [b],
 *     forward: () => tf.add(x, b), loss: (z) => lovaszHinge(z, y), evaluate: iouOf });
 */
export async function train(options: TrainOptions): Promise<TrainCurves> {
  const { steps, variables, forward, evaluate, onStep, signal } = options;
  const optimizer: tf.Optimizer = tf.train.adam(options.learningRate, 0.9, 0.999, 1e-8);
  const loss: number[] = [];
  const iou: number[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      signal?.throwIfAborted();
      let outputs: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        outputs = tf.keep(forward());
        return options.loss(outputs);
      }, variables);
      optimizer.applyGradients(grads);
      loss.push(value.dataSync()[0]);
      tf.dispose([value, ...Object.values(grads)]);
      iou.push(tf.tidy(() => evaluate(outputs!)));
      outputs!.dispose();
      onStep?.(step, loss[loss.length - 1], iou[iou.length - 1]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    signal?.throwIfAborted();
  } finally {
    optimizer.dispose();
  }
  return { loss, iou };
}
