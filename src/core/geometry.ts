import { describeValue } from './options/describe-value.js';

/**
 * Where the values of one image, pixel and channel sit in a row-major prediction array:
 * `[B, ...spatial, C]` (channels last, `nchw` false) or `[B, C, ...spatial]` (channels
 * second, `nchw` true). The pixels of an image are all its spatial positions, flattened in
 * row-major order, so a `[B, D, H, W, C]` volume and the same data as `[B, D*H, W, C]` have one
 * geometry. Labels and hinge logits are `[B, ...spatial]`: `batch * pixels` values.
 *
 * The value of pixel i (in [0, pixels)) of image b in channel c is at
 * `(b * pixels + i) * channels + c` (channels last) or `(b * channels + c) * pixels + i`
 * (channels second).
 *
 * @example
 * ```ts
 * // probabilities [2, 4, 5, 3] (NHWC): 2 images of 20 pixels, 3 channels
 * const geo: Geometry = { batch: 2, pixels: 20, channels: 3, nchw: false };
 * ```
 */
export interface Geometry {
  /** Number of images (B). */
  readonly batch: number;
  /** Pixels per image: the product of the spatial dimensions. */
  readonly pixels: number;
  /** Number of channels (C; 1 for one channel of sigmoid probabilities or logits). */
  readonly channels: number;
  /** Channels second (`[B, C, ...spatial]`) rather than last. */
  readonly nchw: boolean;
}

/**
 * The order of the axes of a prediction with channels: 'NHWC' is `[B, ...spatial, C]`
 * (channels last, the TensorFlow.js default), 'NCHW' is `[B, C, ...spatial]` (channels
 * second, as PyTorch). The names keep their meaning for every number of spatial axes
 * (`[B, L, C]`, `[B, D, H, W, C]`, ...). Labels are `[B, ...spatial]` in both.
 *
 * @example
 * ```ts
 * import { lovaszSoftmax } from 'lovasz';
 *
 * lovaszSoftmax(probas, labels, [B, C, H, W], { layout: 'NCHW' });
 * ```
 */
export type Layout = 'NHWC' | 'NCHW';

/** Formats a shape like `[2, 3, 4]`. */
export function formatShape(shape: ArrayLike<number>): string {
  return `[${Array.from(shape).join(', ')}]`;
}

/** The number of values of a shape. */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * Checks that `shape` is an array of at least `minRank` non-negative integers and returns it
 * as a plain number[]; `names` says what it should look like, e.g. '[B, ...spatial]'.
 */
export function checkDims(
  fn: string,
  arg: string,
  shape: unknown,
  minRank: number,
  names: string,
): number[] {
  if (!Array.isArray(shape) && !(ArrayBuffer.isView(shape) && !(shape instanceof DataView))) {
    throw new TypeError(`${fn}: '${arg}' must be an array ${names}, got ${describeValue(shape)}`);
  }
  const dims = Array.from(shape as ArrayLike<number>);
  if (dims.length < minRank) {
    throw new RangeError(
      `${fn}: '${arg}' must be ${names} (rank >= ${minRank}), got ${arg === 'shape' ? '' : 'shape '}${formatShape(dims)} (rank ${dims.length})`,
    );
  }
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `${fn}: '${arg}' must hold non-negative integers ${names}, got ${formatShape(dims)}`,
      );
    }
  }
  return dims;
}

/** How a shape of `layout` is written in messages: `[B, ...spatial, C]` or `[B, C, ...spatial]`. */
export function layoutNames(layout: Layout): string {
  return layout === 'NHWC' ? '[B, ...spatial, C]' : '[B, C, ...spatial]';
}

/** `[B, ...spatial]` (labels, masks, hinge logits): B images of one value per pixel. */
export function pixelGeometry(fn: string, arg: string, shape: unknown): Geometry {
  const dims = checkDims(fn, arg, shape, 2, '[B, ...spatial]');
  const batch = dims[0];
  return { batch, pixels: sizeOf(dims.slice(1)), channels: 1, nchw: false };
}

/**
 * `[B, ...spatial, C]` ('NHWC') or `[B, C, ...spatial]` ('NCHW'), at least one spatial axis
 * and one channel. `dims` is checked already (checkDims).
 */
export function channelGeometry(
  fn: string,
  arg: string,
  dims: readonly number[],
  layout: Layout,
): Geometry {
  const names = layoutNames(layout);
  if (dims.length < 3) {
    throw new RangeError(
      `${fn}: '${arg}' must be ${names} with at least one spatial axis (rank >= 3), got ${formatShape(dims)}`,
    );
  }
  const nchw = layout === 'NCHW';
  const channels = nchw ? dims[1] : dims[dims.length - 1];
  if (channels < 1) {
    throw new RangeError(
      `${fn}: '${arg}' needs at least one channel, got shape ${formatShape(dims)} (${layout}: ${names})`,
    );
  }
  const spatial = nchw ? dims.slice(2) : dims.slice(1, -1);
  return { batch: dims[0], pixels: sizeOf(spatial), channels, nchw };
}

/**
 * {@link checkDims} then {@link channelGeometry}: `shape` (named `shapeArg` in messages) of
 * the prediction `predArg`, with channels.
 */
export function channelInput(
  fn: string,
  shapeArg: string,
  predArg: string,
  shape: unknown,
  layout: Layout,
): Geometry & { dims: number[] } {
  const dims = checkDims(fn, shapeArg, shape, 3, layoutNames(layout));
  return { ...channelGeometry(fn, predArg, dims, layout), dims };
}

/** The labels' shape `[B, ...spatial]` of a prediction of shape `dims` read as `geo`. */
export function spatialShape(dims: readonly number[], geo: Geometry, sigmoid: boolean): number[] {
  if (sigmoid) return [...dims];
  return geo.nchw ? [dims[0], ...dims.slice(2)] : dims.slice(0, -1);
}

/**
 * The rule that tells one channel of sigmoid probabilities `[B, ...spatial]` from
 * probabilities with channels (`[B, ...spatial, C]` or `[B, C, ...spatial]`), stated in every
 * error it decides.
 */
export const SIGMOID_RULE = "sigmoid exactly when the labels have the prediction's shape";

/**
 * The geometry of a Lovász-Softmax prediction of shape `shape` whose labels hold
 * `labelCount` values, by {@link SIGMOID_RULE}: a prediction with as many values as the
 * labels is one channel of sigmoid probabilities `[B, ...spatial]` (rank >= 2); any other is
 * `[B, ...spatial, C]` / `[B, C, ...spatial]` (rank >= 3) whose labels must be
 * `[B, ...spatial]`. `sigmoid` says which reading applied.
 *
 * An empty prediction (no values) fits both readings when it has a channel axis: it is read
 * with channels, and `alternative` holds the sigmoid reading, which the caller takes when the
 * options fit only that one (both compute nothing).
 */
export function predictionGeometry(
  fn: string,
  arg: string,
  shape: unknown,
  layout: Layout,
  labelCount: number,
): Geometry & { dims: number[]; sigmoid: boolean; alternative?: Geometry } {
  const dims = checkDims(
    fn,
    'shape',
    shape,
    2,
    '[B, ...spatial, C], [B, C, ...spatial] or [B, ...spatial]',
  );
  const size = sizeOf(dims);
  const sigmoid = pixelGeometry(fn, 'shape', dims);
  const channelAxis = dims.length >= 3 && dims[layout === 'NCHW' ? 1 : dims.length - 1] >= 1;
  if (labelCount === size && (size > 0 || !channelAxis)) return { ...sigmoid, dims, sigmoid: true };
  if (dims.length < 3) {
    throw new RangeError(
      `${fn}: 'labels' has ${labelCount} values but a rank-2 ${arg} ${formatShape(dims)} is one channel of sigmoid probabilities [B, L] and needs ${size} (${SIGMOID_RULE})`,
    );
  }
  const geo = channelGeometry(fn, arg, dims, layout);
  const want = geo.batch * geo.pixels;
  if (labelCount !== want) {
    throw new RangeError(
      `${fn}: 'labels' has ${labelCount} values but shape ${formatShape(dims)} (${layout}) needs ${want}, one per pixel of ${formatShape(spatialShape(dims, geo, false))}, or ${size} for sigmoid probabilities (${SIGMOID_RULE})${layoutHint(dims, layout, labelCount)}`,
    );
  }
  if (size === 0) return { ...geo, dims, sigmoid: false, alternative: sigmoid };
  return { ...geo, dims, sigmoid: false };
}

/**
 * A hint for labels (or targets) of `labelCount` values that do not fit `dims` in `layout`
 * but would fit in the other layout: '' when they would not.
 */
export function layoutHint(dims: readonly number[], layout: Layout, labelCount: number): string {
  if (dims.length < 3) return '';
  const other: Layout = layout === 'NHWC' ? 'NCHW' : 'NHWC';
  const channels = other === 'NCHW' ? dims[1] : dims[dims.length - 1];
  if (channels < 1 || labelCount !== sizeOf(dims) / channels) return '';
  return `; the shape fits ${layoutNames(other)}: pass layout: '${other}'`;
}
