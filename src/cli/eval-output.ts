/**
 * What `lovasz eval` prints and writes: the table on stdout, the --json results, the
 * --per-image CSV.
 * @module
 */
import type { FineGrainedMetrics, WorstCaseMetrics } from '../metrics/fine-grained.js';

/**
 * The results of `lovasz eval`, as --json writes them. Percentages; NaN (a class absent from
 * both labels and predictions, a metric with nothing to average) is written as null. `iou`
 * has one entry per class in [0, numClasses) other than `ignore`, in class order.
 */
export interface EvalResults {
  /** Pairs evaluated. */
  images: number;
  numClasses: number;
  ignore: number | null;
  /** From --class-names, one per class in [0, numClasses). */
  classNames?: string[];
  iou: number[];
  /** The dataset mIoU (equal to fineGrained.mIoUD), over the classes that occur. */
  mIoU: number;
  pixelAccuracy: number;
  fwIoU: number;
  fineGrained: FineGrainedMetrics;
  worstCase: WorstCaseMetrics;
  /**
   * Pixel counts: counts[i][j] = valid pixels labelled classes[i] and predicted classes[j]
   * (the classes other than `ignore`); predictedIgnore[i] = those predicted as the ignore
   * label when it lies outside [0, numClasses) (present only then).
   */
  confusionMatrix: { classes: number[]; counts: number[][]; predictedIgnore?: number[] };
}

/** One --per-image CSV row: valid pixels, the image's mIoU, per-class IoU (NaN: absent). */
export interface ImageRow {
  name: string;
  pixels: number;
  mIoU: number;
  iou: number[];
}

/** The scored classes' labels: "3 car" with --class-names, else "3". */
export function classLabels(results: EvalResults): string[] {
  return results.confusionMatrix.classes.map((c) =>
    results.classNames ? `${c} ${results.classNames[c]}` : String(c),
  );
}

const pct = (v: number, width = 7) => (Number.isNaN(v) ? '-' : v.toFixed(2)).padStart(width);

/** The printed report: per-class IoU, the summary metrics, the fine-grained table. */
export function formatResults(r: EvalResults): string {
  const names = r.confusionMatrix.classes.map((c) => r.classNames?.[c] ?? '');
  const nameWidth = Math.max(0, ...names.map((s) => s.length));
  const lines = [
    `${r.images} image${r.images === 1 ? '' : 's'}, ${r.numClasses} classes` +
      (r.ignore === null ? '' : `, ignore ${r.ignore}`),
    '',
    `class ${''.padEnd(nameWidth)}  IoU (%)`,
  ];
  r.confusionMatrix.classes.forEach((c, k) => {
    lines.push(`${String(c).padStart(5)} ${names[k].padEnd(nameWidth)}  ${pct(r.iou[k])}`);
  });
  if (r.iou.some(Number.isNaN))
    lines.push('(-: the class is in neither labels nor predictions; left out of mIoU)');
  const row = (name: string, value: number) => `${name.padEnd(24)}${pct(value)}`;
  lines.push(
    '',
    row('mIoU', r.mIoU),
    row('pixel accuracy', r.pixelAccuracy),
    row('frequency-weighted IoU', r.fwIoU),
  );
  const f = r.fineGrained;
  const w = r.worstCase;
  const triple = (name: string, acc: number, iou: number, dice: number) =>
    `  ${name.padEnd(26)}${pct(acc)}${pct(iou)}${pct(dice)}`;
  lines.push(
    '',
    `${'fine-grained (%)'.padEnd(28)}${'mAcc'.padStart(7)}${'mIoU'.padStart(7)}${'mDice'.padStart(7)}`,
    triple('dataset (D)', f.mAccD, f.mIoUD, f.mDiceD),
    triple('per image (I)', f.mAccI, f.mIoUI, f.mDiceI),
    triple('per class (C)', f.mAccC, f.mIoUC, f.mDiceC),
    triple(`worst ${w.q}% of images (I)`, w.mAccI, w.mIoUI, w.mDiceI),
    triple(`worst ${w.q}% per class (C)`, w.mAccC, w.mIoUC, w.mDiceC),
  );
  return `${lines.join('\n')}\n`;
}

/** The --json text. */
export function resultsJson(results: EvalResults): string {
  // JSON.stringify writes NaN as null, which is what null means here.
  return `${JSON.stringify(results, null, 2)}\n`;
}

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The --per-image CSV: a header `name,pixels,mIoU,IoU <class>...`, then one row per pair in
 * pair order. pixels: valid pixels; mIoU: the mean IoU over the classes in the image's labels
 * (the per-image value that mIoUI averages); IoU per class, empty when the class is in
 * neither the image's labels nor its prediction. Percentages at full precision.
 */
export function perImageCsv(results: EvalResults, rows: ImageRow[]): string {
  const num = (v: number) => (Number.isNaN(v) ? '' : String(v));
  const head = ['name', 'pixels', 'mIoU', ...classLabels(results).map((c) => `IoU ${c}`)];
  const out = [head.map(field).join(',')];
  for (const r of rows)
    out.push([field(r.name), String(r.pixels), num(r.mIoU), ...r.iou.map(num)].join(','));
  return `${out.join('\n')}\n`;
}
