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
   * empty, and every metric before the first valid pixel (or image).
   * @default 1
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
  empty: emptyOption(1),
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
 * IoU_c = M[c][c] / (L_c + P_c - M[c][c])      (`empty` when the union is empty)
 * mIoU  = mean over c of IoU_c
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
 * for absent classes. Memory stays constant: a running sum and a count.
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

  /**
   * An empty matrix for `numClasses` classes.
   *
   * @param numClasses C >= 1: labels and predictions are integers in [0, C) or `ignore`.
   * @param options empty (default 1), ignore (default null), perImage (default false).
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
   * other than `ignore`, in class order; `100 * empty` for a class whose union is empty (every
   * class before the first pixel). Equals `iou(preds, labels, shape, numClasses, { ignore,
   * empty })` on all the data at once, bit for bit.
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
   * Mean of {@link ConfusionMatrix.iou} over its entries (the dataset mIoU), in percent.
   *
   * @example
   * ```ts
   * console.log(`mIoU ${cm.meanIoU().toFixed(1)}%`);
   * ```
   */
  meanIoU(): number {
    const ious = this.iou();
    let sum = 0;
    for (const v of ious) sum += v;
    return sum / ious.length;
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
