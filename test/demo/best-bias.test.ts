import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestBias } from '../../src/demo/best-bias.js';
import { iouBinary } from '../../src/metrics/iou-binary.js';

/** The image-IoU of the predictions x + b > 0, by the library's metric. */
function imageIoU(x: Float32Array, y: Int32Array, shape: number[], b: number): number {
  const preds = Int32Array.from(x, (v) => (v + b > 0 ? 1 : 0));
  return iouBinary(preds, y, shape, { ignore: 255, perImage: true });
}

describe('bestBias', () => {
  it('finds the best image-IoU over every threshold, and a b that reaches it (brute force)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (B, H, W, seed) => {
          let s = seed >>> 0;
          const next = () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s / 2 ** 32;
          };
          const n = B * H * W;
          // Coarse features: many ties.
          const x = Float32Array.from({ length: n }, () => Math.round(next() * 8 - 4) / 2);
          const y = Int32Array.from({ length: n }, () =>
            next() < 0.2 ? 255 : next() < 0.4 ? 1 : 0,
          );
          const shape = [B, H, W];
          const got = bestBias(x, y, shape, 255);
          // Every distinct threshold: below all, and just below each feature value.
          const candidates = [Math.max(...x) + 1, ...new Set(x)].map((v) => -(v - 0.25));
          candidates.push(-(Math.max(...x) + 1));
          const best = Math.max(...candidates.map((b) => imageIoU(x, y, shape, b)));
          expect(got.imageIoU).toBeCloseTo(best, 9);
          expect(imageIoU(x, y, shape, got.b)).toBeCloseTo(got.imageIoU, 9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('scores 100 for images without foreground or valid pixels, with nothing predicted', () => {
    const x = Float32Array.from([0.5, -1, 2, 3]);
    expect(bestBias(x, Int32Array.from([0, 0, 255, 255]), [2, 1, 2], 255)).toEqual({
      imageIoU: 100,
      // Below every valid feature (void pixels predict nothing that counts).
      b: -1.5,
    });
    expect(bestBias(new Float32Array(0), new Int32Array(0), [0, 2, 2], 255).imageIoU).toBe(100);
  });

  it('reaches 100 when a threshold separates foreground from background', () => {
    const x = Float32Array.from([3, 2, -1, -2]);
    const r = bestBias(x, Int32Array.from([1, 1, 0, 0]), [1, 2, 2], null);
    expect(r.imageIoU).toBe(100);
    expect(r.b).toBe(-0.5);
  });
});
