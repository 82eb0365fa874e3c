import { describe, expect, it } from 'vitest';
import { combinedLoss, type LossTerm, lovaszSoftmax, xloss } from '../../src/index.js';

const [B, H, W, C] = [2, 3, 4, 3];
const logits = Float32Array.from({ length: B * H * W * C }, (_, i) => Math.sin(i * 1.7) * 3);
const labels = Int32Array.from({ length: B * H * W }, (_, i) => (i % 7 === 0 ? 255 : i % C));

describe('combinedLoss', () => {
  it('is the weighted sum of its terms, loss and gradient', () => {
    const loss = combinedLoss([
      { loss: 'xloss', options: { ignore: 255 } },
      { loss: 'lovaszSoftmax', weight: 0.5, options: { fromLogits: true, ignore: 255 } },
    ]);
    const r = loss(logits, labels, [B, H, W, C]);
    const a = xloss(logits, labels, [B, H, W, C], { ignore: 255 });
    const b = lovaszSoftmax(logits, labels, [B, H, W, C], { fromLogits: true, ignore: 255 });
    expect(r.loss).toBeCloseTo(a.loss + 0.5 * b.loss, 12);
    for (let i = 0; i < r.grad.length; i++) {
      expect(r.grad[i]).toBeCloseTo(a.grad[i] + 0.5 * b.grad[i], 6);
    }
  });

  it('rejects unknown losses, non-finite weights and reduction none', () => {
    expect(() => combinedLoss([])).toThrow(/^combinedLoss: 'terms' must be a non-empty array/);
    expect(() => combinedLoss([{ loss: 'dice' as never }])).toThrow(
      /^combinedLoss: term 0 has loss "dice"; known: lovaszHinge, lovaszSigmoid/,
    );
    expect(() => combinedLoss([{ loss: 'xloss', weight: Number.NaN }])).toThrow(
      /^combinedLoss: term 0 \('xloss'\) has a weight that is not finite: NaN$/,
    );
    expect(() =>
      combinedLoss([{ loss: 'xloss', options: { reduction: 'none' as never } }]),
    ).toThrow(/^combinedLoss: term 0 \('xloss'\) has reduction 'none'; a sum needs scalars$/);
  });

  it("checks each term's options against its loss when the sum is made, naming the term", () => {
    const make = () =>
      combinedLoss([
        { loss: 'xloss' },
        { loss: 'lovaszSoftmax', options: { per_image: true } as never },
      ]);
    expect(make).toThrow(TypeError);
    expect(make).toThrow(
      /^combinedLoss: term 1 \('lovaszSoftmax'\): unknown option 'per_image' \(did you mean 'perImage'\? known options: 'classes', /,
    );
    expect(() =>
      combinedLoss([{ loss: 'lovaszHinge', options: { variant: 'elu' as never } }]),
    ).toThrow(
      /^combinedLoss: term 0 \('lovaszHinge'\): 'variant' must be 'relu' or 'elu\+1', got 'elu'$/,
    );
  });

  it('types each term by its loss: the options of another loss do not compile', () => {
    // @ts-expect-error 'variant' is a hinge option, not one of lovaszSoftmax
    const term: LossTerm = { loss: 'lovaszSoftmax', options: { variant: 'elu+1' } };
    expect(() => combinedLoss([term])).toThrow(/unknown option 'variant'/);
  });
});
