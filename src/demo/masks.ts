import { PNG } from 'pngjs';
import { vocPalette } from './voc-palette.js';

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
