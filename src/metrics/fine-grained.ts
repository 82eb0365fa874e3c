/**
 * The fine-grained and worst-case metrics of Wang et al., "Revisiting evaluation metrics for
 * semantic segmentation: optimization and evaluation of fine-grained intersection-over-union"
 * (NeurIPS 2023), computed from per-image, per-class counts. The definitions follow the
 * authors' code (zifuwanggg/JDTLosses, metrics/accuracy_metric.py), which is the reference;
 * see {@link ConfusionMatrix.fineGrained} for the formulas and the few documented departures.
 * @module
 */

/**
 * Fine-grained metrics, in percent (see {@link ConfusionMatrix.fineGrained} for the formulas).
 * `D`: dataset-level (counts over all pixels, then a mean over classes); `I`: per image (a
 * mean over the classes in the image's labels, then over images); `C`: per class (a mean over
 * the images whose labels contain the class, then over classes). NaN when nothing defines it.
 *
 * @example
 * ```ts
 * const { mIoUD, mIoUI, mIoUC } = cm.fineGrained();
 * ```
 */
export interface FineGrainedMetrics {
  /** Pixel accuracy: correct valid pixels / valid pixels. */
  Acc: number;
  /** Mean over classes of the dataset accuracy (recall) TP_c / (TP_c + FN_c). */
  mAccD: number;
  /** Mean over classes of the dataset IoU TP_c / (TP_c + FP_c + FN_c): the usual mIoU. */
  mIoUD: number;
  /** Mean over classes of the dataset Dice 2 TP_c / (2 TP_c + FP_c + FN_c). */
  mDiceD: number;
  /** Mean over images of the image's mean accuracy over the classes in its labels. */
  mAccI: number;
  /** Mean over images of the image's mean IoU over the classes in its labels. */
  mIoUI: number;
  /** Mean over images of the image's mean Dice over the classes in its labels. */
  mDiceI: number;
  /** Mean over classes of the class's mean accuracy over the images containing it. */
  mAccC: number;
  /** Mean over classes of the class's mean IoU over the images containing it. */
  mIoUC: number;
  /** Mean over classes of the class's mean Dice over the images containing it. */
  mDiceC: number;
}

/**
 * Worst-case metrics for a percentage q, in percent (see {@link ConfusionMatrix.worstCase}):
 * the I metrics over the worst q% of images, the C metrics over each class's worst q% of the
 * images containing it.
 *
 * @example
 * ```ts
 * const { mIoUI, mIoUC } = cm.worstCase(10); // worst 10%
 * ```
 */
export interface WorstCaseMetrics {
  /** The percentage q in (0, 100]. */
  q: number;
  /** Mean of the per-image mIoUs of the worst q% of images. */
  mIoUI: number;
  /** Mean over classes of the mean IoU over the class's worst q% of images. */
  mIoUC: number;
  /** Mean of the per-image mean accuracies of the worst q% of images. */
  mAccI: number;
  /** Mean over classes of the mean accuracy over the class's worst q% of images. */
  mAccC: number;
  /** Mean of the per-image mean Dice of the worst q% of images. */
  mDiceI: number;
  /** Mean over classes of the mean Dice over the class's worst q% of images. */
  mDiceC: number;
}

/**
 * Per-image, per-class counts: record r (4 numbers from 4 * r) is [class, intersection, label
 * count, prediction count] of one class in one image, for the classes whose union is not empty
 * there; image i owns the records [ends[i - 1], ends[i]) (from 0 for i = 0).
 */
export interface ImageRecords {
  records: Float64Array;
  ends: Float64Array;
  images: number;
  numClasses: number;
}

/** The three per-(image, class) scores of a record: accuracy, IoU and Dice, as fractions. */
type Scores = [acc: Float64Array, iou: Float64Array, dice: Float64Array];

/**
 * Number of the worst items averaged out of n for a percentage q, as the reference counts
 * them: max(1, floor(q / 100 * n)). Per image the reference computes the product in float64
 * (Python floats); per class it multiplies a float32 tensor, so the product is rounded to
 * float32 before the floor. The two differ only where q / 100 * n falls within rounding of an
 * integer (q = 29, n = 100: 28 images, 29 per class), and both are kept so that the numbers
 * match the reference's.
 */
export function worstCount(q: number, n: number, precision: 'float64' | 'float32'): number {
  const product = precision === 'float64' ? (q / 100) * n : Math.fround(Math.fround(q / 100) * n);
  return Math.max(1, Math.trunc(product));
}

/** Scores of every record whose class occurs in the image's labels (label count > 0). */
function presentScores(data: ImageRecords): { scores: Scores; classOf: Int32Array } {
  const { records, ends, images } = data;
  const total = images === 0 ? 0 : ends[images - 1];
  let n = 0;
  for (let r = 0; r < total; r++) if (records[4 * r + 2] > 0) n++;
  const acc = new Float64Array(n);
  const iou = new Float64Array(n);
  const dice = new Float64Array(n);
  const classOf = new Int32Array(n);
  let k = 0;
  for (let r = 0; r < total; r++) {
    const labelled = records[4 * r + 2];
    if (labelled === 0) continue;
    const inter = records[4 * r + 1];
    const predicted = records[4 * r + 3];
    classOf[k] = records[4 * r];
    acc[k] = inter / labelled;
    iou[k] = inter / (labelled + predicted - inter);
    dice[k] = (2 * inter) / (labelled + predicted);
    k++;
  }
  return { scores: [acc, iou, dice], classOf };
}

/**
 * Per image, the mean of each score over the classes in its labels (image order); every image
 * in the records has a valid pixel, so at least one labelled class.
 */
function imageMeans(data: ImageRecords): Scores {
  const { records, ends, images } = data;
  const out: Scores = [
    new Float64Array(images),
    new Float64Array(images),
    new Float64Array(images),
  ];
  let r = 0;
  for (let i = 0; i < images; i++) {
    let acc = 0;
    let iou = 0;
    let dice = 0;
    let present = 0;
    for (const end = ends[i]; r < end; r++) {
      const labelled = records[4 * r + 2];
      if (labelled === 0) continue;
      const inter = records[4 * r + 1];
      const predicted = records[4 * r + 3];
      acc += inter / labelled;
      iou += inter / (labelled + predicted - inter);
      dice += (2 * inter) / (labelled + predicted);
      present++;
    }
    out[0][i] = acc / present;
    out[1][i] = iou / present;
    out[2][i] = dice / present;
  }
  return out;
}

/** 100 * the mean of the `k` smallest values (all of them when k is undefined); NaN if none. */
function meanOfLowest(values: Float64Array, k?: number): number {
  if (values.length === 0) return Number.NaN;
  const chosen = k === undefined ? values : values.slice().sort().subarray(0, k);
  let sum = 0;
  for (const v of chosen) sum += v;
  return 100 * (sum / chosen.length);
}

/**
 * Per class, its scores over the images whose labels contain it, grouped by class (image order
 * inside a group): group c is [start[c], start[c + 1]).
 */
function byClass(data: ImageRecords): { groups: Scores; start: Int32Array } {
  const { scores, classOf } = presentScores(data);
  const C = data.numClasses;
  const start = new Int32Array(C + 1);
  for (const c of classOf) start[c + 1]++;
  for (let c = 0; c < C; c++) start[c + 1] += start[c];
  const fill = start.slice(0, C);
  const groups: Scores = [
    new Float64Array(classOf.length),
    new Float64Array(classOf.length),
    new Float64Array(classOf.length),
  ];
  for (let k = 0; k < classOf.length; k++) {
    const at = fill[classOf[k]]++;
    for (let s = 0; s < 3; s++) groups[s][at] = scores[s][k];
  }
  return { groups, start };
}

/**
 * 100 * the mean over classes (with at least one image) of the mean of a score over the
 * class's images, or over its worst `q`% of them.
 */
function classMean(group: Float64Array, start: Int32Array, q?: number): number {
  let sum = 0;
  let classes = 0;
  for (let c = 0; c + 1 < start.length; c++) {
    const n = start[c + 1] - start[c];
    if (n === 0) continue;
    let values = group.subarray(start[c], start[c + 1]);
    if (q !== undefined)
      values = values
        .slice()
        .sort()
        .subarray(0, worstCount(q, n, 'float32'));
    let s = 0;
    for (const v of values) s += v;
    sum += s / values.length;
    classes++;
  }
  return classes === 0 ? Number.NaN : 100 * (sum / classes);
}

/** The I and C metrics of {@link FineGrainedMetrics}, in percent. */
export function imageAndClassMetrics(
  data: ImageRecords,
): Pick<FineGrainedMetrics, 'mAccI' | 'mIoUI' | 'mDiceI' | 'mAccC' | 'mIoUC' | 'mDiceC'> {
  const [accI, iouI, diceI] = imageMeans(data);
  const { groups, start } = byClass(data);
  return {
    mAccI: meanOfLowest(accI),
    mIoUI: meanOfLowest(iouI),
    mDiceI: meanOfLowest(diceI),
    mAccC: classMean(groups[0], start),
    mIoUC: classMean(groups[1], start),
    mDiceC: classMean(groups[2], start),
  };
}

/** {@link WorstCaseMetrics} for the percentage q (already checked to be in (0, 100]). */
export function worstCaseMetrics(data: ImageRecords, q: number): WorstCaseMetrics {
  const [accI, iouI, diceI] = imageMeans(data);
  const k = worstCount(q, data.images, 'float64');
  const { groups, start } = byClass(data);
  return {
    q,
    mAccI: meanOfLowest(accI, k),
    mIoUI: meanOfLowest(iouI, k),
    mDiceI: meanOfLowest(diceI, k),
    mAccC: classMean(groups[0], start, q),
    mIoUC: classMean(groups[1], start, q),
    mDiceC: classMean(groups[2], start, q),
  };
}
