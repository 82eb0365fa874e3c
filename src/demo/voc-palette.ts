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
