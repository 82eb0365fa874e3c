import { describe, expect, it } from 'vitest';
import { Random } from '../../src/demo/random.js';
import { fillTriangle, randomTriangle, type Triangle } from '../../src/demo/triangles.js';

const count = (img: ArrayLike<number>, v: number) => Array.from(img).filter((x) => x === v).length;

describe('fillTriangle', () => {
  it('fills the pixels whose centres lie inside or on the triangle', () => {
    const img = new Uint8Array(4 * 4);
    fillTriangle(img, 4, 4, [0, 0, 4, 0, 0, 4], 1);
    // Centre (x + 0.5, y + 0.5) is inside when x + y + 1 <= 4.
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) expect(img[y * 4 + x]).toBe(x + y <= 3 ? 1 : 0);
    }
  });

  it('does not depend on the orientation of the vertices', () => {
    const a = new Uint8Array(50 * 50);
    const b = new Uint8Array(50 * 50);
    fillTriangle(a, 50, 50, [3, 4, 40, 10, 20, 45], 1);
    fillTriangle(b, 50, 50, [20, 45, 40, 10, 3, 4], 1);
    expect(b).toEqual(a);
    // About the triangle's area, 0.5 * |(37)(41) - (6)(17)| = 707.5 pixels.
    expect(Math.abs(count(a, 1) - 707.5)).toBeLessThan(40);
  });

  it('draws over earlier values and clips to the image', () => {
    const img = new Uint8Array(10 * 10).fill(255);
    fillTriangle(img, 10, 10, [-20, -20, 60, -20, -20, 60], 2);
    expect(count(img, 2)).toBe(100);
  });

  it('covers no pixel centre with a flat triangle off the centres', () => {
    const img = new Uint8Array(10 * 10);
    fillTriangle(img, 10, 10, [0, 0, 3, 3.2, 9, 9.6], 1);
    expect(count(img, 1)).toBe(0);
  });

  it('draws into the image at `offset` of a batch', () => {
    const batch = new Uint8Array(2 * 3 * 3);
    fillTriangle(batch, 3, 3, [-5, -5, 10, -5, -5, 10] as Triangle, 1, 9);
    expect(Array.from(batch.subarray(0, 9))).toEqual(Array(9).fill(0));
    expect(Array.from(batch.subarray(9))).toEqual(Array(9).fill(1));
  });
});

describe('randomTriangle', () => {
  it('puts the vertices inside the image', () => {
    const rng = new Random(5);
    for (let i = 0; i < 100; i++) {
      const [x0, y0, x1, y1, x2, y2] = randomTriangle(rng, 200, 100);
      for (const x of [x0, x1, x2]) expect(x >= 0 && x < 200).toBe(true);
      for (const y of [y0, y1, y2]) expect(y >= 0 && y < 100).toBe(true);
    }
  });
});
