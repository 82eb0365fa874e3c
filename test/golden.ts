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

export { maxAbsDiff, relErr } from './compare.js';
