import type { Tensor } from '@tensorflow/tfjs-core';
import {
  channelGeometry,
  channelInput,
  checkDims,
  formatShape,
  type Geometry,
  type Layout,
  layoutHint,
  layoutNames,
  pixelGeometry,
  SIGMOID_RULE,
  sizeOf,
  spatialShape,
} from '../core/geometry.js';

/**
 * The geometry of a prediction tensor and its labels, read from their shapes. Labels are
 * `[B, ...spatial]`, or `[B, ...spatial, 1]` as image decoders and data pipelines produce
 * them: both are accepted wherever labels are.
 */

/** Whether `labels` has `want`, or `want` with a trailing 1. */
function labelsFit(labels: Tensor, want: readonly number[]): boolean {
  const s = labels.shape;
  const same = (n: number) => want.every((d, i) => s[i] === d) && s.length === n;
  return same(want.length) || (same(want.length + 1) && s[want.length] === 1);
}

function labelsError(
  fn: string,
  arg: string,
  labels: Tensor,
  want: readonly number[],
  from: string,
): RangeError {
  return new RangeError(
    `${fn}: '${arg}' must have shape ${formatShape(want)} or ${formatShape([...want, 1])} (${from}), got ${formatShape(labels.shape)}`,
  );
}

/**
 * `pred` `[B, ...spatial]` (hinge logits, sigmoid logits, predicted masks) and `labels` of its
 * shape (or with a trailing 1): one value per pixel.
 */
export function pixelTensors(
  fn: string,
  predArg: string,
  pred: Tensor,
  labels: Tensor,
  labelsArg = 'labels',
): Geometry {
  const dims = checkDims(fn, predArg, pred.shape, 2, '[B, ...spatial]');
  if (!labelsFit(labels, dims)) {
    throw labelsError(fn, labelsArg, labels, dims, `the shape of '${predArg}'`);
  }
  return pixelGeometry(fn, predArg, dims);
}

/**
 * `pred` `[B, ...spatial, C]` / `[B, C, ...spatial]` (cross-entropy logits) and labels
 * `[B, ...spatial]` (or with a trailing 1); a shape that fits the other layout says so.
 */
export function channelTensors(
  fn: string,
  predArg: string,
  pred: Tensor,
  labels: Tensor,
  layout: Layout,
): Geometry {
  const geo = channelInput(fn, predArg, predArg, pred.shape, layout);
  const { dims } = geo;
  const want = spatialShape(dims, geo, false);
  if (!labelsFit(labels, want)) {
    const from = `the [B, ...spatial] of '${predArg}' (${layout})`;
    const e = labelsError(fn, 'labels', labels, want, from);
    e.message += layoutHint(dims, layout, labelCount(labels));
    throw e;
  }
  return geo;
}

/**
 * A Lovász-Softmax prediction and its labels by the shape rule ({@link SIGMOID_RULE}): one
 * channel of sigmoid probabilities when the labels have the prediction's shape (or with a
 * trailing 1), else `[B, ...spatial, C]` / `[B, C, ...spatial]` with labels `[B, ...spatial]`.
 */
export function predictionTensors(
  fn: string,
  pred: Tensor,
  labels: Tensor,
  layout: Layout,
): Geometry & { sigmoid: boolean } {
  const names = `${layoutNames(layout)} or [B, ...spatial] (sigmoid)`;
  const dims = checkDims(fn, 'probas', pred.shape, 2, names);
  if (labelsFit(labels, dims)) return { ...pixelGeometry(fn, 'probas', dims), sigmoid: true };
  if (dims.length < 3) {
    throw labelsError(fn, 'labels', labels, dims, `sigmoid probabilities: ${SIGMOID_RULE}`);
  }
  const geo = channelGeometry(fn, 'probas', dims, layout);
  const want = spatialShape(dims, geo, false);
  if (!labelsFit(labels, want)) {
    // Images are the common case: a rank-3 prediction is more likely [B, H, W] sigmoid
    // probabilities than a [B, L, C] signal, so that reading is named first.
    const sigmoidFirst = want.length < 3;
    const sigmoid = `${formatShape(dims)} for sigmoid probabilities (${SIGMOID_RULE})`;
    const perPixel = `${formatShape(want)} or ${formatShape([...want, 1])}, the [B, ...spatial] of 'probas' (${layout})`;
    const e = new RangeError(
      `${fn}: 'labels' must have shape ${sigmoidFirst ? `${sigmoid}, or ${perPixel}` : `${perPixel}, or ${sigmoid}`}, got ${formatShape(labels.shape)}`,
    );
    e.message += layoutHint(dims, layout, labelCount(labels));
    throw e;
  }
  return { ...geo, sigmoid: false };
}

function labelCount(labels: Tensor): number {
  return sizeOf(labels.shape as number[]);
}
