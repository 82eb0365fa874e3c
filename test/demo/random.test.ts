import { describe, expect, it } from 'vitest';
import { Random } from '../../src/demo/random.js';

describe('Random', () => {
  it('repeats the same draws for the same seed', () => {
    const a = new Random(7);
    const b = new Random(7);
    const draws = (r: Random) => [r.uniform(), r.normal(), r.int(10), r.normal(1, 2)];
    expect(draws(a)).toEqual(draws(b));
  });

  it('gives other draws for another seed or purpose', () => {
    expect(new Random(1).uniform()).not.toBe(new Random(2).uniform());
    expect(Random.derive(1, 'a').uniform()).not.toBe(Random.derive(1, 'b').uniform());
    expect(Random.derive(1, 'a').uniform()).toBe(Random.derive(1, 'a').uniform());
  });

  it('draws uniforms in [0, 1) with mean 1/2 and integers in [0, n)', () => {
    const r = new Random(3);
    const us = Array.from({ length: 20000 }, () => r.uniform());
    expect(us.every((u) => u >= 0 && u < 1)).toBe(true);
    expect(us.reduce((a, b) => a + b, 0) / us.length).toBeCloseTo(0.5, 2);
    const ks = new Set(Array.from({ length: 1000 }, () => r.int(3)));
    expect(ks).toEqual(new Set([0, 1, 2]));
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const r = new Random(4);
    const n = 50000;
    const xs = Array.from({ length: n }, () => r.normal(1, 2.5));
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(std - 2.5)).toBeLessThan(0.05);
  });
});
