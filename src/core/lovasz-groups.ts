import type { NumericArray } from './check.js';
import { classLoss } from './class-loss.js';
import type { Geometry } from './geometry.js';
import type { LossResult } from './loss-result.js';
import type { ClassSelection } from './options/common-options.js';
import type { Reduction } from './reduction.js';

/** What {@link lovaszGroups} needs to know about one loss call (validated by the caller). */
export interface GroupPlan {
  probas: NumericArray;
  geo: Geometry;
  batch: number;
  /** Number of classes (or channels) the selection refers to. */
  numClasses: number;
  selection: ClassSelection;
  perImage: boolean;
  /** The ignore label, or -1 for none (labels are validated non-negative). */
  ign: number;
  weights: Float64Array | null;
  reduction: Reduction;
  /** Where the gradient goes (zeroed first); null: a new array. */
  out: Float32Array | null;
  /**
   * For class c over images [b0, b1): the per-pixel labels [B * H * W] to compare (only that
   * range is read), the label value that means foreground, and the probability channel.
   * Called once per class and group.
   */
  target(c: number, b0: number, b1: number): { labels: NumericArray; cls: number; channel: number };
  /**
   * Over images [b0, b1): per class, the number of valid foreground pixels and of valid
   * pixels.
   */
  counts(b0: number, b1: number): { fg: Float64Array; valid: Float64Array };
}

/**
 * The Lovász loss of a batch: per group (each image with perImage, else the whole batch) the
 * weighted mean over the classes considered of the per-class losses, then the reduction.
 *
 * perImage: per-image losses l_b = sum_c w_c L_bc / sum_c w_c (0 for an image with no valid
 * pixel, which still counts); 'mean' averages them, 'sum' adds them, 'none' returns them.
 * Otherwise: per-class losses L_c over the batch; 'mean' is sum_c w_c L_c / sum_c w_c, 'sum'
 * is sum_c w_c L_c, 'none' returns the L_c (unweighted) with their classes. Every gradient
 * entry belongs to one class and one image, so it is written once, already scaled.
 */
export function lovaszGroups(plan: GroupPlan): LossResult {
  const { probas, geo, batch, numClasses, selection, perImage, ign, weights, reduction } = plan;
  const grad = plan.out ? plan.out.fill(0) : new Float32Array(probas.length);
  const groups = perImage ? batch : 1;
  const items: number[] = [];
  const itemClasses: number[] = [];
  let loss = 0;
  for (let g = 0; g < groups && geo.pixels > 0; g++) {
    const b0 = perImage ? g : 0;
    const b1 = perImage ? g + 1 : batch;
    const { fg, valid } = plan.counts(b0, b1);
    const considered: number[] = [];
    // Increasing class order, whatever the order of a given list ('none' lists them so).
    const candidates =
      typeof selection === 'string' ? range(numClasses) : [...selection].sort((a, b) => a - b);
    for (const c of candidates) {
      if (valid[c] === 0) continue;
      if (selection === 'present' && fg[c] === 0) continue;
      considered.push(c);
    }
    let wsum = 0;
    for (const c of considered) wsum += weights ? weights[c] : 1;
    let groupLoss = 0;
    // Weights do not enter the per-class losses of 'none' (without perImage); elsewhere, zero
    // total weight leaves nothing to average: the group scores 0.
    const unweighted = !perImage && reduction === 'none';
    for (const c of wsum > 0 || unweighted ? considered : []) {
      const w = weights ? weights[c] : 1;
      let factor: number;
      if (perImage) factor = (w / wsum) * (reduction === 'mean' ? 1 / groups : 1);
      else factor = reduction === 'mean' ? w / wsum : reduction === 'sum' ? w : 1;
      const { labels, cls, channel } = plan.target(c, b0, b1);
      const L = classLoss(
        probas,
        labels,
        geo,
        b0,
        b1,
        channel,
        cls,
        fg[c],
        valid[c],
        ign,
        factor,
        grad,
      );
      if (perImage) groupLoss += (w / wsum) * L;
      else if (reduction === 'none') {
        items.push(L);
        itemClasses.push(c);
        loss += L;
      } else loss += (reduction === 'mean' ? w / wsum : w) * L;
    }
    if (perImage) {
      items.push(groupLoss);
      loss += groupLoss;
    }
  }
  while (perImage && items.length < groups) items.push(0); // images of zero pixels
  if (perImage && reduction === 'mean') loss = groups === 0 ? 0 : loss / groups;
  if (reduction !== 'none') return { loss, grad };
  const result: LossResult = { loss, grad, losses: Float64Array.from(items) };
  if (!perImage) result.classes = itemClasses;
  return result;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
