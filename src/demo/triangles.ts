import type { Random } from './random.js';

/** A triangle's vertices in pixel coordinates: [x0, y0, x1, y1, x2, y2]. */
export type Triangle = readonly [number, number, number, number, number, number];

/**
 * A triangle with its three vertices uniform over a width x height image (real coordinates in
 * [0, width) x [0, height)).
 * @example
 *   randomTriangle(new Random(1), 200, 200) // e.g. [12.3, 150.9, 180.2, 3.4, 77.7, 99.1]
 */
export function randomTriangle(rng: Random, width: number, height: number): Triangle {
  return [
    rng.uniform() * width,
    rng.uniform() * height,
    rng.uniform() * width,
    rng.uniform() * height,
    rng.uniform() * width,
    rng.uniform() * height,
  ];
}

/**
 * Sets to `value` every pixel of an image whose centre (x + 0.5, y + 0.5) lies inside the
 * triangle or on its edges, drawing over what is there (as a filled polygon in PIL).
 *
 * `image` is one row-major height x width image, or a batch of them with `offset` pointing
 * at the first pixel of the image to draw on. A degenerate (flat) triangle covers no pixel
 * centre unless one lies exactly on it.
 * @example
 *   const img = new Uint8Array(200 * 200);
 *   fillTriangle(img, 200, 200, [0, 0, 199, 0, 0, 199], 1); // the upper-left half
 */
export function fillTriangle(
  image: { [i: number]: number },
  width: number,
  height: number,
  triangle: Triangle,
  value: number,
  offset = 0,
): void {
  const [ax, ay, bx, by, cx, cy] = triangle;
  // Signed area decides the orientation; edge tests are made orientation-free by its sign.
  const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  const sign = area < 0 ? -1 : 1;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx) - 0.5));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx) - 0.5));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy) - 0.5));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy) - 0.5));
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      const e0 = sign * ((bx - ax) * (py - ay) - (by - ay) * (px - ax));
      const e1 = sign * ((cx - bx) * (py - by) - (cy - by) * (px - bx));
      const e2 = sign * ((ax - cx) * (py - cy) - (ay - cy) * (px - cx));
      if (e0 >= 0 && e1 >= 0 && e2 >= 0) image[offset + y * width + x] = value;
    }
  }
}
