import * as tf from '@tensorflow/tfjs-core';
import { Callback } from '@tensorflow/tfjs-layers';
import { checkPhaseEnd } from '../core/loss-schedule.js';
import type { KerasLoss } from '../tfjs/keras-losses.js';

/**
 * One phase of a {@link kerasLossSchedule}: a loss used until an epoch (exclusive), or to the
 * end, or (`from`, `to`) a linear ramp between two losses over the phase's epochs.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { type KerasLoss, type KerasLossPhase, kerasLovaszSoftmax } from 'lovasz/layers';
 *
 * const xent: KerasLoss = (yTrue, yPred) =>
 *   tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred)) as tf.Scalar;
 * const phases: KerasLossPhase[] = [
 *   { until: 10, loss: xent },
 *   { until: 14, from: xent, to: kerasLovaszSoftmax() },
 *   { loss: kerasLovaszSoftmax() },
 * ];
 * ```
 */
export type KerasLossPhase =
  | {
      /** The first epoch (0-based) that no longer uses this phase; omit on the last phase. */
      until?: number;
      /** The loss of the phase's epochs. */
      loss: KerasLoss;
    }
  | {
      /** The first epoch past the ramp; required (a ramp has a length). */
      until: number;
      /** The loss the ramp starts from. */
      from: KerasLoss;
      /** The loss the ramp goes to. */
      to: KerasLoss;
    };

/**
 * What {@link kerasLossSchedule} returns: `loss` for model.compile and `callback` for fit's
 * callbacks, which moves `loss` to the phase of each epoch as it begins.
 *
 * @example
 * ```ts
 * import { kerasLossSchedule, kerasLovaszSoftmax } from 'lovasz/layers';
 *
 * const { loss, callback } = kerasLossSchedule([{ until: 5, loss: kerasLovaszSoftmax() }]);
 * ```
 */
export interface KerasLossSchedule {
  /** The loss for compile({ loss }): the current epoch's phase. */
  loss: KerasLoss;
  /** A tfjs-layers Callback for fit({ callbacks }); its onEpochBegin selects the phase. */
  callback: Callback;
  /** The weight of `to` in the loss of `epoch` (0 outside ramps; see kerasLossSchedule). */
  rampWeight(epoch: number): number;
  /** The index of the phase of `epoch` in `phases`. */
  phaseIndex(epoch: number): number;
  /** The epoch the loss currently computes (0 before fit). */
  readonly epoch: number;
}

class EpochCallback extends Callback {
  constructor(private readonly onEpoch: (epoch: number) => void) {
    super();
  }
  override async onEpochBegin(epoch: number): Promise<void> {
    this.onEpoch(epoch);
  }
}

/**
 * A loss schedule for model.fit, by epochs: the original authors' advice (cross-entropy
 * first, then fine-tuning with the Lovász loss) inside one fit. compile() fixes the loss
 * function, so `loss` is a function that delegates to the phase of the current epoch, and
 * `callback` (pass it to fit) sets that epoch at each onEpochBegin, from fit's epoch index
 * (which counts from fit's initialEpoch, so a second fit continues the schedule when given
 * initialEpoch). Before fit, epoch 0's phase is active.
 *
 * Phases are taken in order; each `until` must be an integer greater than the previous one
 * (the first > 0), and only the last phase may omit it; with every phase bounded, epochs past
 * the last `until` are an error. A ramp phase `{ until: u, from: A, to: B }` starting at epoch
 * s (the previous phase's until, or 0) has n = u - s epochs; at epoch e in [s, u) the loss is
 *
 * ```text
 * (1 - t) * A(yTrue, yPred) + t * B(yTrue, yPred),   t = (e - s + 1) / (n + 1)
 * ```
 *
 * so t runs 1/(n+1), ..., n/(n+1): strictly between the pure phases around it, in equal
 * steps. Both losses are computed during a ramp (each step costs both).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { type KerasLoss, kerasLossSchedule, kerasLovaszSoftmax } from 'lovasz/layers';
 *
 * const xent: KerasLoss = (yTrue, yPred) =>
 *   tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred)) as tf.Scalar;
 * const { loss, callback } = kerasLossSchedule([
 *   { until: 20, loss: xent },
 *   { until: 24, from: xent, to: kerasLovaszSoftmax() }, // t = 0.2, 0.4, 0.6, 0.8
 *   { loss: kerasLovaszSoftmax() },
 * ]);
 * model.compile({ optimizer: 'adam', loss });
 * await model.fit(x, yOneHot, { epochs: 40, callbacks: [callback] });
 * ```
 */
export function kerasLossSchedule(phases: readonly KerasLossPhase[]): KerasLossSchedule {
  const fn = 'kerasLossSchedule';
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new RangeError(
      `${fn}: 'phases' must be a non-empty array of { until?, loss } or { until, from, to }`,
    );
  }
  const starts: number[] = [];
  let previous = 0;
  phases.forEach((phase, i) => {
    if (phase === null || typeof phase !== 'object') {
      throw new TypeError(`${fn}: phase ${i} must be an object, got ${String(phase)}`);
    }
    const ramp = 'from' in phase || 'to' in phase;
    if (ramp) {
      const { from, to } = phase as { from?: unknown; to?: unknown };
      if (typeof from !== 'function' || typeof to !== 'function') {
        throw new TypeError(
          `${fn}: phase ${i} is a ramp and needs 'from' and 'to' losses (functions)`,
        );
      }
      if ('loss' in phase) {
        throw new TypeError(
          `${fn}: phase ${i} has both 'loss' and 'from'/'to': give one or the other`,
        );
      }
      if (phase.until === undefined) {
        throw new RangeError(`${fn}: phase ${i} is a ramp and needs 'until' (its end epoch)`);
      }
    } else if (typeof (phase as { loss?: unknown }).loss !== 'function') {
      throw new TypeError(`${fn}: phase ${i} needs a 'loss' function (a KerasLoss)`);
    }
    starts.push(previous);
    previous = checkPhaseEnd(fn, phases, i, previous);
  });
  const phaseIndex = (epoch: number): number => {
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new RangeError(`${fn}: the epoch must be an integer >= 0, got ${epoch}`);
    }
    const i = phases.findIndex((p) => p.until === undefined || epoch < p.until);
    if (i < 0) {
      throw new RangeError(
        `${fn}: epoch ${epoch} is past the last phase (until ${previous}); end it with a phase without 'until'`,
      );
    }
    return i;
  };
  const rampWeight = (epoch: number): number => {
    const i = phaseIndex(epoch);
    const phase = phases[i];
    if (!('from' in phase)) return 0;
    const n = (phase.until as number) - starts[i];
    return (epoch - starts[i] + 1) / (n + 1);
  };
  let current = 0;
  const loss: KerasLoss = (yTrue, yPred) => {
    const phase = phases[phaseIndex(current)];
    if (!('from' in phase)) return phase.loss(yTrue, yPred);
    const t = rampWeight(current);
    return tf.add(tf.mul(phase.from(yTrue, yPred), 1 - t), tf.mul(phase.to(yTrue, yPred), t));
  };
  const callback = new EpochCallback((epoch) => {
    phaseIndex(epoch); // an epoch past the schedule fails here, before its first step
    current = epoch;
  });
  return {
    loss,
    callback,
    rampWeight,
    phaseIndex,
    get epoch() {
      return current;
    },
  };
}
