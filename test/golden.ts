import { readFileSync } from 'node:fs';

/** A row-major array of the golden file. */
export interface GoldenArray {
  shape: number[];
  data: number[];
}

/** One case of ../shared/fixtures/golden.json (copied to test/fixtures, values unedited). */
export interface GoldenCase {
  name: string;
  fn:
    | 'lovaszGrad'
    | 'lovaszHinge'
    | 'lovaszSoftmax'
    | 'binaryXloss'
    | 'xloss'
    | 'iouBinary'
    | 'iou';
  options?: Record<string, unknown>;
  inputs: Record<string, GoldenArray> & { layout?: 'NCHW' | 'BHW' };
  expected: { loss?: number; value?: number | number[]; grad?: GoldenArray };
  ties?: boolean;
  reference_f32?: unknown;
}

export const golden: GoldenCase[] = JSON.parse(
  readFileSync(new URL('./fixtures/golden.json', import.meta.url), 'utf8'),
).cases;

/** Transposes row-major [B, C, H, W] data to [B, H, W, C]. */
export function nchwToNhwc(data: ArrayLike<number>, [B, C, H, W]: number[]): Float32Array {
  const out = new Float32Array(B * C * H * W);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H * W; i++) out[(b * H * W + i) * C + c] = data[(b * C + c) * H * W + i];
  return out;
}

/** Relative-tolerance check of a loss: |a - e| <= tol * max(|e|, 1e-12)... as in the README. */
export function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

/** Largest absolute difference of two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
