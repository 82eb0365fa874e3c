import { PNG } from 'pngjs';

/**
 * The Pascal VOC colour map: 256 RGB triples, colour of label i at [3 i, 3 i + 3). Label 0 is
 * black, 1 (128, 0, 0), 2 (0, 128, 0), ..., void 255 (224, 224, 192); the bits of i are spread
 * over the high bits of the three channels, as in the VOC development kit.
 * @example
 *   const p = vocPalette(); [p[3], p[4], p[5]] // [128, 0, 0]
 */
export function vocPalette(): Uint8Array {
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let c = i;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let j = 7; j >= 0; j--) {
      r |= (c & 1) << j;
      g |= ((c >> 1) & 1) << j;
      b |= ((c >> 2) & 1) << j;
      c >>= 3;
    }
    palette.set([r, g, b], 3 * i);
  }
  return palette;
}

/** Options of {@link maskGridPng}. */
export interface MaskGridOptions {
  /** Images per row; default 5. */
  columns?: number;
  /** White pixels between images; default 4. */
  gap?: number;
}

/**
 * A PNG of label masks (labels or predictions) in a grid, coloured with the VOC palette.
 *
 * Shapes: masks [B, H, W] of integers in [0, 255] (flat, row-major), `shape` = [B, H, W].
 * Defaults: columns 5, gap 4.
 * @example
 *   writeFileSync('labels.png', maskGridPng(labels, [10, 200, 200])); // 2 rows of 5
 */
export function maskGridPng(
  masks: ArrayLike<number>,
  shape: readonly [number, number, number],
  options: MaskGridOptions = {},
): Buffer {
  const [B, H, W] = shape;
  const gap = options.gap ?? 4;
  const columns = Math.max(1, Math.min(options.columns ?? 5, B));
  const rows = Math.max(1, Math.ceil(B / columns));
  const width = columns * W + (columns - 1) * gap;
  const height = rows * H + (rows - 1) * gap;
  const png = new PNG({ width, height, colorType: 2 });
  png.data.fill(255);
  const palette = vocPalette();
  for (let b = 0; b < B; b++) {
    const x0 = (b % columns) * (W + gap);
    const y0 = Math.floor(b / columns) * (H + gap);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const label = masks[(b * H + y) * W + x] & 255;
        const at = ((y0 + y) * width + x0 + x) * 4;
        png.data[at] = palette[3 * label];
        png.data[at + 1] = palette[3 * label + 1];
        png.data[at + 2] = palette[3 * label + 2];
        png.data[at + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
