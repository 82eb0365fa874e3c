import cliProgress from 'cli-progress';
import type { StepCallback } from './train.js';

/**
 * Reports the steps of one training run; `done` when it ends (even by an error), with the IoU
 * after the last update when the run finished: the number the summary table prints, so the
 * two agree to the last digit (the last step's IoU is that of the parameters before its
 * update).
 */
export interface RunProgress {
  onStep: StepCallback;
  done: (finalIou?: number) => void;
}

/** Loss column width: the sign, four digits before the point and four after line up. */
const LOSS_WIDTH = 9;

/**
 * A progress-bar factory for training runs, writing to `stream` (stderr, so that --json's
 * stdout stays clean): on a terminal, a cli-progress bar per run with the step, the loss and
 * the IoU; elsewhere (CI logs, tests), one line per finished run. Steps, losses and IoUs are
 * padded to fixed widths, so the lines of different runs (and losses of different sizes) stay
 * in columns; the finished line shows the final IoU.
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
    const stepWidth = String(steps).length;
    const loss = (v: number) => v.toFixed(4).padStart(LOSS_WIDTH);
    const iou = (v: number) => v.toFixed(2).padStart(6);
    let last = { step: 0, loss: Number.NaN, iou: Number.NaN };
    const line = () =>
      `${label} step ${String(last.step).padStart(stepWidth)}/${steps}  loss ${loss(last.loss)}  ${iouName} ${iou(last.iou)}`;
    if (!stream.isTTY) {
      return {
        onStep: (step, l, i) => {
          last = { step, loss: l, iou: i };
        },
        done: (finalIou) => {
          if (finalIou !== undefined) last.iou = finalIou;
          stream.write(`${line()}\n`);
        },
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
    bar.start(steps, 0, { loss: '-'.padStart(LOSS_WIDTH), iou: '-'.padStart(6) });
    let at = 0;
    return {
      onStep: (step, l, i) => {
        at = step;
        bar.update(step, { loss: loss(l), iou: iou(i) });
      },
      done: (finalIou) => {
        if (finalIou !== undefined) bar.update(at, { iou: iou(finalIou) });
        bar.stop();
      },
    };
  };
}
