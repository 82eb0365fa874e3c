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
