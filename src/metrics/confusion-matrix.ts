import {
  checkArray,
  checkLabels,
  checkLength,
  checkNumClasses,
  type NumericArray,
} from '../core/check.js';
import { formatShape, pixelGeometry } from '../core/geometry.js';
import { booleanOption, emptyOption, ignoreOption } from '../core/options/common-options.js';
import { type OptionTable, resolveOptions } from '../core/options/option-spec.js';
import {
  type FineGrainedMetrics,
  type ImageRecords,
  imageAndClassMetrics,
  type WorstCaseMetrics,
  worstCaseMetrics,
} from './fine-grained.js';

/**
 * Options of {@link ConfusionMatrix} (and of the `lovasz/tfjs` TensorConfusionMatrix).
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix(21, { ignore: 255, perImage: true });
 * ```
 */
export interface ConfusionMatrixOptions {
  /**
   * Score of anything with nothing to score, as a fraction (1 = 100%): a class whose union is
   * empty, and every metric before the first valid pixel (or image). Default: none, i.e. such
   * a class's IoU is NaN and left out of `meanIoU()` (nanmean), as mmseg and detectron2 do for
   * a dataset mIoU; an explicit `empty` scores it and counts it in the mean (the convention of
   * the original per-image code, EMPTY = 1), which inflates the mIoU of a dataset missing
   * some classes (`new ConfusionMatrix(21, { empty: 1 })` on 3-class data scores 18 classes at
   * 100).
   * @default NaN
   */
  empty?: number;
  /**
   * Label value of void pixels; null: none. It is left out of every result.
   * @default null
   */
  ignore?: number | null;
  /**
   * Also keep the running mean of per-image mIoUs ({@link ConfusionMatrix.perImageMeanIoU}).
   * @default false
   */
  perImage?: boolean;
}

/** The options of {@link ConfusionMatrix}. */
export const CONFUSION_MATRIX_OPTIONS = {
  // No default score: an empty class is NaN (left out of the means) unless the caller names one.
  empty: emptyOption(Number.NaN),
  ignore: ignoreOption(null),
  perImage: booleanOption('perImage', false),
} as const satisfies OptionTable;

/**
 * A streaming confusion matrix of label masks: feed it batches with `update`, read the dataset
 * IoU, mIoU, pixel accuracy and frequency-weighted IoU at any time, all in percent.
 *
 * Counts: M[y][p] = #(valid pixels labelled y and predicted p), where a pixel is valid when its
 * label is not `ignore`. The counts are integers in float64, exact up to 2^53 pixels, so a
 * streamed dataset scores exactly what one call of `iou` on all of it would. For each class c
 * other than `ignore`, with L_c = #(valid pixels labelled c) (row total), P_c = #(valid pixels
 * predicted c) (column total) and N = #(valid pixels):
 *
 * ```text
 * IoU_c = M[c][c] / (L_c + P_c - M[c][c])      (NaN, or `empty`, when the union is empty)
 * mIoU  = mean over c of IoU_c, leaving out NaN (classes absent from labels and predictions)
 * pixel accuracy = sum_c M[c][c] / N
 * fwIoU = sum_c (L_c / N) * IoU_c
 * ```
 *
 * A prediction equal to `ignore` belongs to no class (as in `iou`): it is a miss for its
 * pixel's label and a hit for nothing.
 *
 * Per-image mode (perImage: true) also keeps the mean over images of each image's mIoU, where
 * an image's mIoU is the mean of IoU_c over the classes c other than `ignore` whose union is
 * not empty in that image, i.e. the classes that occur in its valid labels or in its
 * predictions on valid pixels. Absent classes are left out instead of scoring `empty`, so that
 * a small image is not rewarded for the many classes it lacks; an image without valid pixels
 * has no class to score and is left out of the mean. It is a per-image mIoU in the sense
 * Berman et al. 2018 contrast with the dataset mIoU: the mean of ratios weighs every image alike
 * while the dataset ratio weighs every pixel alike, so the two differ (a small object missed
 * in one image costs that image a lot and the dataset little). It differs from
 * `iou(..., { perImage: true })` too, which averages each class over all images with `empty`
 * for absent classes.
 *
 * Per-image mode also keeps, for every image with a valid pixel and every class whose union
 * is not empty in it, the counts [class, intersection, label count, prediction count]: the
 * fine-grained and worst-case metrics of Wang et al. (NeurIPS 2023) need them
 * ({@link ConfusionMatrix.fineGrained}, {@link ConfusionMatrix.worstCase}). They are stored in
 * growing Float64Arrays: 32 bytes per (image, class present) plus 8 per image, and up to twice
 * that while an array grows (Cityscapes val, 500 images of about 12 classes each: about
 * 200 kB). Without perImage, memory is the C x C matrix alone.
 *
 * Shapes: `update` takes preds and labels of equal length, optionally with `shape`
 * `[B, ...spatial]` (any number of spatial axes, at least one: each of the B images is one
 * image of the per-image mode). Options: {@link ConfusionMatrixOptions}.
 * @example
 * ```ts
 * const cm = new ConfusionMatrix(21, { ignore: 255 });
 * for (const { preds, labels } of batches) cm.update(preds, labels);
 * cm.meanIoU(); // dataset mIoU, in percent
 * ```
 */
export class ConfusionMatrix {
  /** Name used in error messages; the tfjs subclass names itself. */
  protected static readonly displayName: string = 'ConfusionMatrix';

  /** The number of classes C: labels and predictions are in [0, C) or `ignore`. */
  readonly numClasses: number;
  /** Label value of void pixels, or null. */
  readonly ignore: number | null;
  /** Score of anything with nothing to score, as a fraction. */
  readonly empty: number;
  /** Whether the per-image mIoU mean is kept. */
  readonly perImage: boolean;

  private readonly name: string;
  /** The classes scored: [0, C) without `ignore`, in order. */
  private readonly classes: number[];
  /** M, row-major: counts[y * C + p]. */
  private readonly counts: Float64Array;
  /**
   * Valid pixels labelled y whose prediction is an `ignore` outside [0, C) (e.g. 255): they
   * have no column in M but still count in L_y and N. An `ignore` inside [0, C) has a column.
   */
  private readonly voidPredictions: Float64Array;
  private total = 0;
  private imageSum = 0;
  private images = 0;
  // Per-image scratch counts, reused from image to image (allocated only with perImage).
  private readonly imageInter: Float64Array;
  private readonly imageLabels: Float64Array;
  private readonly imagePreds: Float64Array;
  /** Per-image records (perImage only): 4 numbers each, see ImageRecords. */
  private records = new Float64Array(0);
  private recordCount = 0;
  /** Per recorded image, the end of its records. */
  private imageEnds = new Float64Array(0);

  /**
   * An empty matrix for `numClasses` classes.
   *
   * @param numClasses C >= 1: labels and predictions are integers in [0, C) or `ignore`.
   * @param options empty (default none: NaN), ignore (default null), perImage (default false).
   * @throws TypeError / RangeError naming the argument on a bad class count or option.
   * @example
   * ```ts
   * const cm = new ConfusionMatrix(3);
   * ```
   */
  constructor(numClasses: number, options: ConfusionMatrixOptions = {}) {
    const fn = (new.target as typeof ConfusionMatrix).displayName;
    this.name = fn;
    const opts = resolveOptions(fn, CONFUSION_MATRIX_OPTIONS, options);
    const C = checkNumClasses(fn, numClasses);
    this.numClasses = C;
    this.empty = opts.empty;
    this.ignore = opts.ignore;
    this.perImage = opts.perImage;
    this.classes = [];
    for (let c = 0; c < C; c++) if (c !== this.ignore) this.classes.push(c);
    if (this.classes.length === 0) {
      // Every label would be void: there is nothing to score and mIoU would be a mean of nothing.
      throw new RangeError(
        `${fn}: 'ignore' ${this.ignore} leaves no class to score with numClasses ${C}`,
      );
    }
    this.counts = new Float64Array(C * C);
    this.voidPredictions = new Float64Array(C);
    const scratch = this.perImage ? C : 0;
    this.imageInter = new Float64Array(scratch);
    this.imageLabels = new Float64Array(scratch);
    this.imagePreds = new Float64Array(scratch);
  }

  /**
   * Adds a batch of label masks. preds and labels hold integers in [0, numClasses) or `ignore`
   * and have equal lengths; `shape` `[B, ...spatial]`, when given, must match that length. Pixels
   * labelled `ignore` are skipped. With perImage the batch is split into B images of the product
   * of the spatial dimensions' pixels (without `shape` the whole call is one image).
   *
   * The inputs are validated in full before anything is counted, so a throwing call leaves the
   * matrix as it was; they are never written to. Returns `this`, for chaining.
   * @example
   * ```ts
   * cm.update(Int32Array.from([0, 1, 1, 0]), Int32Array.from([0, 1, 0, 255]), [1, 2, 2]);
   * ```
   */
  update(preds: NumericArray, labels: NumericArray, shape?: readonly number[]): this {
    return this.accumulate(`${this.name}.update`, preds, labels, shape);
  }

  /**
   * The body of `update`, with the name errors report; subclasses that convert their inputs
   * call it under their own name.
   */
  protected accumulate(
    fn: string,
    preds: NumericArray,
    labels: NumericArray,
    shape: readonly number[] | undefined,
  ): this {
    checkArray(fn, 'preds', preds);
    checkArray(fn, 'labels', labels);
    const n = preds.length;
    let groups = 1;
    if (shape === undefined) {
      if (labels.length !== n) {
        throw new RangeError(`${fn}: 'labels' has ${labels.length} values but 'preds' has ${n}`);
      }
    } else {
      const { batch: B, pixels } = pixelGeometry(fn, 'shape', shape);
      checkLength(fn, 'preds', preds, B * pixels, `shape ${formatShape(shape)}`);
      checkLength(fn, 'labels', labels, B * pixels, `shape ${formatShape(shape)}`);
      groups = B;
    }
    const C = this.numClasses;
    checkLabels(fn, 'preds', preds, C, this.ignore);
    checkLabels(fn, 'labels', labels, C, this.ignore);
    if (this.perImage) {
      const per = groups === 0 ? 0 : n / groups;
      for (let g = 0; g < groups; g++) this.addImage(preds, labels, g * per, (g + 1) * per);
    } else {
      this.addPixels(preds, labels, 0, n);
    }
    return this;
  }

  /** Counts pixels [from, to) into M (the hot loop of the dataset metrics). */
  private addPixels(preds: NumericArray, labels: NumericArray, from: number, to: number): void {
    const C = this.numClasses;
    const m = this.counts;
    const voids = this.voidPredictions;
    const ign = this.ignore ?? Number.NaN;
    // An ignore label inside [0, C) has its own column; only one outside needs the side count.
    const outside = this.ignore !== null && (this.ignore < 0 || this.ignore >= C);
    let valid = 0;
    for (let i = from; i < to; i++) {
      const y = labels[i];
      if (y === ign) continue;
      const p = preds[i];
      valid++;
      if (outside && p === ign) voids[y]++;
      else m[y * C + p]++;
    }
    this.total += valid;
  }

  /** Counts one image's pixels [from, to) into M and adds its mIoU to the running mean. */
  private addImage(preds: NumericArray, labels: NumericArray, from: number, to: number): void {
    this.addPixels(preds, labels, from, to);
    const inter = this.imageInter;
    const labelCount = this.imageLabels;
    const predCount = this.imagePreds;
    inter.fill(0);
    labelCount.fill(0);
    predCount.fill(0);
    const ign = this.ignore ?? Number.NaN;
    for (let i = from; i < to; i++) {
      const y = labels[i];
      if (y === ign) continue;
      const p = preds[i];
      labelCount[y]++;
      if (p !== ign) predCount[p]++;
      if (p === y) inter[y]++;
    }
    let sum = 0;
    let present = 0;
    for (const c of this.classes) {
      const union = labelCount[c] + predCount[c] - inter[c];
      if (union === 0) continue;
      sum += inter[c] / union;
      present++;
    }
    if (present === 0) return;
    this.imageSum += sum / present;
    this.images++;
    this.recordImage();
  }

  /** Appends the scratch counts of the image just added to the per-image records. */
  private recordImage(): void {
    for (const c of this.classes) {
      const l = this.imageLabels[c];
      const p = this.imagePreds[c];
      if (l + p === 0) continue;
      this.pushRecord(c, this.imageInter[c], l, p);
    }
    this.pushImageEnd(this.recordCount);
  }

  private pushRecord(c: number, inter: number, labelled: number, predicted: number): void {
    if (4 * (this.recordCount + 1) > this.records.length) {
      const grown = new Float64Array(Math.max(64, 2 * this.records.length));
      grown.set(this.records);
      this.records = grown;
    }
    const at = 4 * this.recordCount++;
    this.records[at] = c;
    this.records[at + 1] = inter;
    this.records[at + 2] = labelled;
    this.records[at + 3] = predicted;
  }

  private pushImageEnd(end: number): void {
    const i = this.images - 1;
    if (i >= this.imageEnds.length) {
      const grown = new Float64Array(Math.max(16, 2 * this.imageEnds.length));
      grown.set(this.imageEnds);
      this.imageEnds = grown;
    }
    this.imageEnds[i] = end;
  }

  /**
   * Forgets every pixel and image seen; the options stay. Returns `this`.
   *
   * @example
   * ```ts
   * cm.reset().update(preds, labels); // start a new evaluation
   * ```
   */
  reset(): this {
    this.counts.fill(0);
    this.voidPredictions.fill(0);
    this.total = 0;
    this.imageSum = 0;
    this.images = 0;
    this.recordCount = 0;
    return this;
  }

  /**
   * A copy of M as a row-major Float64Array of numClasses * numClasses counts: entry
   * [y * numClasses + p] counts the valid pixels labelled y and predicted p. Row `ignore` is
   * zero; a pixel predicted as an `ignore` outside [0, numClasses) has no column, so the
   * entries then sum to less than `count()`.
   *
   * @example
   * ```ts
   * const m = cm.matrix(); // m[y * cm.numClasses + p]
   * ```
   */
  matrix(): Float64Array {
    return this.counts.slice();
  }

  /**
   * N: the number of valid pixels (label not `ignore`) seen since construction or reset.
   *
   * @example
   * ```ts
   * if (cm.count() === 0) console.log('no valid pixel yet');
   * ```
   */
  count(): number {
    return this.total;
  }

  /**
   * The number of images in the per-image mean: images with at least one valid pixel. 0 when
   * perImage is false.
   *
   * @example
   * ```ts
   * cm.imageCount(); // images averaged by perImageMeanIoU()
   * ```
   */
  imageCount(): number {
    return this.images;
  }

  /**
   * Per-class IoU over everything seen, in percent: one entry per class in [0, numClasses)
   * other than `ignore`, in class order; NaN (or `100 * empty` when `empty` was given) for a
   * class whose union is empty, i.e. absent from both labels and predictions (every class
   * before the first pixel). With `empty` given it equals `iou(preds, labels, shape,
   * numClasses, { ignore, empty })` on all the data at once, bit for bit.
   *
   * @example
   * ```ts
   * const perClass = cm.iou(); // e.g. [92.1, 75.4, 60.2], percent
   * ```
   */
  iou(): number[] {
    const C = this.numClasses;
    const m = this.counts;
    return this.classes.map((c) => {
      const inter = m[c * C + c];
      const union = this.labelTotal(c) + this.predTotal(c) - inter;
      // The same operations as the core `iou`, so that both round alike.
      return union === 0 ? 100 * this.empty : 100 * (inter / union);
    });
  }

  /**
   * Mean of {@link ConfusionMatrix.iou} over its entries that are not NaN (the dataset mIoU:
   * classes absent from both labels and predictions are left out), in percent; NaN when every
   * entry is (nothing seen yet). With `empty` given no entry is NaN and all count.
   *
   * @example
   * ```ts
   * console.log(`mIoU ${cm.meanIoU().toFixed(1)}%`);
   * ```
   */
  meanIoU(): number {
    let sum = 0;
    let n = 0;
    for (const v of this.iou()) {
      if (Number.isNaN(v)) continue;
      sum += v;
      n++;
    }
    return n === 0 ? Number.NaN : sum / n;
  }

  /**
   * Fraction of valid pixels predicted right, in percent: sum_c M[c][c] / N. With no valid
   * pixel seen it is `100 * empty`, like every score of an empty set here (check `count()` to
   * tell that case apart).
   *
   * @example
   * ```ts
   * cm.pixelAccuracy(); // percent
   * ```
   */
  pixelAccuracy(): number {
    if (this.total === 0) return 100 * this.empty;
    const C = this.numClasses;
    let trace = 0;
    for (const c of this.classes) trace += this.counts[c * C + c];
    return (100 * trace) / this.total;
  }

  /**
   * Frequency-weighted IoU, in percent: sum_c (L_c / N) * IoU_c over the classes other than
   * `ignore`, with L_c the valid pixels labelled c and N all valid pixels (the frequencies sum
   * to 1). A class with an empty union has L_c = 0, so `empty` never enters the sum; with no
   * valid pixel seen it is `100 * empty`.
   *
   * @example
   * ```ts
   * cm.frequencyWeightedIoU(); // percent
   * ```
   */
  frequencyWeightedIoU(): number {
    if (this.total === 0) return 100 * this.empty;
    const C = this.numClasses;
    let sum = 0;
    for (const c of this.classes) {
      const labelled = this.labelTotal(c);
      if (labelled === 0) continue;
      const inter = this.counts[c * C + c];
      sum += labelled * (inter / (labelled + this.predTotal(c) - inter));
    }
    return (100 * sum) / this.total;
  }

  /**
   * Mean over images of each image's mIoU (over the classes present in that image, see the
   * class comment), in percent; `100 * empty` before the first image with a valid pixel.
   * Throws unless the matrix was built with perImage: true.
   *
   * @example
   * ```ts
   * const cm = new ConfusionMatrix(21, { perImage: true });
   * cm.update(preds, labels, [B, H, W]).perImageMeanIoU(); // mean of per-image mIoUs
   * ```
   */
  perImageMeanIoU(): number {
    if (!this.perImage) {
      throw new Error(
        `${this.name}.perImageMeanIoU: needs { perImage: true } in the constructor, got perImage false`,
      );
    }
    if (this.images === 0) return 100 * this.empty;
    return (100 * this.imageSum) / this.images;
  }

  /**
   * The fine-grained metrics of Wang et al. (NeurIPS 2023), in percent, as the authors' code
   * defines them (zifuwanggg/JDTLosses, metrics/accuracy_metric.py). Per class c and image i,
   * with TP, FP, FN counted over valid pixels (a prediction equal to `ignore` is a FN of its
   * pixel's label) and "present" meaning the class occurs in the image's valid labels:
   *
   * ```text
   * Acc    = sum_c TP_c / N                                   (dataset counts)
   * mAccD  = mean_c TP_c / (TP_c + FN_c)                      (dataset counts per class)
   * mIoUD  = mean_c TP_c / (TP_c + FP_c + FN_c)               (= meanIoU())
   * mDiceD = mean_c 2 TP_c / (2 TP_c + FP_c + FN_c)
   * mXI    = mean_i [ mean over the classes c present in i of X_{i,c} ]
   * mXC    = mean_c [ mean over the images i where c is present of X_{i,c} ]
   * ```
   *
   * where X_{i,c} is that image's accuracy, IoU or Dice of class c. The I and C metrics need
   * { perImage: true } (they are NaN without it); images without a valid pixel are left out,
   * as in the reference. Classes other than `ignore` only. Departures from the reference, all
   * where it gives NaN or a meaningless number: a class with no label pixel is left out of
   * mAccD, and one with an empty union out of mIoUD and mDiceD (the reference's plain mean is
   * then NaN); a class present in no image is left out of the C means (NaN, or a sentinel 1e6
   * with q, in the reference); and counts are float64, not the reference's float32. Any
   * metric with nothing to average is NaN. `empty` plays no part here.
   * @example
   * ```ts
   * const cm = new ConfusionMatrix(19, { ignore: 255, perImage: true });
   * cm.update(preds, labels, [B, H, W]);
   * const { mIoUD, mIoUI, mIoUC } = cm.fineGrained();
   * ```
   */
  fineGrained(): FineGrainedMetrics {
    const C = this.numClasses;
    let trace = 0;
    const acc: number[] = [];
    const iou: number[] = [];
    const dice: number[] = [];
    for (const c of this.classes) {
      const tp = this.counts[c * C + c];
      const labelled = this.labelTotal(c);
      const predicted = this.predTotal(c);
      trace += tp;
      if (labelled > 0) acc.push(100 * (tp / labelled));
      const union = labelled + predicted - tp;
      if (union > 0) {
        // As iou() computes it, so that mIoUD is meanIoU() bit for bit.
        iou.push(100 * (tp / union));
        dice.push(100 * ((2 * tp) / (labelled + predicted)));
      }
    }
    const perImage = this.perImage
      ? imageAndClassMetrics(this.imageRecords())
      : {
          mAccI: Number.NaN,
          mIoUI: Number.NaN,
          mDiceI: Number.NaN,
          mAccC: Number.NaN,
          mIoUC: Number.NaN,
          mDiceC: Number.NaN,
        };
    return {
      Acc: this.total === 0 ? Number.NaN : (100 * trace) / this.total,
      mAccD: mean(acc),
      mIoUD: mean(iou),
      mDiceD: mean(dice),
      ...perImage,
    };
  }

  /**
   * The worst-case metrics of Wang et al. (NeurIPS 2023) for a percentage q, in percent: mXI
   * over the worst k = max(1, floor(q / 100 * n)) of the n images (lowest per-image X first),
   * and mXC as the mean over classes of the mean over the class's worst max(1, floor(q / 100 *
   * n_c)) of the n_c images where it is present (see {@link ConfusionMatrix.fineGrained} for X
   * and "present"). The counts are floored as the reference floors them (in float64 for
   * images, float32 for classes), which differs from exact arithmetic only where q / 100 * n
   * is within rounding of an integer. q = 100 gives the fineGrained I and C metrics. NaN with
   * no image. Needs { perImage: true }.
   *
   * @param q the percentage of worst images, a number in (0, 100]; the paper reports q = 10.
   * @throws Error without perImage; RangeError for q outside (0, 100].
   * @example
   * ```ts
   * const cm = new ConfusionMatrix(19, { ignore: 255, perImage: true });
   * cm.update(preds, labels, [B, H, W]);
   * cm.worstCase(10).mIoUI; // mIoU of the worst 10% of images
   * ```
   */
  worstCase(q: number): WorstCaseMetrics {
    const fn = `${this.name}.worstCase`;
    if (!this.perImage) {
      throw new Error(`${fn}: needs { perImage: true } in the constructor, got perImage false`);
    }
    if (typeof q !== 'number' || !(q > 0 && q <= 100)) {
      throw new RangeError(`${fn}: 'q' must be a percentage in (0, 100], got ${String(q)}`);
    }
    return worstCaseMetrics(this.imageRecords(), q);
  }

  /**
   * Everything counted so far as a plain object of numbers and Float64Arrays, which can cross a
   * worker boundary (postMessage) or be stored, and be added to another matrix with
   * {@link ConfusionMatrix.merge}. The matrix is kept sparse: `cells` holds [index, count]
   * pairs of its non-zero entries (index y * numClasses + p). The arrays are copies.
   *
   * @example
   * ```ts
   * // typed arrays and numbers: a worker's postMessage carries it to the parent
   * const state = cm.toState();
   * const copy = new ConfusionMatrix(cm.numClasses, { ignore: cm.ignore, perImage: cm.perImage });
   * copy.merge(state);
   * ```
   */
  toState(): ConfusionMatrixState {
    let nonZero = 0;
    for (const v of this.counts) if (v !== 0) nonZero++;
    const cells = new Float64Array(2 * nonZero);
    let k = 0;
    for (let i = 0; i < this.counts.length; i++) {
      if (this.counts[i] === 0) continue;
      cells[k++] = i;
      cells[k++] = this.counts[i];
    }
    return {
      numClasses: this.numClasses,
      ignore: this.ignore,
      perImage: this.perImage,
      total: this.total,
      cells,
      voidPredictions: this.voidPredictions.slice(),
      images: this.images,
      imageSum: this.imageSum,
      records: this.records.slice(0, 4 * this.recordCount),
      imageEnds: this.imageEnds.slice(0, this.images),
    };
  }

  /**
   * Adds another matrix's counts (a ConfusionMatrix or its {@link ConfusionMatrix.toState}),
   * as if its updates had followed this one's: the counts add exactly (integers below 2^53),
   * its images come after this one's. Merging one image at a time, in order, gives exactly the
   * numbers (every bit) of updating one matrix with all of them; merging bigger parts can
   * change the last bits of perImageMeanIoU (a sum of partial sums) and nothing else. Both must
   * have the same numClasses, ignore and perImage. Validated in full before anything is added.
   * Returns `this`.
   *
   * @throws TypeError / RangeError naming 'other' and the mismatch.
   * @example
   * ```ts
   * const statesInImageOrder: ConfusionMatrixState[] = []; // e.g. from workers, in order
   * const total = new ConfusionMatrix(19, { ignore: 255, perImage: true });
   * for (const state of statesInImageOrder) total.merge(state);
   * ```
   */
  merge(other: ConfusionMatrix | ConfusionMatrixState): this {
    const fn = `${this.name}.merge`;
    const state = other instanceof ConfusionMatrix ? other.toState() : other;
    checkState(fn, state, this.numClasses, this.ignore, this.perImage);
    const C = this.numClasses;
    const { cells } = state;
    for (let k = 0; k < cells.length; k += 2) this.counts[cells[k]] += cells[k + 1];
    for (let c = 0; c < C; c++) this.voidPredictions[c] += state.voidPredictions[c];
    this.total += state.total;
    this.imageSum += state.imageSum;
    let from = 0;
    for (let i = 0; i < state.images; i++) {
      const end = state.imageEnds[i];
      for (let r = from; r < end; r++) {
        const at = 4 * r;
        const rec = state.records;
        this.pushRecord(rec[at], rec[at + 1], rec[at + 2], rec[at + 3]);
      }
      this.images++;
      this.pushImageEnd(this.recordCount);
      from = end;
    }
    return this;
  }

  /** The per-image records, as the fine-grained metrics read them. */
  private imageRecords(): ImageRecords {
    return {
      records: this.records,
      ends: this.imageEnds,
      images: this.images,
      numClasses: this.numClasses,
    };
  }

  /** L_c: valid pixels labelled c (row total, with predictions of an outside `ignore`). */
  private labelTotal(c: number): number {
    const C = this.numClasses;
    let sum = this.voidPredictions[c];
    for (let p = 0; p < C; p++) sum += this.counts[c * C + p];
    return sum;
  }

  /** P_c: valid pixels predicted c (column total). */
  private predTotal(c: number): number {
    const C = this.numClasses;
    let sum = 0;
    for (let y = 0; y < C; y++) sum += this.counts[y * C + c];
    return sum;
  }
}

/**
 * What {@link ConfusionMatrix.toState} returns and {@link ConfusionMatrix.merge} accepts: every
 * count of a matrix as numbers and Float64Arrays (structured-cloneable).
 *
 * @example
 * ```ts
 * const state: ConfusionMatrixState = cm.toState();
 * ```
 */
export interface ConfusionMatrixState {
  /** The matrix's numClasses; merge requires the same. */
  numClasses: number;
  /** The matrix's ignore label; merge requires the same. */
  ignore: number | null;
  /** Whether per-image records are kept; merge requires the same. */
  perImage: boolean;
  /** N, the valid pixels. */
  total: number;
  /** [index, count] pairs of the non-zero entries of M, index = y * numClasses + p. */
  cells: Float64Array;
  /** Per label y, valid pixels predicted as an `ignore` outside [0, numClasses). */
  voidPredictions: Float64Array;
  /** Images with a valid pixel (perImage only; else 0). */
  images: number;
  /** Sum of their per-image mIoUs, as fractions. */
  imageSum: number;
  /** Per (image, class with a non-empty union): class, intersection, label count, prediction count. */
  records: Float64Array;
  /** Per image, the end (in records) of its records. */
  imageEnds: Float64Array;
}

/** Mean of percentages, NaN for none. */
function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function isCount(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

/** Throws unless `state` is a well-formed state of a matrix with these settings. */
function checkState(
  fn: string,
  state: unknown,
  numClasses: number,
  ignore: number | null,
  perImage: boolean,
): asserts state is ConfusionMatrixState {
  const bad = (what: string): never => {
    throw new TypeError(`${fn}: 'other' ${what}`);
  };
  if (state === null || typeof state !== 'object')
    bad(`must be a ConfusionMatrix or its toState(), got ${String(state)}`);
  const s = state as ConfusionMatrixState;
  if (s.numClasses !== numClasses || s.ignore !== ignore || s.perImage !== perImage) {
    throw new RangeError(
      `${fn}: 'other' has numClasses ${s.numClasses}, ignore ${s.ignore}, perImage ${s.perImage}; ` +
        `this matrix has numClasses ${numClasses}, ignore ${ignore}, perImage ${perImage}`,
    );
  }
  for (const key of ['cells', 'voidPredictions', 'records', 'imageEnds'] as const) {
    if (!(s[key] instanceof Float64Array)) bad(`'${key}' must be a Float64Array`);
  }
  const C = numClasses;
  if (s.cells.length % 2 !== 0)
    bad(`'cells' must hold [index, count] pairs, got ${s.cells.length} numbers`);
  let sum = 0;
  for (let k = 0; k < s.cells.length; k += 2) {
    const index = s.cells[k];
    const count = s.cells[k + 1];
    if (!(Number.isInteger(index) && index >= 0 && index < C * C) || !isCount(count)) {
      bad(
        `'cells' has entry [${index}, ${count}]; indices are in [0, ${C * C}), counts are integers >= 0`,
      );
    }
    if (Math.floor(index / C) === ignore) bad(`'cells' counts label ${ignore}, the ignore label`);
    sum += count;
  }
  if (s.voidPredictions.length !== C)
    bad(`'voidPredictions' must have ${C} entries, got ${s.voidPredictions.length}`);
  for (const v of s.voidPredictions) {
    if (!isCount(v)) bad(`'voidPredictions' has ${v}; counts are integers >= 0`);
    sum += v;
  }
  if (!isCount(s.total) || s.total !== sum)
    bad(`'total' ${s.total} is not the sum of its counts, ${sum}`);
  if (!isCount(s.images) || s.imageEnds.length !== s.images)
    bad(`has ${s.images} images but ${s.imageEnds.length} image ends`);
  if (!perImage && s.images !== 0) bad(`has ${s.images} images without perImage`);
  if (typeof s.imageSum !== 'number' || !(s.imageSum >= 0 && s.imageSum <= s.images))
    bad(`'imageSum' ${s.imageSum} is not in [0, images]`);
  let previous = 0;
  for (const end of s.imageEnds) {
    if (!(Number.isInteger(end) && end > previous))
      bad(`'imageEnds' must increase from 1, got ${end} after ${previous}`);
    previous = end;
  }
  if (s.records.length !== 4 * previous)
    bad(`'records' must hold ${4 * previous} numbers, got ${s.records.length}`);
  for (let r = 0; r < previous; r++) {
    const c = s.records[4 * r];
    const inter = s.records[4 * r + 1];
    const l = s.records[4 * r + 2];
    const p = s.records[4 * r + 3];
    const ok =
      Number.isInteger(c) &&
      c >= 0 &&
      c < C &&
      c !== ignore &&
      isCount(inter) &&
      isCount(l) &&
      isCount(p) &&
      inter <= l &&
      inter <= p &&
      l + p > 0;
    if (!ok)
      bad(
        `'records' has record [${c}, ${inter}, ${l}, ${p}] (class, intersection, labels, predictions)`,
      );
  }
}
