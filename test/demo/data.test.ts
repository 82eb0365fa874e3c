import { describe, expect, it } from 'vitest';
import { binaryData } from '../../src/demo/binary-data.js';
import { multiclassData } from '../../src/demo/multiclass-data.js';
import { Random } from '../../src/demo/random.js';
import { fillTriangle, randomTriangle } from '../../src/demo/triangles.js';

/** Whether two typed arrays hold the same bytes (vitest's toEqual is slow on 10^5 values). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return bytes(a).equals(bytes(b));
}

/** Mean and standard deviation of the features at pixels where `where` holds. */
function stats(values: Float32Array, where: (i: number) => boolean) {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    if (!where(i)) continue;
    n++;
    sum += values[i];
    sq += values[i] * values[i];
  }
  const mean = sum / n;
  return { n, mean, std: Math.sqrt(sq / n - mean * mean) };
}

describe('binaryData', () => {
  const data = binaryData(0);
  const { labels, features } = data;

  it('makes 10 label images of 200 x 200 of 0, 1 and 255', () => {
    expect(data.shape).toEqual([10, 200, 200]);
    expect(labels.length).toBe(400000);
    expect(new Set(labels)).toEqual(new Set([0, 1, 255]));
  });

  it('has plausible class proportions: mostly background, a few percent each of fg and void', () => {
    // A triangle with uniform vertices covers 11/144 (7.6%) of the image on average.
    for (const seed of [0, 1, 2]) {
      const y = binaryData(seed).labels;
      const share = (v: number) => y.filter((l) => l === v).length / y.length;
      expect(share(0)).toBeGreaterThan(0.7);
      expect(share(1)).toBeGreaterThan(0.02);
      expect(share(1)).toBeLessThan(0.2);
      expect(share(255)).toBeGreaterThan(0.01);
      expect(share(255)).toBeLessThan(0.2);
    }
  });

  it('draws the foreground triangle over the void triangle', () => {
    // Replays the generator's draws: per image the void triangle, then the foreground one.
    const rng = Random.derive(0, 'binary-data');
    for (let b = 0; b < 10; b++) {
      const inVoid = new Uint8Array(200 * 200);
      const inFg = new Uint8Array(200 * 200);
      fillTriangle(inVoid, 200, 200, randomTriangle(rng, 200, 200), 1);
      fillTriangle(inFg, 200, 200, randomTriangle(rng, 200, 200), 1);
      for (let i = 0; i < 200 * 200; i++) {
        const expected = inFg[i] ? 1 : inVoid[i] ? 255 : 0;
        if (labels[b * 40000 + i] !== expected) throw new Error(`image ${b}, pixel ${i}`);
      }
    }
  });

  it('draws features N(-1, 2.5) on background, N(1, 2.5) on foreground, N(0, 5) on void', () => {
    const bg = stats(features, (i) => labels[i] === 0);
    const fg = stats(features, (i) => labels[i] === 1);
    const vd = stats(features, (i) => labels[i] === 255);
    expect(bg.mean).toBeCloseTo(-1, 1);
    expect(bg.std).toBeCloseTo(2.5, 1);
    expect(fg.mean).toBeCloseTo(1, 1);
    expect(fg.std).toBeCloseTo(2.5, 1);
    expect(Math.abs(vd.mean)).toBeLessThan(0.1);
    expect(vd.std).toBeCloseTo(5, 1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = binaryData(0);
    expect(sameBytes(again.labels, labels)).toBe(true);
    expect(sameBytes(again.features, features)).toBe(true);
    expect(sameBytes(binaryData(1).features, features)).toBe(false);
  });

  it('takes the number and size of the images as options', () => {
    const small = binaryData(0, { count: 3, size: 16 });
    expect(small.shape).toEqual([3, 16, 16]);
    expect(small.features.length).toBe(3 * 16 * 16);
  });
});

describe('multiclassData', () => {
  const data = multiclassData(0);
  const { labels, features } = data;
  const C = 3;

  it('makes 5 label images of 200 x 200 of 0, 1, 2 and 255 with 3-channel features', () => {
    expect(data.shape).toEqual([5, 200, 200]);
    expect(data.classes).toBe(3);
    expect(features.length).toBe(5 * 200 * 200 * 3);
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 255]));
  });

  it('has plausible class proportions', () => {
    for (const seed of [0, 1, 2]) {
      const y = multiclassData(seed).labels;
      const share = (v: number) => y.filter((l) => l === v).length / y.length;
      expect(share(0)).toBeGreaterThan(0.6);
      for (const v of [1, 2, 255]) {
        expect(share(v)).toBeGreaterThan(0.005);
        expect(share(v)).toBeLessThan(0.25);
      }
    }
  });

  it('draws void, then class 1, then class 2, each over the previous', () => {
    const rng = Random.derive(0, 'multiclass-data');
    for (let b = 0; b < 5; b++) {
      const expected = new Uint8Array(200 * 200);
      for (const v of [255, 1, 2])
        fillTriangle(expected, 200, 200, randomTriangle(rng, 200, 200), v);
      const image = labels.subarray(b * 40000, (b + 1) * 40000);
      expect(sameBytes(image, Int32Array.from(expected))).toBe(true);
    }
  });

  it('draws features as the one-hot label plus N(0, 2) noise, a random class on void', () => {
    for (let k = 0; k < C; k++) {
      const channel = features.filter((_, i) => i % C === k);
      for (const c of [0, 1, 2]) {
        const s = stats(channel, (p) => labels[p] === c);
        expect(s.mean).toBeCloseTo(c === k ? 1 : 0, 1);
        expect(s.std).toBeCloseTo(2, 1);
      }
      // Void pixels are one-hot of a uniform class: mean 1/3 on every channel.
      expect(stats(channel, (p) => labels[p] === 255).mean).toBeCloseTo(1 / 3, 1);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = multiclassData(0);
    expect(sameBytes(again.labels, labels)).toBe(true);
    expect(sameBytes(again.features, features)).toBe(true);
    expect(sameBytes(multiclassData(1).labels, labels)).toBe(false);
  });
});
