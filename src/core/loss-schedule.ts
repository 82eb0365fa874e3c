/**
 * One phase of a {@link lossSchedule}: a loss used until a step (exclusive), or to the end.
 * `F` is the type of the loss function, whatever the caller's training loop calls.
 *
 * @example
 * ```ts
 * import { type LossPhase, xloss } from 'lovasz';
 *
 * const warmUp: LossPhase<typeof xloss> = { until: 1000, loss: xloss };
 * ```
 */
export interface LossPhase<F> {
  /** The first step that no longer uses this loss; omit on the last phase. */
  until?: number;
  /** The loss of this phase, returned as is by the schedule for the steps it covers. */
  loss: F;
}

/**
 * A training schedule of losses, such as the original authors' advice: cross-entropy first,
 * then fine-tuning with the Lovász loss. Returns the loss for a step (0-based).
 *
 * Phases are taken in order; each `until` must be an integer greater than the previous one,
 * and only the last phase may omit it (it then runs forever; with every phase bounded, steps
 * past the last bound are an error).
 * @example
 * ```ts
 * import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
 * import { lossSchedule, lovaszSoftmax, xloss } from 'lovasz/tfjs';
 *
 * // The type argument types the phases' arrows (strict mode needs it).
 * const lossAt = lossSchedule<(x: Tensor, y: Tensor) => Scalar>([
 *   { until: 1000, loss: (x, y) => xloss(x, y, { ignore: 255 }) },
 *   { loss: (x, y) => lovaszSoftmax(x, y, { fromLogits: true, ignore: 255 }) },
 * ]);
 * optimizer.minimize(() => lossAt(step)(logits, labels));
 * ```
 */
export function lossSchedule<F>(phases: readonly LossPhase<F>[]): (step: number) => F {
  const fn = 'lossSchedule';
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new RangeError(`${fn}: 'phases' must be a non-empty array of { until?, loss }`);
  }
  let previous = 0;
  phases.forEach((_, i) => {
    previous = checkPhaseEnd(fn, phases, i, previous);
  });
  return (step: number) => {
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new RangeError(`${fn}: the step must be an integer >= 0, got ${step}`);
    }
    const phase = phases.find((p) => p.until === undefined || step < p.until);
    if (!phase) {
      throw new RangeError(`${fn}: step ${step} is past the last phase (until ${previous})`);
    }
    return phase.loss;
  };
}

/**
 * Checks the end of phase i of a schedule (`lossSchedule`, `kerasLossSchedule`): only the last
 * phase may omit `until`, and each `until` is an integer greater than `previous`, the end of
 * phase i - 1 (0 for the first). Returns the end of phase i, or `previous` when it has none.
 * Errors name `fn`.
 */
export function checkPhaseEnd(
  fn: string,
  phases: readonly { until?: number }[],
  i: number,
  previous: number,
): number {
  const until = phases[i].until;
  if (until === undefined) {
    if (i !== phases.length - 1) {
      throw new RangeError(`${fn}: only the last phase may omit 'until', phase ${i} does`);
    }
    return previous;
  }
  if (!Number.isSafeInteger(until) || until <= previous) {
    throw new RangeError(
      `${fn}: 'until' must be an integer greater than ${previous} in phase ${i}, got ${until}`,
    );
  }
  return until;
}
