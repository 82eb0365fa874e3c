/**
 * A plain reference implementation of the losses and metrics, used only by the tests.
 *
 * It follows the paper (Berman et al. 2018, Algorithm 1) literally: float64 errors, a
 * comparator sort, Jaccard values from cumulative sums and their differences as the gradient.
 * It is slow and has no tricks on purpose: the core is checked against it, so it must be
 * obviously correct rather than fast. Predictions are read at float32 precision (Math.fround),
 * as the core does; gradients are Float64Array.
 */

export interface RefResult {
  loss: number;
  grad: Float64Array;
}

/** How equal errors are ordered: by increasing pixel index (the core's rule) or decreasing. */
export type TieRule = 'increasing' | 'decreasing';

/** Indices of `errors` by decreasing error, ties by increasing (or decreasing) index. */
export function sortedOrder(errors: readonly number[], ties: TieRule = 'increasing'): number[] {
  const order = errors.map((_, i) => i);
  const sign = ties === 'increasing' ? 1 : -1;
  order.sort((a, b) => {
    if (errors[a] !== errors[b]) return errors[a] > errors[b] ? -1 : 1;
    return sign * (a - b);
  });
  return order;
}

/** Algorithm 1 of the paper, as written: the gradient of the Lovász extension of Jaccard. */
export function refLovaszGrad(gtSorted: readonly number[]): number[] {
  const p = gtSorted.length;
  if (p === 0) return [];
  const gts = gtSorted.reduce((s, g) => s + g, 0);
  const jaccard: number[] = [];
  let cumGt = 0;
  let cumNotGt = 0;
  for (let i = 0; i < p; i++) {
    cumGt += gtSorted[i];
    cumNotGt += 1 - gtSorted[i];
    const intersection = gts - cumGt;
    const union = gts + cumNotGt;
    jaccard.push(1 - intersection / union);
  }
  const grad = jaccard.slice();
  for (let i = p - 1; i >= 1; i--) grad[i] = jaccard[i] - jaccard[i - 1];
  return grad;
}

/**
 * The Lovász loss of one flat set of pixels given their errors and ground truth (0/1):
 * sum_i f(e_sorted_i) * grad_i with f = relu (hinge) or the identity. Returns the loss and
 * d loss / d e_i for every pixel i (in input order).
 */
export function refLovaszFlat(
  errors: readonly number[],
  gt: readonly number[],
  relu: boolean,
  ties: TieRule = 'increasing',
): { loss: number; dErrors: number[] } {
  const order = sortedOrder(errors, ties);
  const grad = refLovaszGrad(order.map((i) => gt[i]));
  const dErrors = errors.map(() => 0);
  let loss = 0;
  for (let r = 0; r < order.length; r++) {
    const e = errors[order[r]];
    if (relu) {
      loss += Math.max(e, 0) * grad[r];
      dErrors[order[r]] = e > 0 ? grad[r] : 0;
    } else {
      loss += e * grad[r];
      dErrors[order[r]] = grad[r];
    }
  }
  return { loss, dErrors };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export interface RefHingeOptions {
  perImage?: boolean;
  ignore?: number | null;
  ties?: TieRule;
}

/** Lovász hinge of logits [B, H, W] with labels 0/1/ignore; perImage defaults to true. */
export function refLovaszHinge(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  [B, H, W]: readonly number[],
  { perImage = true, ignore = null, ties = 'increasing' }: RefHingeOptions = {},
): RefResult {
  const size = B * H * W;
  const grad = new Float64Array(size);
  const groups = perImage ? B : 1;
  if (groups === 0 || size === 0) return { loss: 0, grad };
  const per = size / groups;
  let loss = 0;
  for (let g = 0; g < groups; g++) {
    const pixels = range(per)
      .map((i) => g * per + i)
      .filter((px) => labels[px] !== ignore);
    const signs = pixels.map((px) => 2 * labels[px] - 1);
    const errors = pixels.map((px, j) => 1 - signs[j] * Math.fround(logits[px]));
    const gt = pixels.map((px) => labels[px]);
    const flat = refLovaszFlat(errors, gt, true, ties);
    loss += flat.loss;
    pixels.forEach((px, j) => {
      grad[px] = (-signs[j] * flat.dErrors[j]) / groups;
    });
  }
  return { loss: loss / groups, grad };
}

export type RefClasses = 'present' | 'all' | readonly number[];

export interface RefSoftmaxOptions {
  classes?: RefClasses;
  perImage?: boolean;
  ignore?: number | null;
  layout?: 'NHWC' | 'NCHW';
  ties?: TieRule;
}

/**
 * Lovász-Softmax of probabilities [B, H, W, C] (NHWC), [B, C, H, W] (NCHW) or [B, H, W]
 * (one sigmoid channel, the probability of the single class listed in `classes`).
 */
export function refLovaszSoftmax(
  probas: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: readonly number[],
  {
    classes = 'present',
    perImage = false,
    ignore = null,
    layout = 'NHWC',
    ties = 'increasing',
  }: RefSoftmaxOptions = {},
): RefResult {
  const sigmoid = shape.length === 3;
  const [B, H, W, C] = sigmoid
    ? [shape[0], shape[1], shape[2], 1]
    : layout === 'NHWC'
      ? shape
      : [shape[0], shape[2], shape[3], shape[1]];
  const HW = H * W;
  // Offset in `probas` of image b, pixel i (within the image), channel c.
  const offset = (b: number, i: number, c: number): number =>
    sigmoid ? b * HW + i : layout === 'NHWC' ? (b * HW + i) * C + c : (b * C + c) * HW + i;
  const grad = new Float64Array(B * HW * C);
  const groups = perImage ? B : 1;
  if (groups === 0 || HW === 0) return { loss: 0, grad };
  const imagesPerGroup = B / groups;
  let loss = 0;
  for (let g = 0; g < groups; g++) {
    // Valid pixels of the group as [image, pixel] pairs, in increasing pixel order.
    const pixels: [number, number][] = [];
    for (let b = g * imagesPerGroup; b < (g + 1) * imagesPerGroup; b++)
      for (let i = 0; i < HW; i++) if (labels[b * HW + i] !== ignore) pixels.push([b, i]);
    if (pixels.length === 0) continue;
    const labelOf = ([b, i]: [number, number]) => labels[b * HW + i];
    let considered: readonly number[];
    if (classes === 'present') considered = [...new Set(pixels.map(labelOf))].sort((a, b) => a - b);
    else if (classes === 'all') considered = range(C);
    else considered = classes;
    if (considered.length === 0) continue;
    let groupLoss = 0;
    for (const c of considered) {
      const channel = sigmoid ? 0 : c;
      const fg = pixels.map((px) => (labelOf(px) === c ? 1 : 0));
      const p = pixels.map(([b, i]) => Math.fround(probas[offset(b, i, channel)]));
      const errors = p.map((pj, j) => Math.abs(fg[j] - pj));
      const flat = refLovaszFlat(errors, fg, false, ties);
      groupLoss += flat.loss;
      pixels.forEach(([b, i], j) => {
        grad[offset(b, i, channel)] =
          (Math.sign(p[j] - fg[j]) * flat.dErrors[j]) / (groups * considered.length);
      });
    }
    loss += groupLoss / considered.length;
  }
  return { loss: loss / groups, grad };
}

/** log(1 + e^z), written so that e^z cannot overflow: z + log(1 + e^-z) for z > 0. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Binary cross-entropy from logits, mean over the valid pixels. */
export function refBinaryXloss(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  { ignore = null }: { ignore?: number | null } = {},
): RefResult {
  const n = logits.length;
  const grad = new Float64Array(n);
  const valid = range(n).filter((i) => labels[i] !== ignore);
  if (valid.length === 0) return { loss: 0, grad };
  let loss = 0;
  for (const i of valid) {
    const x = Math.fround(logits[i]);
    const y = labels[i];
    // -log(sigmoid(x)) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x).
    loss += y === 1 ? softplus(-x) : softplus(x);
    grad[i] = (1 / (1 + Math.exp(-x)) - y) / valid.length;
  }
  return { loss: loss / valid.length, grad };
}

/** Softmax cross-entropy from logits [B, H, W, C] or [B, C, H, W]; ignore defaults to 255. */
export function refXloss(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: readonly number[],
  { ignore = 255, layout = 'NHWC' }: { ignore?: number | null; layout?: 'NHWC' | 'NCHW' } = {},
): RefResult {
  const [B, H, W, C] = layout === 'NHWC' ? shape : [shape[0], shape[2], shape[3], shape[1]];
  const HW = H * W;
  const offset = (b: number, i: number, c: number): number =>
    layout === 'NHWC' ? (b * HW + i) * C + c : (b * C + c) * HW + i;
  const grad = new Float64Array(B * HW * C);
  const valid = range(B * HW).filter((px) => labels[px] !== ignore);
  if (valid.length === 0) return { loss: 0, grad };
  let loss = 0;
  for (const px of valid) {
    const b = Math.floor(px / HW);
    const i = px % HW;
    const x = range(C).map((c) => Math.fround(logits[offset(b, i, c)]));
    const max = Math.max(...x);
    const sum = x.reduce((s, xc) => s + Math.exp(xc - max), 0);
    const y = labels[px];
    loss += max + Math.log(sum) - x[y];
    for (let c = 0; c < C; c++) {
      grad[offset(b, i, c)] = (Math.exp(x[c] - max) / sum - (c === y ? 1 : 0)) / valid.length;
    }
  }
  return { loss: loss / valid.length, grad };
}

/** Foreground IoU of binary masks [B, H, W], in percent. */
export function refIouBinary(
  preds: ArrayLike<number>,
  labels: ArrayLike<number>,
  [B, H, W]: readonly number[],
  {
    empty = 1,
    ignore = null,
    perImage = true,
  }: { empty?: number; ignore?: number | null; perImage?: boolean } = {},
): number {
  const groups = perImage ? B : 1;
  if (groups === 0) return 100 * empty;
  const per = (B * H * W) / groups;
  let sum = 0;
  for (let g = 0; g < groups; g++) {
    let intersection = 0;
    let union = 0;
    for (let px = g * per; px < (g + 1) * per; px++) {
      const isLabel = labels[px] === 1;
      const isPred = preds[px] === 1 && labels[px] !== ignore;
      if (isLabel && isPred) intersection++;
      if (isLabel || isPred) union++;
    }
    sum += union === 0 ? empty : intersection / union;
  }
  return (100 * sum) / groups;
}

/** Per-class IoU of label masks [B, H, W], in percent, one entry per class other than ignore. */
export function refIou(
  preds: ArrayLike<number>,
  labels: ArrayLike<number>,
  [B, H, W]: readonly number[],
  numClasses: number,
  {
    empty = 1,
    ignore = null,
    perImage = false,
  }: { empty?: number; ignore?: number | null; perImage?: boolean } = {},
): number[] {
  const classes = range(numClasses).filter((c) => c !== ignore);
  const groups = perImage ? B : 1;
  if (groups === 0) return classes.map(() => 100 * empty);
  const per = (B * H * W) / groups;
  return classes.map((c) => {
    let sum = 0;
    for (let g = 0; g < groups; g++) {
      let intersection = 0;
      let union = 0;
      for (let px = g * per; px < (g + 1) * per; px++) {
        const isLabel = labels[px] === c;
        const isPred = preds[px] === c && labels[px] !== ignore;
        if (isLabel && isPred) intersection++;
        if (isLabel || isPred) union++;
      }
      sum += union === 0 ? empty : intersection / union;
    }
    return (100 * sum) / groups;
  });
}
