import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { maskGridPng } from '../../src/demo/masks.js';
import { vocPalette } from '../../src/demo/voc-palette.js';

const rgb = (p: Uint8Array, i: number) => [p[3 * i], p[3 * i + 1], p[3 * i + 2]];

describe('vocPalette', () => {
  it('has the Pascal VOC colours: black background, maroon 1, green 2, cream void', () => {
    const p = vocPalette();
    expect(p.length).toBe(768);
    expect(rgb(p, 0)).toEqual([0, 0, 0]);
    expect(rgb(p, 1)).toEqual([128, 0, 0]);
    expect(rgb(p, 2)).toEqual([0, 128, 0]);
    expect(rgb(p, 3)).toEqual([128, 128, 0]);
    expect(rgb(p, 15)).toEqual([192, 128, 128]);
    expect(rgb(p, 255)).toEqual([224, 224, 192]);
  });
});

describe('maskGridPng', () => {
  it('lays the masks out in rows of `columns`, white gaps between, in palette colours', () => {
    // Three 2 x 3 masks filled with 0, 1 and 255, two per row, gap 1: 7 x 5 pixels.
    const masks = new Uint8Array(18);
    masks.fill(1, 6, 12);
    masks.fill(255, 12, 18);
    const png = PNG.sync.read(maskGridPng(masks, [3, 2, 3], { columns: 2, gap: 1 }));
    expect([png.width, png.height]).toEqual([7, 5]);
    const at = (x: number, y: number) =>
      Array.from(png.data.subarray((y * 7 + x) * 4, (y * 7 + x) * 4 + 3));
    expect(at(0, 0)).toEqual([0, 0, 0]);
    expect(at(3, 0)).toEqual([255, 255, 255]);
    expect(at(4, 1)).toEqual([128, 0, 0]);
    expect(at(2, 4)).toEqual([224, 224, 192]);
    expect(at(5, 4)).toEqual([255, 255, 255]);
  });
});
