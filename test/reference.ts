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
  { ignore = null, layout = 'NHWC' }: { ignore?: number | null; layout?: 'NHWC' | 'NCHW' } = {},
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

// ---------------------------------------------------------------------------------------------
// Options added with issue 6: logits, class weights, reductions, multilabel, hinge variants.
// Written from the documented formulas, not from src: per (group, class) the literal
// Algorithm 1 above, then the weighted mean / sum / per-item losses, then the chain rule.
// ---------------------------------------------------------------------------------------------

export type RefReduction = 'mean' | 'sum' | 'none';

/** A reference result with the per-item losses of reduction 'none'. */
export interface RefReducedResult extends RefResult {
  /** Reduction 'none': one loss per image (perImage), per class considered, or per pixel. */
  losses?: number[];
  /** Reduction 'none' with one loss per class: the class of each entry, increasing. */
  classes?: number[];
  /** fromLogits: d loss / d probabilities (float64, before the float32 rounding). */
  gradP?: Float64Array;
}

/**
 * The logistic sigmoid of a float32 logit, rounded to float32. Written in the form that never
 * overflows (1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below), the usual stable sigmoid:
 * another float64 formula could differ in the last bit and round to a neighbouring float32.
 */
export function refSigmoid(x: number): number {
  const z = Math.fround(x);
  return Math.fround(z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
}

/** Softmax of one pixel's logits (read at float32) in float64, max subtracted, then float32. */
export function refSoftmax(logits: readonly number[]): number[] {
  const x = logits.map((v) => Math.fround(v));
  const max = Math.max(...x);
  const exps = x.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const e of exps) sum += e;
  return exps.map((e) => Math.fround(e / sum));
}

/** One (group, class) term: the class loss L and d L / d p at input offsets. */
interface RefTerm {
  cls: number;
  loss: number;
  dP: [number, number][];
}

/**
 * The Lovász loss of one class over a set of pixels: errors |fg - p| (p already float32),
 * Algorithm 1, d L / d p = sign(p - fg) * d L / d e.
 */
function refClassTerm(
  cls: number,
  p: readonly number[],
  fg: readonly number[],
  offsets: readonly number[],
  ties: TieRule,
): RefTerm {
  const errors = p.map((pj, j) => Math.abs(fg[j] - pj));
  const flat = refLovaszFlat(errors, fg, false, ties);
  return {
    cls,
    loss: flat.loss,
    dP: offsets.map((off, j) => [off, Math.sign(p[j] - fg[j]) * flat.dErrors[j]]),
  };
}

/**
 * Weights and reductions over groups (one per image with perImage, else one) of class terms,
 * each group's terms for the classes considered in increasing class order.
 *
 * perImage: l_b = sum_c w_c L_bc / sum_c w_c (0 if that sum is 0 or no class is considered);
 * 'mean' = mean of l_b, 'sum' = sum, 'none' = the l_b. Otherwise: 'mean' = sum_c w_c L_c /
 * sum_c w_c (0 if that sum is 0), 'sum' = sum_c w_c L_c, 'none' = the L_c (unweighted) with
 * their classes. The gradient is that of the loss ('none': of the sum of the losses).
 */
function refReduceTerms(
  groups: RefTerm[][],
  perImage: boolean,
  weights: readonly number[] | null,
  reduction: RefReduction,
  gradLength: number,
): RefReducedResult {
  const grad = new Float64Array(gradLength);
  const w = (c: number) => (weights ? weights[c] : 1);
  const addGrad = (t: RefTerm, factor: number) => {
    for (const [off, g] of t.dP) grad[off] += factor * g;
  };
  if (perImage) {
    const B = groups.length;
    const losses: number[] = [];
    for (const terms of groups) {
      const wsum = terms.reduce((s, t) => s + w(t.cls), 0);
      if (wsum === 0) {
        losses.push(0);
        continue;
      }
      let l = 0;
      for (const t of terms) {
        l += w(t.cls) * t.loss;
        addGrad(t, ((reduction === 'mean' ? 1 / B : 1) * w(t.cls)) / wsum);
      }
      losses.push(l / wsum);
    }
    const total = losses.reduce((s, l) => s + l, 0);
    if (reduction === 'none') return { loss: total, grad, losses };
    return { loss: reduction === 'mean' ? (B === 0 ? 0 : total / B) : total, grad };
  }
  const terms = groups[0] ?? [];
  if (reduction === 'none') {
    for (const t of terms) addGrad(t, 1);
    return {
      loss: terms.reduce((s, t) => s + t.loss, 0),
      grad,
      losses: terms.map((t) => t.loss),
      classes: terms.map((t) => t.cls),
    };
  }
  const wsum = terms.reduce((s, t) => s + w(t.cls), 0);
  if (reduction === 'mean' && wsum === 0) return { loss: 0, grad };
  const norm = reduction === 'mean' ? wsum : 1;
  let loss = 0;
  for (const t of terms) {
    loss += w(t.cls) * t.loss;
    addGrad(t, w(t.cls) / norm);
  }
  return { loss: loss / norm, grad };
}

export interface RefSoftmaxExtOptions extends RefSoftmaxOptions {
  fromLogits?: boolean;
  classWeights?: readonly number[] | null;
  reduction?: RefReduction;
}

/**
 * Lovász-Softmax / -Sigmoid with fromLogits, classWeights and reduction. Shapes as in
 * {@link refLovaszSoftmax}; with fromLogits the input holds logits: softmax over channels
 * (sigmoid with one channel) in float64, each probability rounded to float32, and the
 * gradient w.r.t. the logits by the chain rule from the float32-rounded gradient g w.r.t. p:
 * dz_k = p_k (g_k - sum_j p_j g_j), or g p (1 - p) for the sigmoid.
 */
export function refLovaszSoftmaxExt(
  input: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: readonly number[],
  {
    classes = 'present',
    perImage = false,
    ignore = null,
    layout = 'NHWC',
    ties = 'increasing',
    fromLogits = false,
    classWeights = null,
    reduction = 'mean',
  }: RefSoftmaxExtOptions = {},
): RefReducedResult {
  const rank3 = shape.length === 3;
  const [B, H, W, C] = rank3
    ? [shape[0], shape[1], shape[2], 1]
    : layout === 'NHWC'
      ? shape
      : [shape[0], shape[2], shape[3], shape[1]];
  const HW = H * W;
  const offset = (b: number, i: number, c: number): number =>
    layout === 'NHWC' || rank3 ? (b * HW + i) * C + c : (b * C + c) * HW + i;
  const n = B * HW * C;
  const p: number[] = new Array(n).fill(0);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < HW; i++) {
      const offs = range(C).map((c) => offset(b, i, c));
      const x = offs.map((o) => input[o]);
      const probs = !fromLogits
        ? x.map((v) => Math.fround(v))
        : C === 1
          ? [refSigmoid(x[0])]
          : refSoftmax(x);
      offs.forEach((o, c) => {
        p[o] = probs[c];
      });
    }
  }
  const numLabels = C === 1 ? 2 : C;
  const groupCount = perImage ? B : 1;
  const groups: RefTerm[][] = [];
  for (let g = 0; g < groupCount; g++) {
    const images = perImage ? [g] : range(B);
    const pixels: [number, number][] = [];
    for (const b of images) {
      for (let i = 0; i < HW; i++) if (labels[b * HW + i] !== ignore) pixels.push([b, i]);
    }
    const labelOf = ([b, i]: [number, number]) => labels[b * HW + i];
    let considered: number[];
    if (pixels.length === 0) considered = [];
    else if (classes === 'present')
      considered = range(numLabels).filter((c) => pixels.some((px) => labelOf(px) === c));
    else if (classes === 'all') considered = range(numLabels);
    else considered = [...classes].sort((a, b) => a - b);
    groups.push(
      considered.map((c) => {
        const channel = C === 1 ? 0 : c;
        const offs = pixels.map(([b, i]) => offset(b, i, channel));
        const fg = pixels.map((px) => (labelOf(px) === c ? 1 : 0));
        return refClassTerm(
          c,
          offs.map((o) => p[o]),
          fg,
          offs,
          ties,
        );
      }),
    );
  }
  const result = refReduceTerms(groups, perImage, classWeights, reduction, n);
  if (!fromLogits) return result;
  const gradP = result.grad;
  const gradZ = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < HW; i++) {
      const offs = range(C).map((c) => offset(b, i, c));
      const g = offs.map((o) => Math.fround(gradP[o]));
      if (C === 1) {
        const q = p[offs[0]];
        gradZ[offs[0]] = g[0] * q * (1 - q);
        continue;
      }
      let dot = 0;
      offs.forEach((o, c) => {
        dot += p[o] * g[c];
      });
      offs.forEach((o, c) => {
        gradZ[o] = p[o] * (g[c] - dot);
      });
    }
  }
  return { ...result, grad: gradZ, gradP };
}

export interface RefMultilabelOptions {
  classes?: RefClasses;
  perImage?: boolean;
  ignore?: number | null;
  layout?: 'NHWC' | 'NCHW';
  fromLogits?: boolean;
  classWeights?: readonly number[] | null;
  reduction?: RefReduction;
  ties?: TieRule;
}

/**
 * Multilabel Lovász: probabilities (or logits, through an element-wise sigmoid) and targets of
 * the same shape [B, H, W, C] / [B, C, H, W]. Channel c: valid where target != ignore, fg =
 * (target == 1); a channel with no valid pixel in the group is not considered, and 'present'
 * also needs a valid target 1. Then weights and reductions as for the softmax.
 */
export function refLovaszMultilabel(
  input: ArrayLike<number>,
  targets: ArrayLike<number>,
  shape: readonly number[],
  {
    classes = 'present',
    perImage = false,
    ignore = null,
    layout = 'NHWC',
    fromLogits = false,
    classWeights = null,
    reduction = 'mean',
    ties = 'increasing',
  }: RefMultilabelOptions = {},
): RefReducedResult {
  const [B, H, W, C] = layout === 'NHWC' ? shape : [shape[0], shape[2], shape[3], shape[1]];
  const HW = H * W;
  const offset = (b: number, i: number, c: number): number =>
    layout === 'NHWC' ? (b * HW + i) * C + c : (b * C + c) * HW + i;
  const n = B * HW * C;
  const p = Array.from({ length: n }, (_, o) =>
    fromLogits ? refSigmoid(input[o]) : Math.fround(input[o]),
  );
  const groupCount = perImage ? B : 1;
  const groups: RefTerm[][] = [];
  for (let g = 0; g < groupCount; g++) {
    const images = perImage ? [g] : range(B);
    const candidates =
      classes === 'present' || classes === 'all' ? range(C) : [...classes].sort((a, b) => a - b);
    const terms: RefTerm[] = [];
    for (const c of candidates) {
      const offs: number[] = [];
      for (const b of images) {
        for (let i = 0; i < HW; i++) {
          if (targets[offset(b, i, c)] !== ignore) offs.push(offset(b, i, c));
        }
      }
      const fg = offs.map((o) => (targets[o] === 1 ? 1 : 0));
      if (offs.length === 0) continue;
      if (classes === 'present' && !fg.includes(1)) continue;
      terms.push(
        refClassTerm(
          c,
          offs.map((o) => p[o]),
          fg,
          offs,
          ties,
        ),
      );
    }
    groups.push(terms);
  }
  const result = refReduceTerms(groups, perImage, classWeights, reduction, n);
  if (!fromLogits) return result;
  const gradP = result.grad;
  const gradZ = gradP.map((gp, o) => Math.fround(gp) * p[o] * (1 - p[o]));
  return { ...result, grad: gradZ, gradP };
}

/**
 * The Lovász loss of one flat set of pixels with any function f of the sorted errors:
 * sum_i f(e_sorted_i) * grad_i, and d loss / d e_i = f'(e_i) * grad at i's rank.
 */
export function refLovaszFlatWith(
  errors: readonly number[],
  gt: readonly number[],
  f: (e: number) => number,
  df: (e: number) => number,
  ties: TieRule = 'increasing',
): { loss: number; dErrors: number[] } {
  const order = sortedOrder(errors, ties);
  const grad = refLovaszGrad(order.map((i) => gt[i]));
  const dErrors = errors.map(() => 0);
  let loss = 0;
  order.forEach((px, r) => {
    loss += f(errors[px]) * grad[r];
    dErrors[px] = df(errors[px]) * grad[r];
  });
  return { loss, dErrors };
}

export interface RefHingeExtOptions extends RefHingeOptions {
  variant?: 'relu' | 'elu+1';
  symmetric?: boolean;
  reduction?: RefReduction;
}

/**
 * Lovász hinge with variants: f = relu, or elu + 1 (f(e) = e + 1 for e > 0, exp(e) otherwise,
 * f'(e) = 1 for e > 0, exp(e) otherwise); symmetric = (L(logits, y) + L(-logits, 1 - y)) / 2,
 * computed literally as two losses; reductions over the per-image (or single) losses.
 */
export function refLovaszHingeExt(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  [B, H, W]: readonly number[],
  {
    perImage = true,
    ignore = null,
    ties = 'increasing',
    variant = 'relu',
    symmetric = false,
    reduction = 'mean',
  }: RefHingeExtOptions = {},
): RefReducedResult {
  const size = B * H * W;
  const grad = new Float64Array(size);
  const groups = perImage ? B : 1;
  const f =
    variant === 'relu'
      ? (e: number) => Math.max(e, 0)
      : (e: number) => (e > 0 ? e + 1 : Math.exp(e));
  const df =
    variant === 'relu' ? (e: number) => (e > 0 ? 1 : 0) : (e: number) => (e > 0 ? 1 : Math.exp(e));
  const losses: number[] = [];
  const scale = reduction === 'mean' ? 1 / groups : 1;
  for (let g = 0; g < groups; g++) {
    const per = groups === 0 ? 0 : size / groups;
    const pixels = range(per)
      .map((i) => g * per + i)
      .filter((px) => labels[px] !== ignore);
    // One hinge problem: logits z against labels y; returns its loss and d loss / d z.
    const problem = (z: number[], y: number[]) => {
      const s = y.map((v) => 2 * v - 1);
      const flat = refLovaszFlatWith(
        z.map((zj, j) => 1 - s[j] * zj),
        y,
        f,
        df,
        ties,
      );
      return { loss: flat.loss, dz: flat.dErrors.map((d, j) => -s[j] * d) };
    };
    const z = pixels.map((px) => Math.fround(logits[px]));
    const y = pixels.map((px) => labels[px]);
    const direct = problem(z, y);
    let loss = direct.loss;
    let dz = direct.dz;
    if (symmetric) {
      const flipped = problem(
        z.map((v) => -v),
        y.map((v) => 1 - v),
      );
      loss = (direct.loss + flipped.loss) / 2;
      // d/dz of L(-z) is minus its derivative in its own argument.
      dz = direct.dz.map((d, j) => (d - flipped.dz[j]) / 2);
    }
    losses.push(loss);
    pixels.forEach((px, j) => {
      grad[px] = scale * dz[j];
    });
  }
  const total = losses.reduce((s, l) => s + l, 0);
  if (reduction === 'none') return { loss: total, grad, losses };
  return { loss: reduction === 'mean' ? (groups === 0 ? 0 : total / groups) : total, grad };
}

/**
 * Softmax cross-entropy with a reduction: per valid pixel max + log(sum exp(x - max)) - x_y;
 * 'mean' over valid pixels, 'sum', or 'none' (per pixel [B, H, W], 0 at void pixels; the
 * gradient is then that of the sum).
 */
export function refXlossReduced(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: readonly number[],
  {
    ignore = null,
    layout = 'NHWC',
    reduction = 'mean',
  }: { ignore?: number | null; layout?: 'NHWC' | 'NCHW'; reduction?: RefReduction } = {},
): RefReducedResult {
  const [B, H, W, C] = layout === 'NHWC' ? shape : [shape[0], shape[2], shape[3], shape[1]];
  const HW = H * W;
  const offset = (px: number, c: number): number =>
    layout === 'NHWC' ? px * C + c : (Math.floor(px / HW) * C + c) * HW + (px % HW);
  const grad = new Float64Array(B * HW * C);
  const losses = new Array<number>(B * HW).fill(0);
  const valid = range(B * HW).filter((px) => labels[px] !== ignore);
  const norm = reduction === 'mean' ? valid.length : 1;
  for (const px of valid) {
    const x = range(C).map((c) => Math.fround(logits[offset(px, c)]));
    const max = Math.max(...x);
    const sum = x.reduce((s, xc) => s + Math.exp(xc - max), 0);
    const y = labels[px];
    losses[px] = max + Math.log(sum) - x[y];
    for (let c = 0; c < C; c++) {
      grad[offset(px, c)] = (Math.exp(x[c] - max) / sum - (c === y ? 1 : 0)) / norm;
    }
  }
  const total = losses.reduce((s, l) => s + l, 0);
  if (reduction === 'none') return { loss: total, grad, losses };
  if (valid.length === 0) return { loss: 0, grad };
  return { loss: total / norm, grad };
}

/**
 * Binary cross-entropy from logits with a reduction: per valid pixel softplus(-x) (y = 1) or
 * softplus(x) (y = 0); 'mean', 'sum' or 'none' (per pixel, 0 at void pixels).
 */
export function refBinaryXlossReduced(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  { ignore = null, reduction = 'mean' }: { ignore?: number | null; reduction?: RefReduction } = {},
): RefReducedResult {
  const n = logits.length;
  const grad = new Float64Array(n);
  const losses = new Array<number>(n).fill(0);
  const valid = range(n).filter((i) => labels[i] !== ignore);
  const norm = reduction === 'mean' ? valid.length : 1;
  for (const i of valid) {
    const x = Math.fround(logits[i]);
    const y = labels[i];
    losses[i] = y === 1 ? softplus(-x) : softplus(x);
    grad[i] = (1 / (1 + Math.exp(-x)) - y) / norm;
  }
  const total = losses.reduce((s, l) => s + l, 0);
  if (reduction === 'none') return { loss: total, grad, losses };
  if (valid.length === 0) return { loss: 0, grad };
  return { loss: total / norm, grad };
}
