/** The loss and IoU curves of the runs, drawn by chart.js. */
import {
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Title, Tooltip);

/** Line colours of the two runs (A, B). */
export const RUN_COLOURS = ['#d9480f', '#1c7ed6'] as const;

/** Dash patterns of the two runs: solid and dashed, so the curves differ by more than hue. */
export const RUN_DASHES: readonly (readonly number[])[] = [[], [6, 4]];

type Points = { x: number; y: number }[];

function points(values: readonly number[]): Points {
  return values.map((y, x) => ({ x, y }));
}

function dataset(label: string, run: number, values: readonly number[], yAxisID: string) {
  return {
    label,
    data: points(values),
    yAxisID,
    borderColor: RUN_COLOURS[run],
    backgroundColor: RUN_COLOURS[run],
    borderWidth: 2,
    borderDash: [...RUN_DASHES[run]],
    pointRadius: 0,
    pointHoverRadius: 4,
    tension: 0,
  } satisfies ChartDataset<'line', Points>;
}

const FONT = { family: 'system-ui, sans-serif', size: 12 };

function makeChart(canvas: HTMLCanvasElement, title: string): Chart<'line', Points> {
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        title: { display: true, text: title, font: { ...FONT, size: 14, weight: 'bold' } },
        legend: { labels: { font: FONT, boxHeight: 2 } },
      },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          title: { display: true, text: 'Adam updates', font: FONT },
          ticks: { precision: 0 },
        },
      },
    },
  });
}

/**
 * Two charts: the training loss of each run (each on its own axis: the losses of different
 * functions are not comparable, only their trends are) and the IoU of each run (one axis).
 */
export class Curves {
  private readonly loss: Chart<'line', Points>;
  private readonly iou: Chart<'line', Points>;

  constructor(lossCanvas: HTMLCanvasElement, iouCanvas: HTMLCanvasElement) {
    this.loss = makeChart(lossCanvas, 'Training loss');
    this.iou = makeChart(iouCanvas, 'IoU');
  }

  /** Starts new curves: run names, the metric's name and the number of steps (x range). */
  reset(names: readonly string[], metric: string, steps: number): void {
    const scales = this.loss.options.scales!;
    for (const key of Object.keys(scales)) if (key !== 'x') delete scales[key];
    names.forEach((name, i) => {
      scales[`y${i}`] = {
        type: 'linear',
        position: i === 0 ? 'left' : 'right',
        title: { display: true, text: name, color: RUN_COLOURS[i], font: FONT },
        ticks: { color: RUN_COLOURS[i] },
        grid: { drawOnChartArea: i === 0 },
      };
    });
    this.loss.data.datasets = names.map((name, i) => dataset(name, i, [], `y${i}`));
    this.iou.options.scales!.y = {
      type: 'linear',
      title: { display: true, text: `${metric} (%)`, font: FONT },
    };
    this.iou.options.plugins!.title!.text = metric;
    this.iou.data.datasets = names.map((name, i) => dataset(name, i, [], 'y'));
    for (const chart of [this.loss, this.iou]) chart.options.scales!.x!.max = steps;
    this.update([], []);
  }

  /** Redraws with each run's curves so far (entry j: after j updates). */
  update(losses: readonly (readonly number[])[], ious: readonly (readonly number[])[]): void {
    losses.forEach((values, i) => {
      const ds = this.loss.data.datasets[i];
      ds.data = points(values);
    });
    ious.forEach((values, i) => {
      const ds = this.iou.data.datasets[i];
      ds.data = points(values);
    });
    this.loss.update('none');
    this.iou.update('none');
  }
}
