// @ts-check
/**
 * What every benchmark suite shares: the options of the run, the rows measured so far, the
 * timing of one row, and the seeded inputs (generated once, outside every timed region).
 */
import { Bench } from 'tinybench';
import { confidentSoftmaxInput, hingeInput, positiveErrorFraction, softmaxInput } from './data.js';

/**
 * @typedef {object} Row
 * @property {string} id unique key, used by refs
 * @property {string} impl 'core' | 'lovasz/tfjs' | 'tfjs port' | 'C radix_limit' | ...
 * @property {string} case what is computed
 * @property {string} size
 * @property {string} backend
 * @property {number} medianMs NaN when skipped
 * @property {number} minMs
 * @property {number} maxMs
 * @property {number} iterations timed iterations (warm-up excluded)
 * @property {{ id: string, label: string }[]} refs rows this one is compared with
 * @property {{ vs: string, ratio: number, lowerBound?: boolean }[]} [ratios] median / ref median
 * @property {boolean} [skipped]
 * @property {string} [note]
 */

export const SEED = 20180618; // CVPR 2018; any fixed value keeps runs comparable
/** Seed of the confident-model input (bench/data.js). */
export const CONFIDENT_SEED = 7;

/** @param {number[]} s */
export const dims = (s) => s.join('x');

/** @param {number[]} xs */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Times `fn` with tinybench: big inputs get 1 warm-up + 5 timed calls (each call is up to
 * seconds), small ones at least 10 calls and 1 s. Returns the latency statistics in ms.
 * @param {string} name
 * @param {() => void} fn
 * @param {number} elements input size, to pick the iteration budget
 */
export async function measure(name, fn, elements) {
  const big = elements >= 4e6;
  const bench = new Bench({
    name,
    iterations: big ? 5 : 10,
    time: big ? 0 : 1000,
    // Small inputs warm up for 250 ms too, so the optimising JIT has settled before timing.
    warmupIterations: big ? 1 : 3,
    warmupTime: big ? 0 : 250,
    throws: true,
  });
  bench.add(name, fn);
  // Start each row from a collected heap (node --expose-gc, as npm run bench starts it): the
  // garbage of an earlier row (gradients of 72 MB at the largest size) is not collected, and
  // charged, inside this one.
  globalThis.gc?.();
  await bench.run();
  const result = /** @type {any} */ (bench.tasks[0].result);
  const l = result.latency;
  return { medianMs: l.p50, minMs: l.min, maxMs: l.max, iterations: l.samplesCount };
}

/**
 * Times `fnA` and `fnB` alternately, call by call (AB, then BA, ...), so that drift in the
 * machine's speed (other tenants, the first use of fresh memory) falls on both alike: rows
 * measured minutes apart can differ by 10% on a shared VM, more than the changes a "not
 * slower" target judges. Big inputs: 1 warm-up and 7 timed calls each; small ones: 250 ms of
 * warm-up, then at least 10 calls and 1 s each. tinybench runs its tasks one after the
 * other, hence this loop.
 * @param {() => void} fnA
 * @param {() => void} fnB
 * @param {number} elements input size, to pick the iteration budget
 */
export function measurePair(fnA, fnB, elements) {
  const big = elements >= 4e6;
  const time = (/** @type {() => void} */ fn) => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  /** @type {number[]} */
  const a = [];
  /** @type {number[]} */
  const b = [];
  globalThis.gc?.();
  const warm = performance.now() + (big ? 0 : 250);
  for (let i = 0; i < (big ? 1 : 3) || performance.now() < warm; i++) {
    fnA();
    fnB();
  }
  const until = performance.now() + (big ? 0 : 2000);
  for (let i = 0; i < (big ? 7 : 10) || performance.now() < until; i++) {
    if (i % 2 === 0) {
      a.push(time(fnA));
      b.push(time(fnB));
    } else {
      b.push(time(fnB));
      a.push(time(fnA));
    }
  }
  return [latency(a), latency(b)];
}

/**
 * A row's statistics from its times (ms), for rows timed by hand rather than by tinybench.
 * @param {number[]} xs
 */
export function latency(xs) {
  return {
    medianMs: median(xs),
    minMs: Math.min(...xs),
    maxMs: Math.max(...xs),
    iterations: xs.length,
  };
}

/**
 * The context handed to each suite's `run`.
 * @param {{ quick: boolean, filter?: string, baseline?: string }} opts
 */
export function makeContext(opts) {
  const { quick } = opts;
  const filter = opts.filter?.toLowerCase();
  /** @type {Row[]} */
  const rows = [];
  const log = (/** @type {string} */ msg) => process.stderr.write(`${msg}\n`);
  const selected = (/** @type {string} */ text) => !filter || text.toLowerCase().includes(filter);
  // Sizes are [B, C, H, W] for softmax (the notation; tensors are NHWC) and [B, H, W]
  // for the hinge. 1x5x50x50 and 1x5x100x100 exist so the plain port always gets a ratio.
  const SOFTMAX_SIZES = quick
    ? [
        [2, 5, 100, 100],
        [1, 5, 50, 50],
      ]
    : [
        [10, 20, 300, 300],
        [8, 21, 128, 128],
        [2, 5, 100, 100],
        [1, 5, 100, 100],
        [1, 5, 50, 50],
      ];
  const SIGMOID_SIZE = quick ? [2, 1, 100, 100] : [10, 1, 300, 300];
  const HINGE_SIZE = quick ? [2, 100, 100] : [10, 300, 300];
  /** Sizes that also get the confident-model input. */
  const CONFIDENT_SIZES = quick
    ? [[2, 5, 100, 100]]
    : [
        [10, 20, 300, 300],
        [8, 21, 128, 128],
      ];

  /** @type {Map<string, ReturnType<typeof softmaxInput>>} */
  const cache = new Map();
  /**
   * The uniform (radix_limit.c) or confident-model input at `size`, made once.
   * @param {number[]} size
   * @param {'uniform' | 'confident'} [kind]
   */
  const softmaxData = (size, kind = 'uniform') => {
    const key = `${kind}/${dims(size)}`;
    if (!cache.has(key)) {
      cache.set(
        key,
        kind === 'uniform' ? softmaxInput(size, SEED) : confidentSoftmaxInput(size, CONFIDENT_SEED),
      );
    }
    return /** @type {ReturnType<typeof softmaxInput>} */ (cache.get(key));
  };
  /** @type {Record<'random' | 'trained', ReturnType<typeof hingeInput>> | null} */
  let hinge = null;
  const hingeData = () => {
    hinge ??= {
      random: hingeInput(HINGE_SIZE, 'random', SEED),
      trained: hingeInput(HINGE_SIZE, 'trained', SEED),
    };
    return hinge;
  };
  /** @param {'random' | 'trained'} kind */
  const hingeCase = (kind) => {
    const { logits, labels } = hingeData()[kind];
    const share = positiveErrorFraction(logits, labels);
    return `lovaszHinge perImage, ${kind} (${(100 * share).toFixed(0)}% errors > 0)`;
  };
  const ctx = {
    quick,
    filter,
    baseline: opts.baseline,
    rows,
    log,
    selected,
    SOFTMAX_SIZES,
    SIGMOID_SIZE,
    HINGE_SIZE,
    CONFIDENT_SIZES,
    allSoftmaxSizes: [...SOFTMAX_SIZES, SIGMOID_SIZE],
    softmaxData,
    hingeData,
    hingeCase,
    /** Options of the sigmoid rows: one channel needs the class it predicts. */
    SIGMOID: { classes: [1] },
    /** @param {number[]} size @param {'uniform' | 'confident'} [kind] */
    softmaxCase: (size, kind = 'uniform') =>
      size[1] === 1
        ? 'lovaszSoftmax sigmoid (C=1)'
        : kind === 'uniform'
          ? 'lovaszSoftmax, uniform'
          : 'lovaszSoftmax, confident model',
    /** Notes printed under the tables (warnings, skipped probes). @type {string[]} */
    notes: [],
    /** Sentences of the memory paragraph, by suite. @type {string[]} */
    memory: [],
    /** Extra results saved to the JSON file, by key. @type {Record<string, unknown>} */
    extra: {},
    /**
     * Adds a timed row unless the filter excludes it.
     * @param {Omit<Row, 'medianMs' | 'minMs' | 'maxMs' | 'iterations'>} row
     * @param {() => void} fn
     * @param {number} elements
     */
    async timeRow(row, fn, elements) {
      if (!selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) return;
      log(`timing ${row.impl} ${row.case} ${row.size} ${row.backend} ...`);
      rows.push({ ...row, ...(await measure(row.id, fn, elements)) });
    },
    /**
     * Adds two rows timed alternately (see measurePair), unless the filter excludes the first.
     * @param {Omit<Row, 'medianMs' | 'minMs' | 'maxMs' | 'iterations'>} rowA
     * @param {Omit<Row, 'medianMs' | 'minMs' | 'maxMs' | 'iterations'>} rowB
     * @param {() => void} fnA
     * @param {() => void} fnB
     * @param {number} elements
     */
    timePair(rowA, rowB, fnA, fnB, elements) {
      if (!selected(`${rowA.impl} ${rowA.case} ${rowA.size} ${rowA.backend}`)) return;
      log(`timing ${rowA.impl} and ${rowB.impl}, alternately, ${rowA.case} ${rowA.size} ...`);
      const [a, b] = measurePair(fnA, fnB, elements);
      rows.push({ ...rowA, ...a }, { ...rowB, ...b });
    },
  };
  return ctx;
}

/** @typedef {ReturnType<typeof makeContext>} Context */
