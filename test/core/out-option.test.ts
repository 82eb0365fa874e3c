import { describe, expect, it } from 'vitest';
import {
  binaryXloss,
  type LossResult,
  lovaszHinge,
  lovaszMultilabel,
  lovaszSigmoid,
  lovaszSoftmax,
  xloss,
} from '../../src/index.js';
import { bitIdentical, rng } from '../arbitraries.js';

/** One loss call on fixed inputs, with extra options (`out`). */
interface Case {
  name: string;
  size: number;
  run: (extra: { out?: Float32Array }) => LossResult;
}

const rand = rng(42);
const B = 2;
const H = 5;
const W = 7;
const C = 3;
const P = B * H * W;
const logits1 = Float32Array.from({ length: P }, () => (rand() - 0.5) * 6);
const binary = Int32Array.from({ length: P }, (_, i) =>
  i % 11 === 0 ? 255 : rand() < 0.4 ? 1 : 0,
);
const logitsC = Float32Array.from({ length: P * C }, () => (rand() - 0.5) * 6);
const probasC = new Float32Array(P * C);
for (let px = 0; px < P; px++) {
  let sum = 0;
  for (let c = 0; c < C; c++) sum += Math.exp(logitsC[px * C + c]);
  for (let c = 0; c < C; c++) probasC[px * C + c] = Math.exp(logitsC[px * C + c]) / sum;
}
const labelsC = Int32Array.from({ length: P }, (_, i) =>
  i % 13 === 0 ? 255 : Math.floor(rand() * C),
);
const targets = Int32Array.from({ length: P * C }, () => (rand() < 0.3 ? 1 : 0));

const CASES: Case[] = [
  {
    name: "lovaszHinge (kernel 'wasm')",
    size: P,
    run: (o) => lovaszHinge(logits1, binary, [B, H, W], { ignore: 255, kernel: 'wasm', ...o }),
  },
  {
    name: "lovaszHinge (kernel 'js', elu+1, reduction 'none')",
    size: P,
    run: (o) =>
      lovaszHinge(logits1, binary, [B, H, W], {
        ignore: 255,
        kernel: 'js',
        variant: 'elu+1',
        reduction: 'none',
        ...o,
      }),
  },
  {
    name: 'lovaszSoftmax',
    size: P * C,
    run: (o) =>
      lovaszSoftmax(probasC, labelsC, [B, H, W, C], { ignore: 255, classes: 'all', ...o }),
  },
  {
    name: 'lovaszSoftmax (fromLogits, perImage)',
    size: P * C,
    run: (o) =>
      lovaszSoftmax(logitsC, labelsC, [B, H, W, C], {
        ignore: 255,
        fromLogits: true,
        perImage: true,
        ...o,
      }),
  },
  {
    name: 'lovaszSigmoid',
    size: P,
    run: (o) => lovaszSigmoid(logits1, binary, [B, H, W], { ignore: 255, ...o }),
  },
  {
    name: 'lovaszMultilabel',
    size: P * C,
    run: (o) => lovaszMultilabel(probasC, targets, [B, H, W, C], o),
  },
  {
    name: 'xloss',
    size: P * C,
    run: (o) => xloss(logitsC, labelsC, [B, H, W, C], { ignore: 255, ...o }),
  },
  {
    name: 'binaryXloss',
    size: P,
    run: (o) => binaryXloss(logits1, binary, { ignore: 255, ...o }),
  },
];

describe("the option 'out' of the typed-array losses", () => {
  for (const c of CASES) {
    it(`${c.name} writes its gradient into out, with the bits of a new array`, () => {
      const fresh = c.run({});
      // Stale values must not survive: out is zeroed where the gradient is 0.
      const out = new Float32Array(c.size).fill(Number.NaN);
      const r = c.run({ out });
      expect(r.grad).toBe(out);
      expect(bitIdentical(r, fresh)).toBe(true);
      expect(Array.from(r.losses ?? [])).toEqual(Array.from(fresh.losses ?? []));
      // Reused: the same array again, the same bits again.
      expect(bitIdentical(c.run({ out }), fresh)).toBe(true);
    });
  }

  it('rejects an out that is not a Float32Array, naming the length it needs', () => {
    expect(() =>
      lovaszHinge(logits1, binary, [B, H, W], { out: new Float64Array(P) as never }),
    ).toThrow(/^lovaszHinge: 'out' must be a Float32Array of 70 values, got Float64Array$/);
    expect(() =>
      xloss(logitsC, labelsC, [B, H, W, C], {
        ignore: 255,
        out: new Array(P * C).fill(0) as never,
      }),
    ).toThrow(/^xloss: 'out' must be a Float32Array of 210 values, got an array of 210 values$/);
    expect(() => lovaszSoftmax(probasC, labelsC, [B, H, W, C], { out: null as never })).toThrow(
      TypeError,
    );
  });

  it('rejects an out of the wrong length', () => {
    expect(() =>
      lovaszSoftmax(probasC, labelsC, [B, H, W, C], { out: new Float32Array(P) }),
    ).toThrow(/^lovaszSoftmax: 'out' must hold 210 values \(one per input value\), got 70$/);
  });

  it('rejects an out that shares memory with an input, and accepts a disjoint part of one buffer', () => {
    const memory = new Float32Array(2 * P);
    memory.set(logits1);
    const logits = memory.subarray(0, P);
    expect(() =>
      lovaszHinge(logits, binary, [B, H, W], {
        ignore: 255,
        out: memory.subarray(P - 1, 2 * P - 1),
      }),
    ).toThrow(
      /^lovaszHinge: 'out' must not share memory with 'logits' \(inputs are never written\)$/,
    );
    expect(() => binaryXloss(logits1, binary, { ignore: 255, out: logits1 })).toThrow(
      /share memory with 'logits'/,
    );
    const r = lovaszHinge(logits, binary, [B, H, W], { ignore: 255, out: memory.subarray(P) });
    expect(Array.from(memory.subarray(0, P))).toEqual(Array.from(logits1));
    expect(bitIdentical(r, lovaszHinge(logits1, binary, [B, H, W], { ignore: 255 }))).toBe(true);
  });

  it('leaves out untouched when the input is rejected', () => {
    const out = new Float32Array(P).fill(7);
    const bad = Float32Array.from(logits1);
    bad[3] = Number.NaN;
    expect(() => lovaszHinge(bad, binary, [B, H, W], { ignore: 255, out })).toThrow(
      /must be finite/,
    );
    expect(() => lovaszHinge(bad, binary, [B, H, W], { ignore: 255, out, kernel: 'js' })).toThrow();
    expect(out.every((v) => v === 7)).toBe(true);
  });
});
