import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations
import { binaryModuleOf, compileWasm } from '../../scripts/build-wasm.mjs';
import { setClassWasmLimits } from '../../src/core/class-wasm.js';
import { CLASS_WASM_BASE64 } from '../../src/core/class-wasm-binary.js';
import {
  type LovaszMultilabelOptions,
  type LovaszSoftmaxOptions,
  lovaszMultilabel,
  lovaszSigmoid,
  lovaszSoftmax,
} from '../../src/index.js';
import {
  bitIdentical,
  classesArb,
  dimsArb,
  expectMatchesReference,
  ignoreModeArb,
  ignoreValueArb,
  labelsArb,
  probaArb,
  reductionArb,
  rng,
  SLACK_PROBAS,
} from '../arbitraries.js';
import { golden, maxAbsDiff, relErr } from '../golden.js';
import { refLovaszSoftmax } from '../reference.js';

type Result = { loss: number; grad: Float32Array; losses?: Float64Array; classes?: number[] };

/** Both kernels agree to the bit: loss, gradient, per-item losses and their classes. */
function expectSameBits(js: Result, wasm: Result): void {
  expect(bitIdentical(wasm, js)).toBe(true);
  expect(wasm.losses && Array.from(wasm.losses)).toEqual(js.losses && Array.from(js.losses));
  expect(wasm.classes).toEqual(js.classes);
}

function softmaxBoth(
  probas: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: readonly number[],
  options: LovaszSoftmaxOptions = {},
): void {
  const js = lovaszSoftmax(probas, labels, shape, { ...options, kernel: 'js' });
  const wasm = lovaszSoftmax(probas, labels, shape, { ...options, kernel: 'wasm' });
  expectSameBits(js, wasm);
}

/** Uniform or confident-model probabilities (as bench/data.js draws them), random labels. */
function bigCase(
  [B, C, H, W]: number[],
  seed: number,
  confident: boolean,
): { probas: Float32Array; labels: Int32Array } {
  const rand = rng(seed);
  const P = B * H * W;
  const probas = new Float32Array(P * C);
  const labels = new Int32Array(P);
  for (let i = 0; i < P; i++) {
    const y = Math.floor(rand() * C);
    labels[i] = y;
    const py = confident ? (rand() < 0.9 ? 0.5 + 0.5 * rand() : 0.5 * rand()) : -1;
    let sum = 0;
    for (let c = 0; c < C; c++) {
      if (c === y && py >= 0) continue;
      const v = rand() + 1e-3;
      probas[i * C + c] = v;
      sum += v;
    }
    for (let c = 0; c < C; c++) {
      if (py < 0) probas[i * C + c] /= sum;
      else probas[i * C + c] = c === y ? py : ((1 - py) * probas[i * C + c]) / sum;
    }
  }
  return { probas, labels };
}

const optionsArb = fc.record({
  perImage: fc.boolean(),
  reduction: reductionArb,
  layout: fc.constantFrom('NHWC', 'NCHW') as fc.Arbitrary<'NHWC' | 'NCHW'>,
});

describe('the shipped WebAssembly class kernel', () => {
  it('is exactly the compile of assembly/class.ts (run npm run build:wasm after editing it)', async () => {
    const bytes: Uint8Array = await compileWasm('class');
    expect(Buffer.from(CLASS_WASM_BASE64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    const shipped = await readFile(
      new URL('../../src/core/class-wasm-binary.ts', import.meta.url),
      'utf8',
    );
    expect(shipped).toBe(binaryModuleOf('class', bytes));
  }, 60_000);

  it('stays within its 8 kB budget', () => {
    // Chrome before 114 refused synchronous compilation of modules over 4 kB on the main
    // thread (kernel 'auto' then runs the JavaScript kernel, as tested below); current
    // engines have no such limit. The budget keeps the embedded bytes small.
    expect(Buffer.from(CLASS_WASM_BASE64, 'base64').length).toBeLessThan(8192);
  });
});

describe("lovaszSoftmax kernels 'js' and 'wasm'", () => {
  afterEach(() => setClassWasmLimits());

  it('return the same bits on random inputs: ties, slack values, ignore, every option', () => {
    const caseArb = fc
      .record({
        dims: dimsArb,
        C: fc.integer({ min: 2, max: 5 }),
        mode: ignoreModeArb,
        ignore: ignoreValueArb,
        options: optionsArb,
        // Small stages: several chunks per group, and chunks of one pixel.
        stage: fc.constantFrom(16384, 7, 1),
      })
      .chain(({ dims, C, mode, ignore, ...rest }) => {
        const n = dims[0] * dims[1] * dims[2];
        return fc.record({
          dims: fc.constant(dims),
          C: fc.constant(C),
          ignore: fc.constant(mode === 'none' ? null : ignore),
          probas: fc.array(probaArb, { minLength: n * C, maxLength: n * C }),
          labels: labelsArb(n, C, ignore, mode),
          classes: classesArb(C),
          rest: fc.constant(rest),
        });
      });
    fc.assert(
      fc.property(caseArb, ({ dims, C, ignore, probas, labels, classes, rest }) => {
        const [B, H, W] = dims;
        const { layout, ...options } = rest.options;
        const shape = layout === 'NCHW' ? [B, C, H, W] : [B, H, W, C];
        setClassWasmLimits({ stage: rest.stage });
        const call = { ...options, layout, ignore, classes };
        softmaxBoth(Float32Array.from(probas), Int32Array.from(labels), shape, call);
      }),
      { numRuns: 300 },
    );
  });

  it('return the same bits on one probability channel (Lovász-Sigmoid) and from logits', () => {
    const caseArb = dimsArb.chain((dims) => {
      const n = dims[0] * dims[1] * dims[2];
      return fc.record({
        dims: fc.constant(dims),
        probas: fc.array(probaArb, { minLength: n, maxLength: n }),
        logits: fc.array(fc.double({ min: -6, max: 6, noNaN: true }), {
          minLength: n,
          maxLength: n,
        }),
        labels: labelsArb(n, 2, 255, 'some'),
        cls: fc.constantFrom(0, 1),
        options: optionsArb,
      });
    });
    fc.assert(
      fc.property(caseArb, ({ dims, probas, logits, labels, cls, options }) => {
        const { perImage, reduction } = options;
        const call = { perImage, reduction, ignore: 255, classes: [cls] };
        softmaxBoth(Float32Array.from(probas), labels, dims, call);
        const js = lovaszSigmoid(logits, labels, dims, { ...call, kernel: 'js' });
        const wasm = lovaszSigmoid(logits, labels, dims, { ...call, kernel: 'wasm' });
        expectSameBits(js, wasm);
      }),
      { numRuns: 150 },
    );
  });

  it('return the same bits from logits (softmax fused), with class weights and out', () => {
    const rand = rng(5);
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const shape = layout === 'NHWC' ? [2, 7, 9, 4] : [2, 4, 7, 9];
      const logits = Float32Array.from({ length: 2 * 7 * 9 * 4 }, () => 4 * rand() - 2);
      const labels = Int32Array.from({ length: 2 * 7 * 9 }, () => Math.floor(rand() * 4));
      const call = { layout, fromLogits: true, classWeights: [1, 0.5, 2, 0] };
      softmaxBoth(logits, labels, shape, call);
      const out = new Float32Array(logits.length).fill(7);
      const r = lovaszSoftmax(logits, labels, shape, { ...call, kernel: 'wasm', out });
      expect(r.grad).toBe(out);
      expect(bitIdentical(r, lovaszSoftmax(logits, labels, shape, { ...call, kernel: 'js' }))).toBe(
        true,
      );
    }
  });

  it('return the same bits on large uniform and confident inputs (2-pass sorts, chunks)', () => {
    // Two classes: 65536+ foreground pairs per class too, both sorts split first; the last
    // case keeps 2^18+ background pairs per class (their buckets' room is zeroed first).
    for (const [confident, size] of [
      [false, [2, 6, 200, 190]],
      [true, [2, 6, 200, 190]],
      [true, [2, 2, 260, 260]],
      [true, [1, 2, 760, 760]],
    ] as const) {
      const { probas, labels } = bigCase([...size], confident ? 3 : 4, confident);
      const [B, C, H, W] = size;
      softmaxBoth(probas, labels, [B, H, W, C]);
      softmaxBoth(probas, labels, [B, H, W, C], { perImage: true, classes: 'all' });
      // Small stages: many chunks, and a chunk that ends inside a pixel's channels.
      setClassWasmLimits({ stage: 1000 });
      softmaxBoth(probas, labels, [B, H, W, C], { reduction: 'none' });
    }
  });

  it('return the same bits when cut 1 falls inside a sort bucket of 65536+ pairs, void pixels too', () => {
    // Class 1's foreground probabilities stop at 0.8, so cut 1 keeps its background from 0.2 up:
    // the bucket holding 0.2 is only partly kept. Class 0 keeps its whole background, so the
    // kernel expects many pairs for class 1 and fills the sort's buckets directly. Channels
    // first, a group of two images is not one contiguous plane per class.
    const rand = rng(31);
    const [B, H, W] = [2, 320, 320];
    const P = B * H * W;
    // 10% void, 45% per class: each class has about 92,000 background pixels.
    const labels = Int32Array.from({ length: P }, () => {
      const u = rand();
      return u < 0.1 ? 255 : u < 0.55 ? 0 : 1;
    });
    const nhwc = new Float32Array(2 * P);
    for (let i = 0; i < P; i++) {
      const p1 = labels[i] === 1 ? 0.8 * rand() : rand();
      nhwc[2 * i] = 1 - p1;
      nhwc[2 * i + 1] = p1;
    }
    const nchw = new Float32Array(2 * P);
    for (let b = 0; b < B; b++)
      for (let q = 0; q < H * W; q++)
        for (let c = 0; c < 2; c++) nchw[(b * 2 + c) * H * W + q] = nhwc[2 * (b * H * W + q) + c];
    for (const perImage of [false, true]) {
      softmaxBoth(nhwc, labels, [B, H, W, 2], { ignore: 255, perImage });
      softmaxBoth(nchw, labels, [B, 2, H, W], { ignore: 255, perImage, layout: 'NCHW' });
    }
  });

  it('return the same bits when the ignore label is a class index (its pixels are void)', () => {
    const rand = rng(23);
    const [B, H, W, C] = [3, 9, 11, 4];
    const probas = Float32Array.from({ length: B * H * W * C }, () => rand());
    const labels = Int32Array.from({ length: B * H * W }, () => Math.floor(rand() * C));
    const selections: LovaszSoftmaxOptions['classes'][] = ['all', 'present', [1, 2]];
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const shape = layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W];
      for (const perImage of [false, true]) {
        for (const classes of selections) {
          softmaxBoth(probas, labels, shape, { layout, perImage, ignore: 2, classes });
        }
        // Class 2 has no foreground: its pixels are void, not its own.
        const call = { layout, ignore: 2, reduction: 'none', kernel: 'wasm' } as const;
        expect(lovaszSoftmax(probas, labels, shape, call).classes).toEqual([0, 1, 3]);
      }
    }
  });

  it('sort 65536+ keys exactly: tied, and with a probability in the slack below 0', () => {
    // Such a key is negative: its image's top bits differ from those of keys in [0, 2).
    const rand = rng(17);
    const [B, H, W] = [1, 350, 200];
    const n = B * H * W;
    const labels = Int32Array.from({ length: n }, () => (rand() < 0.97 ? 1 : 0));
    // Without the negative key too: 9 distinct values, ties everywhere, in the bucketed sort.
    for (const negative of [0.01, 0]) {
      const probas = Float32Array.from({ length: n }, () =>
        rand() < negative ? -(2 ** -21) : Math.floor(rand() * 9) / 8,
      );
      for (const classes of [[1], [0]]) {
        const ref = refLovaszSoftmax(probas, labels, [B, H, W], { classes });
        for (const kernel of ['js', 'wasm'] as const) {
          const r = lovaszSoftmax(probas, labels, [B, H, W], { classes, kernel });
          expectMatchesReference(r, ref);
        }
        softmaxBoth(probas, labels, [B, H, W], { classes });
      }
    }
  });

  it('return the same bits for labels and probabilities of any array type', () => {
    const rand = rng(11);
    const n = 3 * 5 * 4;
    const probas = Array.from({ length: n * 3 }, () => Math.round(rand() * 8) / 8);
    const labels = Array.from({ length: n }, () => (rand() < 0.2 ? 255 : Math.floor(rand() * 3)));
    const shape = [3, 5, 4, 3];
    for (const p of [probas, Float64Array.from(probas), Float32Array.from(probas)]) {
      for (const y of [labels, Uint8Array.from(labels), Float64Array.from(labels)]) {
        softmaxBoth(p, y, shape, { ignore: 255, classes: 'all', perImage: true });
      }
    }
  });

  it('return the same bits call after call (deterministic) as memory grows and is reused', () => {
    const small = bigCase([1, 3, 20, 20], 1, true);
    const big = bigCase([2, 5, 120, 110], 2, true);
    const first = lovaszSoftmax(small.probas, small.labels, [1, 20, 20, 3], { kernel: 'wasm' });
    lovaszSoftmax(big.probas, big.labels, [2, 120, 110, 5], { kernel: 'wasm' });
    const again = lovaszSoftmax(small.probas, small.labels, [1, 20, 20, 3], { kernel: 'wasm' });
    expectSameBits(first, again);
    softmaxBoth(big.probas, big.labels, [2, 120, 110, 5]);
  });

  it('match the golden lovaszSoftmax vectors on each kernel', () => {
    const cases = golden.filter((g) => g.fn === 'lovaszSoftmax');
    expect(cases.length).toBeGreaterThan(0);
    for (const kernel of ['js', 'wasm'] as const) {
      for (const c of cases) {
        const x = c.inputs.probas;
        const options = {
          ...((c.options ?? {}) as LovaszSoftmaxOptions),
          ...(c.inputs.layout === 'NCHW' ? { layout: 'NCHW' as const } : {}),
          kernel,
        };
        const r = lovaszSoftmax(Float32Array.from(x.data), c.inputs.labels.data, x.shape, options);
        expect(relErr(r.loss, c.expected.loss as number)).toBeLessThanOrEqual(1e-6);
        if (c.expected.grad && !c.ties) {
          expect(maxAbsDiff(r.grad, c.expected.grad.data)).toBeLessThanOrEqual(1e-6);
        }
      }
    }
  });
});

describe("lovaszMultilabel kernels 'js' and 'wasm'", () => {
  afterEach(() => setClassWasmLimits());

  it('return the same bits on random inputs, both layouts, ignore and every option', () => {
    const caseArb = fc
      .record({
        dims: dimsArb,
        C: fc.integer({ min: 1, max: 4 }),
        mode: ignoreModeArb,
        options: optionsArb,
        stage: fc.constantFrom(16384, 5),
      })
      .chain(({ dims, C, mode, ...rest }) => {
        const n = dims[0] * dims[1] * dims[2] * C;
        return fc.record({
          dims: fc.constant(dims),
          C: fc.constant(C),
          ignore: fc.constant(mode === 'none' ? null : 255),
          probas: fc.array(probaArb, { minLength: n, maxLength: n }),
          targets: labelsArb(n, 2, 255, mode),
          classes: classesArb(C),
          rest: fc.constant(rest),
        });
      });
    fc.assert(
      fc.property(caseArb, ({ dims, C, ignore, probas, targets, classes, rest }) => {
        const [B, H, W] = dims;
        const { layout, ...options } = rest.options;
        const shape = layout === 'NCHW' ? [B, C, H, W] : [B, H, W, C];
        setClassWasmLimits({ stage: rest.stage });
        const call: LovaszMultilabelOptions = { ...options, layout, ignore, classes };
        const p = Float32Array.from(probas);
        const js = lovaszMultilabel(p, targets, shape, { ...call, kernel: 'js' });
        const wasm = lovaszMultilabel(p, targets, shape, { ...call, kernel: 'wasm' });
        expectSameBits(js, wasm);
      }),
      { numRuns: 200 },
    );
  });

  it('return the same bits on a large input (65536+ background pairs per channel), both layouts', () => {
    // Three channels of two images, a third of the targets positive, some void: every channel
    // keeps about 85,000 background pairs, so the later channels fill the sort's buckets
    // directly.
    const rand = rng(43);
    const [B, C, H, W] = [2, 3, 260, 260];
    const n = B * C * H * W;
    const probas = Float32Array.from({ length: n }, () => rand());
    const targets = Int32Array.from({ length: n }, () => {
      const u = rand();
      return u < 0.05 ? 255 : u < 0.35 ? 1 : 0;
    });
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const shape = layout === 'NCHW' ? [B, C, H, W] : [B, H, W, C];
      for (const perImage of [false, true]) {
        const call: LovaszMultilabelOptions = { layout, ignore: 255, perImage };
        const js = lovaszMultilabel(probas, targets, shape, { ...call, kernel: 'js' });
        const wasm = lovaszMultilabel(probas, targets, shape, { ...call, kernel: 'wasm' });
        expectSameBits(js, wasm);
      }
    }
  });
});

describe('the class kernels on bad input', () => {
  const shape = [1, 2, 2, 3];
  const labels = [0, 1, 2, 1];
  const good = [0.2, 0.3, 0.5, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0, 1, 0];

  it('throw the same error for a probability outside [0, 1] or NaN, at the same index', () => {
    for (const bad of [1.5, -0.25, Number.NaN, 1 + 2 ** -16, -(2 ** -18)]) {
      for (const at of [0, 5, 11]) {
        const probas = Float32Array.from(good);
        probas[at] = bad;
        const message = (kernel: 'js' | 'wasm') => {
          try {
            lovaszSoftmax(probas, labels, shape, { kernel, classes: [1] });
          } catch (error) {
            return (error as Error).message;
          }
          return 'no error';
        };
        expect(message('wasm')).toMatch(
          /^lovaszSoftmax: 'probas' must be probabilities in \[0, 1\]/,
        );
        expect(message('wasm')).toContain(`at index ${at}`);
        expect(message('wasm')).toBe(message('js'));
      }
    }
  });

  it('find a bad probability anywhere channels last: in 4 x 4 blocks and in the rows and columns after', () => {
    // 9 pixels of 5 channels: the loading transpose moves blocks of 4 pixels x 4 channels, then
    // channel 4 of pixels 0-7 and every channel of pixel 8 one value at a time.
    const rand = rng(41);
    const big = [1, 3, 3, 5];
    const base = Float32Array.from({ length: 45 }, () => 0.2 * rand());
    const y = Int32Array.from({ length: 9 }, (_, i) => i % 5);
    const bads = [1.5, -0.25, Number.NaN, 1 + 2 ** -16, -(2 ** -18)];
    for (let at = 0; at < base.length; at++) {
      const probas = Float32Array.from(base);
      probas[at] = bads[at % bads.length];
      const message = (kernel: 'js' | 'wasm') => {
        try {
          lovaszSoftmax(probas, y, big, { kernel });
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      };
      expect(message('wasm')).toContain(`at index ${at}`);
      expect(message('wasm')).toBe(message('js'));
    }
  });

  it('accept the slack values on both kernels, and the float32 bounds of the slack exactly', () => {
    for (const v of SLACK_PROBAS) {
      const probas = Float32Array.from(good);
      probas[4] = v;
      softmaxBoth(probas, labels, shape, { classes: 'all' });
    }
    // The largest float32 <= 1 + 1e-6 passes, the next one is refused, on both kernels.
    const hi = Math.fround(1 + 1e-6) <= 1 + 1e-6 ? Math.fround(1 + 1e-6) : 1 + 2 ** -23 * 8;
    const probas = Float32Array.from(good);
    probas[4] = hi;
    softmaxBoth(probas, labels, shape);
    const next = new Float32Array([hi]);
    new Uint32Array(next.buffer)[0] += 1;
    probas[4] = next[0];
    for (const kernel of ['js', 'wasm'] as const) {
      expect(() => lovaszSoftmax(probas, labels, shape, { kernel })).toThrow(/at index 4/);
    }
  });

  it('check the channels a class list leaves out, channels first too', () => {
    const probas = Float32Array.from(good);
    probas[2] = 2; // channel 2 of pixel 0, NHWC; channel 0 of pixel 2 as NCHW [1, 3, 2, 2]
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const s = layout === 'NHWC' ? shape : [1, 3, 2, 2];
      expect(() =>
        lovaszSoftmax(probas, labels, s, { layout, classes: [1], kernel: 'wasm' }),
      ).toThrow(/at index 2/);
    }
  });

  it("refuse a bad kernel name, and say why kernel 'wasm' cannot run", () => {
    const probas = Float32Array.from(good);
    expect(() =>
      lovaszSoftmax(probas, labels, shape, { kernel: 'simd' as unknown as 'js' }),
    ).toThrow(/^lovaszSoftmax: 'kernel' must be 'auto', 'wasm' or 'js', got 'simd'$/);
    expect(() =>
      lovaszMultilabel(probas, [0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0], shape, {
        kernel: 2 as unknown as 'js',
      }),
    ).toThrow(/^lovaszMultilabel: 'kernel' must be 'auto', 'wasm' or 'js', got 2$/);
    const big = 2 ** 31;
    const y = [0, big, 2, 1];
    expect(() => lovaszSoftmax(probas, y, shape, { ignore: big, kernel: 'wasm' })).toThrow(
      /^lovaszSoftmax: kernel 'wasm' cannot run this call: it needs an int32 ignore label, got 2147483648$/,
    );
    // 'auto' falls back to the JavaScript kernel, with the same bits.
    const auto = lovaszSoftmax(probas, y, shape, { ignore: big });
    expect(bitIdentical(auto, lovaszSoftmax(probas, y, shape, { ignore: big, kernel: 'js' }))).toBe(
      true,
    );
  });

  it("accept kernel 'wasm' on an input without values", () => {
    expect(lovaszSoftmax([], [], [0, 3, 3, 2], { kernel: 'wasm' }).loss).toBe(0);
    expect(lovaszSoftmax([], [], [2, 0, 3, 2], { kernel: 'wasm' }).grad.length).toBe(0);
  });
});

describe('the class kernel without WebAssembly, or without memory', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it("falls back to JavaScript with kernel 'auto' and says why with kernel 'wasm'", async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const fresh = await import('../../src/core/softmax.js');
    const { probas, labels } = bigCase([2, 3, 10, 10], 9, false);
    const auto = fresh.lovaszSoftmax(probas, labels, [2, 10, 10, 3]);
    vi.unstubAllGlobals();
    const js = lovaszSoftmax(probas, labels, [2, 10, 10, 3], { kernel: 'js' });
    expect(bitIdentical(auto, js)).toBe(true);
    expect(() => fresh.lovaszSoftmax(probas, labels, [2, 10, 10, 3], { kernel: 'wasm' })).toThrow(
      /^lovaszSoftmax: kernel 'wasm' cannot run this call: WebAssembly is not available/,
    );
  });

  it("falls back with kernel 'auto' and names the bytes with 'wasm' when memory cannot grow", async () => {
    vi.resetModules();
    const fresh = await import('../../src/core/softmax.js');
    const { probas, labels } = bigCase([2, 4, 90, 100], 21, true);
    // A first small call instantiates the kernel with a small memory.
    fresh.lovaszSoftmax(probas.subarray(0, 16), labels.subarray(0, 4), [1, 2, 2, 4]);
    vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    const auto = fresh.lovaszSoftmax(probas, labels, [2, 90, 100, 4]);
    const js = lovaszSoftmax(probas, labels, [2, 90, 100, 4], { kernel: 'js' });
    expect(bitIdentical(auto, js)).toBe(true);
    expect(() => fresh.lovaszSoftmax(probas, labels, [2, 90, 100, 4], { kernel: 'wasm' })).toThrow(
      /^lovaszSoftmax: kernel 'wasm' cannot run this call: \d+ bytes of WebAssembly memory are not available$/,
    );
  });
});
