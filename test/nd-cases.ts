/**
 * Random N-D cases for the shape tests of both entries: B images with 1 to 4 spatial axes
 * (predictions of rank 2 to 5 without channels, 3 to 6 with them), in both layouts, with
 * tie-heavy values (test/arbitraries.ts) and void pixels.
 */
import fc from 'fast-check';
import { labelsArb, logitArb, probaArb } from './arbitraries.js';

export type NdLayout = 'NHWC' | 'NCHW';

/** One N-D input and the same data seen as flat `[B, P]` images. */
export interface NdCase {
  B: number;
  /** The spatial axes, 1 to 4 of them. */
  spatial: number[];
  /** Pixels per image: the product of `spatial`. */
  P: number;
  C: number;
  layout: NdLayout;
  /** B * P * C probabilities in [0, 1] (within the core's slack), in `layout`. */
  probas: Float32Array;
  /** B * P * C logits on dyadic grids, in `layout`. */
  logits: Float32Array;
  /** B * P labels in [0, C) or 255. */
  labels: number[];
  /** B * P labels 0, 1 or 255. */
  binary: number[];
  /** B * P * C targets 0, 1 or 255, in `layout`. */
  targets: number[];
}

/** A case with channels: its shape `[B, ...spatial, C]` or `[B, C, ...spatial]`. */
export function channelShape(c: NdCase): number[] {
  return c.layout === 'NHWC' ? [c.B, ...c.spatial, c.C] : [c.B, c.C, ...c.spatial];
}

/** The same case flattened to one spatial axis: `[B, P, C]` or `[B, C, P]`. */
export function flatChannelShape(c: NdCase): number[] {
  return c.layout === 'NHWC' ? [c.B, c.P, c.C] : [c.B, c.C, c.P];
}

/** The same case as a 2-D image of P x 1 pixels: `[B, P, 1, C]` or `[B, C, P, 1]`. */
export function imageChannelShape(c: NdCase): number[] {
  return c.layout === 'NHWC' ? [c.B, c.P, 1, c.C] : [c.B, c.C, c.P, 1];
}

export const ndCaseArb: fc.Arbitrary<NdCase> = fc
  .record({
    B: fc.integer({ min: 0, max: 3 }),
    spatial: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    C: fc.integer({ min: 1, max: 4 }),
    layout: fc.constantFrom<NdLayout>('NHWC', 'NCHW'),
    mode: fc.constantFrom('none', 'some', 'all' as const),
  })
  .chain(({ B, spatial, C, layout, mode }) => {
    const P = spatial.reduce((a, b) => a * b, 1);
    const n = B * P;
    const values = (arb: fc.Arbitrary<number>, count: number) =>
      fc.array(arb, { minLength: count, maxLength: count }).map((v) => Float32Array.from(v));
    return fc.record({
      B: fc.constant(B),
      spatial: fc.constant(spatial),
      P: fc.constant(P),
      C: fc.constant(C),
      layout: fc.constant(layout),
      probas: values(probaArb, n * C),
      logits: values(logitArb, n * C),
      labels: labelsArb(n, C, 255, mode),
      binary: labelsArb(n, 2, 255, mode),
      targets: labelsArb(n * C, 2, 255, mode),
    });
  });
