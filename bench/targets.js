// @ts-check
/**
 * The targets the issues set, in one table: each names the row it marks and says how it is
 * judged from the medians of one run (full sizes only; quick runs judge none).
 */
import { PORT_LIMIT_MS } from './suites/port.js';
import { formatMs, formatRatio } from './table.js';

/**
 * @typedef {object} Target
 * @property {string} row the row the target column marks
 * @property {string} mark what the target column says
 * @property {string} text the target, as the issue states it
 * @property {(get: (id: string) => import('./harness.js').Row | undefined) =>
 *   { measured: string, met: boolean | null } | null} judge null: a row is missing
 */

/**
 * A target on the ratio of two medians: row `a` at most `max` times row `b`.
 * @param {string} a
 * @param {string} b
 * @param {number} max
 * @param {string} text
 * @returns {Target}
 */
function ratioAtMost(a, b, max, text) {
  return {
    row: a,
    mark: `<= ${max}x`,
    text,
    judge: (get) => {
      const x = get(a);
      const y = get(b);
      if (!x || !y || x.skipped || y.skipped) return null;
      const r = x.medianMs / y.medianMs;
      return {
        measured: `${formatRatio(r)} (${formatMs(x.medianMs)} vs ${formatMs(y.medianMs)} ms)`,
        met: r <= max,
      };
    },
  };
}

/** @type {Target[]} */
export const TARGETS = [
  // Issue 16: the class kernel in WebAssembly.
  // Judged from the rows timed alternately with the probe (bench/suites/native.js).
  ratioAtMost(
    'alt/core/softmax/10x20x300x300',
    'alt/c/10x20x300x300',
    0.25,
    'lovaszSoftmax 10x20x300x300, uniform input <= 0.25x the C probe (timed alternately)',
  ),
  ratioAtMost(
    'alt/core/softmax-confident/10x20x300x300',
    'alt/c/10x20x300x300',
    0.5,
    'lovaszSoftmax 10x20x300x300, confident-model input <= 0.5x the C probe (timed alternately)',
  ),
  ratioAtMost(
    'tfjs-wasm/softmax/8x21x128x128',
    'core/softmax/8x21x128x128',
    1.1,
    'lovasz/tfjs on the wasm backend <= 1.1x the core at 8x21x128x128',
  ),
  ratioAtMost(
    'pair/softmax/2x5x100x100',
    'base/softmax/2x5x100x100',
    1,
    'lovaszSoftmax 2x5x100x100 not slower than before (--baseline, timed alternately)',
  ),
  ratioAtMost(
    'pair/softmax/1x5x50x50',
    'base/softmax/1x5x50x50',
    1,
    'lovaszSoftmax 1x5x50x50 not slower than before (--baseline, timed alternately)',
  ),
  // Earlier issues.
  {
    row: 'core/softmax/10x20x300x300',
    mark: '<= 600 ms',
    text: 'core lovaszSoftmax 10x20x300x300 <= 600 ms',
    judge: (get) => {
      const r = get('core/softmax/10x20x300x300');
      return r ? { measured: `${formatMs(r.medianMs)} ms`, met: r.medianMs <= 600 } : null;
    },
  },
  {
    row: 'port/2x5x100x100',
    mark: 'core >= 1000x faster',
    text: 'core >= 1000x faster than the tfjs port at 2x5x100x100 (cpu)',
    judge: (get) => {
      const port = get('port/2x5x100x100');
      const core = get('core/softmax/2x5x100x100');
      if (!port || !core) return null;
      const bound = port.skipped;
      const speedup = (bound ? PORT_LIMIT_MS : port.medianMs) / core.medianMs;
      return {
        measured: bound
          ? `> ${formatRatio(speedup)} (port > ${PORT_LIMIT_MS / 1000} s, core ${formatMs(core.medianMs)} ms)`
          : formatRatio(speedup),
        met: speedup >= 1000 ? true : bound ? null : false,
      };
    },
  },
  {
    row: 'core/hinge/random',
    mark: '<= 20 ms',
    text: 'core lovaszHinge perImage 10x300x300, random <= 20 ms',
    judge: (get) => {
      const r = get('core/hinge/random');
      return r ? { measured: `${formatMs(r.medianMs)} ms`, met: r.medianMs <= 20 } : null;
    },
  },
  ...['core', 'core-out'].map(
    (prefix) =>
      /** @type {Target} */ ({
        row: `${prefix}/hinge/trained`,
        mark: '>= 3x faster than random',
        text: `lovaszHinge with 90% errors <= 0 >= 3x faster than random (${prefix === 'core' ? 'a new gradient per call' : "gradient into a reused 'out'"})`,
        judge: (get) => {
          const random = get(`${prefix}/hinge/random`);
          const trained = get(`${prefix}/hinge/trained`);
          if (!random || !trained) return null;
          const speedup = random.medianMs / trained.medianMs;
          return {
            measured: `${formatRatio(speedup)} (${formatMs(trained.medianMs)} ms)`,
            met: speedup >= 3,
          };
        },
      }),
  ),
];
