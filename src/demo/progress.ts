import cliProgress from 'cli-progress';
import type { StepCallback } from './train.js';

/** Reports the steps of one training run; `done` when it ends (even by an error). */
export interface RunProgress {
  onStep: StepCallback;
  done: () => void;
}

/**
 * A progress-bar factory for training runs, writing to `stream` (stderr, so that --json's
 * stdout stays clean): on a terminal, a cli-progress bar per run with the step, the loss and
 * the IoU; elsewhere (CI logs, tests), one line per finished run.
 * @example
 *   const onRun = progressBars(process.stderr, 'binary');
 *   const { onStep, done } = onRun('hinge', 500);
 */
export function progressBars(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  demo: string,
  iouName = 'IoU',
): (run: string, steps: number) => RunProgress {
  return (run, steps) => {
    const label = `${demo} ${run}`.padEnd(18);
    let last = { step: 0, loss: Number.NaN, iou: Number.NaN };
    const line = () =>
      `${label} step ${last.step}/${steps}  loss ${last.loss.toFixed(4)}  ${iouName} ${last.iou.toFixed(2)}`;
    if (!stream.isTTY) {
      return {
        onStep: (step, loss, iou) => {
          last = { step, loss, iou };
        },
        done: () => stream.write(`${line()}\n`),
      };
    }
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total}  loss {loss}  ${iouName} {iou}  {duration_formatted}`,
        stream,
        barsize: 24,
        hideCursor: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(steps, 0, { loss: '-', iou: '-' });
    return {
      onStep: (step, loss, iou) => bar.update(step, { loss: loss.toFixed(4), iou: iou.toFixed(2) }),
      done: () => bar.stop(),
    };
  };
}
