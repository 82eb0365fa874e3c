/**
 * Label masks drawn on a canvas with the Pascal VOC colours, the palette `lovasz demo` draws
 * its PNGs with (src/demo/voc-palette.ts; masks.ts itself imports a Node PNG encoder).
 */
import { vocPalette } from '../../src/demo/voc-palette.js';

const PALETTE = vocPalette();

/** CSS colour of a label, for legends. */
export function labelColour(label: number): string {
  const p = PALETTE.subarray(3 * label, 3 * label + 3);
  return `rgb(${p[0]}, ${p[1]}, ${p[2]})`;
}

/** Images per row of a grid of `count` images: about square. */
export function gridColumns(count: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(count)));
}

/**
 * Draws masks [B, H, W] (flat, row-major) in a grid on `canvas`, resizing it to fit: `columns`
 * images per row, `gap` background pixels between them.
 */
export function drawMasks(
  canvas: HTMLCanvasElement,
  masks: ArrayLike<number>,
  shape: readonly [number, number, number],
  gap = 2,
): void {
  const [B, H, W] = shape;
  const columns = Math.min(B, gridColumns(B));
  const rows = Math.ceil(B / columns);
  const width = columns * W + (columns - 1) * gap;
  const height = rows * H + (rows - 1) * gap;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  const px = image.data;
  for (let b = 0; b < B; b++) {
    const x0 = (b % columns) * (W + gap);
    const y0 = Math.floor(b / columns) * (H + gap);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const label = masks[(b * H + y) * W + x] & 255;
        const at = ((y0 + y) * width + x0 + x) * 4;
        px[at] = PALETTE[3 * label];
        px[at + 1] = PALETTE[3 * label + 1];
        px[at + 2] = PALETTE[3 * label + 2];
        px[at + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}
