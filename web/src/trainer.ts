/**
 * The training loop of the page: several runs of one problem, each with its own loss and Adam
 * optimiser, advanced one step each in turn, yielding to the browser (tf.nextFrame) after every
 * step so that the page keeps drawing and the Stop button answers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossChoice, LossFn, Problem } from './demos.js';

/** One run's curves: entry j is the loss and IoU after j updates (entry 0: the initial ones). */
export interface RunState {
  loss: LossChoice;
  losses: number[];
  ious: number[];
  /** The latest predictions [B, H, W]. */
  preds: Uint8Array;
}

export interface TrainOptions {
  steps: number;
  learningRate: number;
  /** Called after every step with the number of updates done (1..steps). */
  onStep: (done: number, runs: RunState[]) => void;
  /** Polled between steps: true stops training after the current step. */
  stopped: () => boolean;
}

/**
 * Trains one run per loss on `problem` from the same initial parameters, with Adam (betas 0.9
 * and 0.999, epsilon 1e-8, as `lovasz demo`). Step j computes the loss and predictions of the
 * parameters after j updates, then applies update j + 1; after the last update one more forward
 * pass gives the final point. Returns the runs and whether every step ran.
 */
export async function trainRuns(
  problem: Problem,
  losses: LossChoice[],
  options: TrainOptions,
): Promise<{ runs: RunState[]; completed: boolean }> {
  const { steps } = options;
  const runs = losses.map((loss) => ({
    state: { loss, losses: [], ious: [], preds: new Uint8Array(0) } as RunState,
    fn: loss.make(steps) as LossFn,
    params: problem.makeParams(),
    optimizer: tf.train.adam(options.learningRate, 0.9, 0.999, 1e-8) as tf.Optimizer,
  }));
  // Reads are awaited: webgpu's synchronous read fails on some adapters (SwiftShader), and on
  // any GPU a synchronous read blocks the page until the GPU has caught up.
  const record = async (run: (typeof runs)[number], outputs: tf.Tensor, loss: number) => {
    run.state.preds = await problem.predict(outputs);
    run.state.losses.push(loss);
    run.state.ious.push(problem.score(run.state.preds));
  };
  let done = 0;
  try {
    for (; done < steps && !options.stopped(); done++) {
      for (const run of runs) {
        let outputs: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          outputs = tf.keep(problem.forward(run.params));
          return run.fn(outputs, problem.labelsTensor, done);
        }, run.params);
        run.optimizer.applyGradients(grads);
        await record(run, outputs!, (await value.data())[0]);
        tf.dispose([value, outputs!, ...Object.values(grads)]);
      }
      options.onStep(
        done + 1,
        runs.map((r) => r.state),
      );
      await tf.nextFrame();
    }
    // The final point, after the last update (its loss: the loss of the last step taken).
    for (const run of runs) {
      const outputs = problem.forward(run.params);
      const value = tf.tidy(() => run.fn(outputs, problem.labelsTensor, Math.max(0, done - 1)));
      await record(run, outputs, (await value.data())[0]);
      tf.dispose([value, outputs]);
    }
  } finally {
    for (const run of runs) {
      run.optimizer.dispose();
      tf.dispose(run.params);
    }
  }
  return { runs: runs.map((r) => r.state), completed: done === steps };
}
