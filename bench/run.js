// @ts-check
/**
 * `npm run bench`: median forward + backward times of the Lovász losses, one thread, with
 * every ratio measured in the same run. See bench/README.md for what each row means.
 *
 * usage: node bench/run.js [--quick] [--filter <substring>] [--readme]
 *        node bench/run.js --backend webgpu [...]   (the GPU rows: bench/gpu.js)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { Bench } from 'tinybench';
import { lovaszHinge, lovaszSoftmax } from '../dist/index.js';
import * as lt from '../dist/tfjs/index.js';
import { confidentSoftmaxInput, hingeInput, positiveErrorFraction, softmaxInput } from './data.js';
import { formatBytes, formatMs, formatRatio, markdownTable } from './table.js';

// The GPU rows are a suite of their own, with their own flags.
if (process.argv.slice(2).some((a) => a === '--backend' || a.startsWith('--backend='))) {
  const { runGpuBench } = await import('./gpu.js');
  await runGpuBench(process.argv.slice(2));
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    filter: { type: 'string' },
    readme: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(`usage: node bench/run.js [--quick] [--filter <substring>] [--readme]
  --quick    small sizes only (smoke check, ~20 s)
  --filter   run only rows whose "impl case size backend" contains the substring
  --readme   also replace the "## Performance" section of README.md (if README.md exists)`);
  process.exit(0);
}
const quick = opts.quick;
const filter = opts.filter?.toLowerCase();

// Another job on this machine inflates every row (2 cores): the load is recorded and warned about.
const loadAtStart = os.loadavg()[0];

const SEED = 20180618; // CVPR 2018; any fixed value keeps runs comparable
/** A port iteration longer than this is abandoned (the issue quotes ~1 min at 2x5x100x100). */
const PORT_LIMIT_MS = 30_000;

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
/** Port sizes with their iteration counts: a few where it is cheap, one where it is not. */
const PORT_SIZES = quick
  ? [{ size: [1, 5, 50, 50], iterations: 3 }]
  : [
      { size: [1, 5, 50, 50], iterations: 3 },
      { size: [1, 5, 100, 100], iterations: 1 },
      { size: [2, 5, 100, 100], iterations: 1 },
    ];
const C_SIZES = quick
  ? [
      [2, 5, 100, 100],
      [2, 1, 100, 100],
    ]
  : [[10, 20, 300, 300], [8, 21, 128, 128], [2, 5, 100, 100], SIGMOID_SIZE];

/**
 * @typedef {object} Row
 * @property {string} id unique key, used by refs
 * @property {string} impl 'core' | 'lovasz/tfjs' | 'tfjs port' | 'C radix_limit'
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

/** @type {Row[]} */
const rows = [];
const dims = (/** @type {number[]} */ s) => s.join('x');
const selected = (/** @type {string} */ text) => !filter || text.toLowerCase().includes(filter);
const log = (/** @type {string} */ msg) => process.stderr.write(`${msg}\n`);

/**
 * Times `fn` with tinybench: big inputs get 1 warm-up + 5 timed calls (each call is up to
 * seconds), small ones at least 10 calls and 1 s. Returns the latency statistics in ms.
 * @param {string} name
 * @param {() => void} fn
 * @param {number} elements input size, to pick the iteration budget
 */
async function measure(name, fn, elements) {
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
  await bench.run();
  const result = /** @type {any} */ (bench.tasks[0].result);
  const l = result.latency;
  return { medianMs: l.p50, minMs: l.min, maxMs: l.max, iterations: l.samplesCount };
}

/**
 * Adds a timed row unless the filter excludes it.
 * @param {Omit<Row, 'medianMs' | 'minMs' | 'maxMs' | 'iterations'>} row
 * @param {() => void} fn
 * @param {number} elements
 */
async function timeRow(row, fn, elements) {
  if (!selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) return;
  log(`timing ${row.impl} ${row.case} ${row.size} ${row.backend} ...`);
  rows.push({ ...row, ...(await measure(row.id, fn, elements)) });
}

// Inputs are generated once per size, outside every timed region, and shared by the groups.
/** @type {Map<string, ReturnType<typeof softmaxInput>>} */
const softmaxCache = new Map();
const softmaxData = (/** @type {number[]} */ size) => {
  const key = dims(size);
  if (!softmaxCache.has(key)) softmaxCache.set(key, softmaxInput(size, SEED));
  return /** @type {ReturnType<typeof softmaxInput>} */ (softmaxCache.get(key));
};
const hinge = {
  random: hingeInput(HINGE_SIZE, 'random', SEED),
  trained: hingeInput(HINGE_SIZE, 'trained', SEED),
};
const positive = {
  random: positiveErrorFraction(hinge.random.logits, hinge.random.labels),
  trained: positiveErrorFraction(hinge.trained.logits, hinge.trained.labels),
};
/** @param {'random' | 'trained'} kind */
const hingeCase = (kind) =>
  `lovaszHinge perImage, ${kind} (${(100 * positive[kind]).toFixed(0)}% errors > 0)`;
/** Options of the sigmoid rows: one channel needs the class it predicts. */
const SIGMOID = { classes: [1] };
const softmaxCase = (/** @type {number[]} */ size) =>
  size[1] === 1 ? 'lovaszSoftmax sigmoid (C=1)' : 'lovaszSoftmax';
const allSoftmaxSizes = [...SOFTMAX_SIZES, SIGMOID_SIZE];

// ---------------------------------------------------------------- memory (first, cold) ----

/** @type {Record<string, unknown> | null} */
let memory = null;
const largest = SOFTMAX_SIZES[0];
if (selected(`core lovaszSoftmax ${dims(largest)} js memory`)) {
  const { probas, labels, shape } = softmaxData(largest);
  const before = process.memoryUsage();
  // The first call allocates the gradient and grows the module-level work buffers.
  const first = lovaszSoftmax(probas, labels, shape);
  const afterFirst = process.memoryUsage();
  const second = lovaszSoftmax(probas, labels, shape);
  const afterSecond = process.memoryUsage();
  /** @type {number | null} */
  let sortBytes = null;
  try {
    const sort = await import('../dist/core/sort.js');
    if (typeof sort.sortBufferBytes === 'function') sortBytes = sort.sortBufferBytes();
  } catch {
    // The export is an internal detail; its absence only blanks one cell.
  }
  memory = {
    size: dims(largest),
    inputBytes: probas.byteLength + labels.byteLength,
    gradBytes: first.grad.byteLength,
    before,
    afterFirstCall: afterFirst,
    afterSecondCall: afterSecond,
    sortBufferBytes: sortBytes,
    // The core's other work buffers are private and their layout keeps changing, so they are
    // measured, not computed: typed-array bytes that appeared with the first call beyond the
    // gradient it returned (temporaries already collected are not seen).
    retainedBytes: afterFirst.arrayBuffers - before.arrayBuffers - first.grad.byteLength,
  };
  if (second.loss !== first.loss) log('warning: two identical calls returned different losses');
}

// ------------------------------------------------------------------------------ core ----

for (const size of allSoftmaxSizes) {
  const { probas, labels, shape } = softmaxData(size);
  const options = size[1] === 1 ? SIGMOID : {};
  await timeRow(
    {
      id: `core/softmax/${dims(size)}`,
      impl: 'core',
      case: softmaxCase(size),
      size: dims(size),
      backend: 'js',
      refs: [{ id: `c/${dims(size)}`, label: 'C' }],
    },
    () => {
      lovaszSoftmax(probas, labels, shape, options);
    },
    probas.length,
  );
}
{
  // The worst case of the kernel: a confident model's errors overlap, so nearly every pixel of
  // every class is sorted (the uniform rows above let the exact cuts skip most of them).
  const size = SOFTMAX_SIZES[0];
  const { probas, labels, shape } = confidentSoftmaxInput(size, 7);
  await timeRow(
    {
      id: `core/softmax-confident/${dims(size)}`,
      impl: 'core',
      case: 'lovaszSoftmax, confident model',
      size: dims(size),
      backend: 'js',
      refs: [
        { id: `c/${dims(size)}`, label: 'C' },
        { id: `core/softmax/${dims(size)}`, label: 'uniform' },
      ],
    },
    () => {
      lovaszSoftmax(probas, labels, shape);
    },
    probas.length,
  );
}
// The default kernel ('auto': WebAssembly in Node) and the JavaScript kernel, which gives the
// same bits and is what runs where WebAssembly is refused.
for (const kernel of /** @type {const} */ (['auto', 'js'])) {
  for (const kind of /** @type {const} */ (['random', 'trained'])) {
    const { logits, labels, shape } = hinge[kind];
    const refs =
      kernel === 'js'
        ? [{ id: `core/hinge/${kind}`, label: 'wasm' }]
        : kind === 'random'
          ? [{ id: `c/${dims(SIGMOID_SIZE)}`, label: 'C (C=1)' }]
          : [{ id: 'core/hinge/random', label: 'random' }];
    await timeRow(
      {
        id: kernel === 'js' ? `core-js/hinge/${kind}` : `core/hinge/${kind}`,
        impl: kernel === 'js' ? "core, kernel 'js'" : 'core',
        case: hingeCase(kind),
        size: dims(HINGE_SIZE),
        backend: kernel === 'js' ? 'js' : 'wasm',
        refs,
      },
      () => {
        lovaszHinge(logits, labels, shape, { perImage: true, kernel });
      },
      logits.length,
    );
  }
}

// The same calls writing the gradient into one reused array (option `out`): no allocation
// proportional to the input per call, as the memory target describes. Each call
// otherwise returns a fresh gradient, whose pages the OS maps in on first write.
for (const kind of /** @type {const} */ (['random', 'trained'])) {
  const { logits, labels, shape } = hinge[kind];
  const out = new Float32Array(logits.length);
  await timeRow(
    {
      id: `core-out/hinge/${kind}`,
      impl: "core, reused 'out'",
      case: hingeCase(kind),
      size: dims(HINGE_SIZE),
      backend: 'wasm',
      refs: [
        { id: `core/hinge/${kind}`, label: 'new gradient' },
        ...(kind === 'trained' ? [{ id: 'core-out/hinge/random', label: 'random' }] : []),
      ],
    },
    () => {
      lovaszHinge(logits, labels, shape, { perImage: true, out });
    },
    logits.length,
  );
}
// Checked before the input is made: at full size it is 72 MB, plus as much for `out`.
if (selected(`core, reused 'out' lovaszSoftmax ${dims(SOFTMAX_SIZES[0])} js`)) {
  const size = SOFTMAX_SIZES[0];
  const { probas, labels, shape } = softmaxData(size);
  const out = new Float32Array(probas.length);
  await timeRow(
    {
      id: `core-out/softmax/${dims(size)}`,
      impl: "core, reused 'out'",
      case: 'lovaszSoftmax',
      size: dims(size),
      backend: 'js',
      refs: [{ id: `core/softmax/${dims(size)}`, label: 'new gradient' }],
    },
    () => {
      lovaszSoftmax(probas, labels, shape, { out });
    },
    probas.length,
  );
}

/**
 * WebAssembly memory the hinge kernel holds after the core hinge rows (null: not run).
 * @type {number | null}
 */
let hingeWasmBytes = null;
if (rows.some((r) => r.id === 'core/hinge/random' || r.id === 'core/hinge/trained')) {
  try {
    const wasm = await import('../dist/core/hinge-wasm.js');
    hingeWasmBytes = wasm.hingeWasmBytes();
  } catch {
    // An internal detail: its absence only leaves the sentence out.
  }
}

// ----------------------------------------------------------------------- lovasz/tfjs ----

tf.env().set('PROD', true); // no debug checks, no "install tfjs-node" banner
// One thread, like every other row: the threaded wasm build would use all cores.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/**
 * One forward + backward through tf.valueAndGrad, outputs disposed. Both backends run
 * kernels synchronously, so the gradient exists when valueAndGrad returns; only the loss
 * is read back (reading the gradient would add a copy out of wasm memory to those rows).
 * @param {(x: tf.Tensor) => tf.Scalar} loss
 * @param {tf.Tensor} x
 */
function stepOf(loss, x) {
  const f = tf.valueAndGrad(loss);
  return () => {
    const { value, grad } = f(x);
    value.dataSync();
    value.dispose();
    grad.dispose();
  };
}

const tensorsLeaked = /** @type {Record<string, number>} */ ({});
for (const backend of ['cpu', 'wasm']) {
  const wanted = [...allSoftmaxSizes, HINGE_SIZE].some((s) =>
    selected(`lovasz/tfjs lovaszSoftmax lovaszHinge ${dims(s)} ${backend}`),
  );
  if (!wanted && filter) continue;
  await tf.setBackend(backend);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`could not activate the ${backend} backend`);
  const startTensors = tf.memory().numTensors;
  for (const size of allSoftmaxSizes) {
    const { probas, labels, shape } = softmaxData(size);
    const options = size[1] === 1 ? SIGMOID : {};
    const x = tf.tensor(probas, shape, 'float32');
    const y = tf.tensor(labels, shape.slice(0, 3), 'int32');
    await timeRow(
      {
        id: `tfjs-${backend}/softmax/${dims(size)}`,
        impl: 'lovasz/tfjs',
        case: softmaxCase(size),
        size: dims(size),
        backend,
        refs: [{ id: `core/softmax/${dims(size)}`, label: 'core' }],
      },
      stepOf((p) => lt.lovaszSoftmax(p, y, options), x),
      probas.length,
    );
    tf.dispose([x, y]);
  }
  for (const kind of /** @type {const} */ (['random', 'trained'])) {
    const { logits, labels, shape } = hinge[kind];
    const x = tf.tensor(logits, shape, 'float32');
    const y = tf.tensor(labels, shape, 'int32');
    await timeRow(
      {
        id: `tfjs-${backend}/hinge/${kind}`,
        impl: 'lovasz/tfjs',
        case: hingeCase(kind),
        size: dims(HINGE_SIZE),
        backend,
        refs: [
          { id: `core/hinge/${kind}`, label: 'core' },
          ...(kind === 'trained' ? [{ id: `tfjs-${backend}/hinge/random`, label: 'random' }] : []),
        ],
      },
      stepOf((l) => lt.lovaszHinge(l, y, { perImage: true }), x),
      logits.length,
    );
    tf.dispose([x, y]);
  }
  tensorsLeaked[backend] = tf.memory().numTensors - startTensors;
}

// ------------------------------------------------------------------------ tfjs port ----

/**
 * Runs bench/port-worker.js at one size; kills it when one iteration exceeds the limit.
 * @param {number[]} size
 * @param {number} iterations
 * @returns {Promise<{ times: number[], timedOut: boolean, last?: any, error?: string }>}
 */
function runPort(size, iterations) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(here, 'port-worker.js'),
        dims(size).replaceAll('x', ','),
        String(SEED),
        String(iterations),
        '20000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    /** @type {number[]} */
    const times = [];
    let timedOut = false;
    let last;
    let stderr = '';
    let buffered = '';
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    // Setup (imports, input generation, one core call) gets a generous limit of its own.
    const arm = (/** @type {number} */ ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, ms);
    };
    arm(120_000);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const msg = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (msg.event === 'ready') arm(PORT_LIMIT_MS);
        if (msg.event === 'iter') {
          times.push(msg.ms);
          last = msg;
          arm(PORT_LIMIT_MS);
        }
        nl = buffered.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const error = !timedOut && code !== 0 ? stderr.trim().split('\n').slice(-3).join(' ') : '';
      resolve({ times, timedOut, last, error });
    });
  });
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

for (const { size, iterations } of PORT_SIZES) {
  const row = {
    id: `port/${dims(size)}`,
    impl: 'tfjs port',
    case: 'lovasz_softmax (topk + gather + cumsum)',
    size: dims(size),
    backend: 'cpu',
    refs: [
      { id: `core/softmax/${dims(size)}`, label: 'core' },
      { id: `tfjs-cpu/softmax/${dims(size)}`, label: 'lovasz/tfjs cpu' },
    ],
  };
  if (!selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) continue;
  log(`timing tfjs port ${dims(size)} cpu (limit ${PORT_LIMIT_MS / 1000} s per iteration) ...`);
  const r = await runPort(size, iterations);
  if (r.times.length === 0) {
    rows.push({
      ...row,
      medianMs: Number.NaN,
      minMs: Number.NaN,
      maxMs: Number.NaN,
      iterations: 0,
      skipped: true,
      note: r.timedOut ? `> ${PORT_LIMIT_MS / 1000} s (skipped)` : `failed: ${r.error}`,
    });
    continue;
  }
  const agree = Math.abs(r.last.loss - r.last.coreLoss) <= 1e-5;
  rows.push({
    ...row,
    medianMs: median(r.times),
    minMs: Math.min(...r.times),
    maxMs: Math.max(...r.times),
    iterations: r.times.length,
    note:
      `no warm-up; loss ${agree ? 'matches' : 'DIFFERS from'} core ` +
      `(max |grad diff| ${r.last.maxGradDiff.toExponential(1)})`,
  });
}

// ---------------------------------------------------------------------------- C probe ----

const cSource = join(repo, '..', 'shared', 'bench', 'radix_limit.c');
/** @type {string | null} */
let cNote = null;
const cWanted = C_SIZES.filter((s) =>
  selected(`C radix_limit ${s[1] === 1 ? 'sigmoid' : 'softmax'} ${dims(s)} native`),
);
if (cWanted.length > 0) {
  const dir = mkdtempSync(join(os.tmpdir(), 'lovasz-bench-'));
  try {
    const exe = join(dir, 'radix_limit');
    execFileSync('gcc', ['-O3', '-march=native', '-o', exe, cSource], { stdio: 'pipe' });
    for (const size of cWanted) {
      log(`timing C radix_limit ${dims(size)} ...`);
      const out = execFileSync(exe, [dims(size).replaceAll('x', ',')], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      // "C radix limit BxCxHxW loss L fwd+bwd ms T", one line per repetition; the first
      // repetition touches fresh pages, so only the later ones are quoted.
      const times = [...out.matchAll(/fwd\+bwd ms ([\d.]+)/g)].map((m) => Number(m[1]));
      const later = times.length > 1 ? times.slice(1) : times;
      rows.push({
        id: `c/${dims(size)}`,
        impl: 'C radix_limit',
        case: size[1] === 1 ? 'Lovász-Sigmoid, 1 radix sort' : 'Lovász-Softmax, 1 radix sort/class',
        size: dims(size),
        backend: 'gcc -O3 -march=native',
        medianMs: median(later),
        minMs: Math.min(...later),
        maxMs: Math.max(...later),
        iterations: later.length,
        refs: [],
        note: `first repetition ${formatMs(times[0])} ms, not quoted`,
      });
    }
  } catch (err) {
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    cNote =
      e.code === 'ENOENT' && !String(e.path ?? '').includes('radix_limit')
        ? 'gcc not found: C probe skipped'
        : `C probe skipped: ${e.message.split('\n')[0]}`;
    log(cNote);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------- ratios ----

const byId = new Map(rows.map((r) => [r.id, r]));
for (const row of rows) {
  row.ratios = [];
  for (const ref of row.refs) {
    const other = byId.get(ref.id);
    if (!other || other.skipped) continue;
    if (row.skipped && row.note?.startsWith('>')) {
      // Only a lower bound is known: the iteration ran longer than the limit.
      row.ratios.push({ vs: ref.label, ratio: PORT_LIMIT_MS / other.medianMs, lowerBound: true });
    } else if (!row.skipped) {
      row.ratios.push({ vs: ref.label, ratio: row.medianMs / other.medianMs });
    }
  }
}

// --------------------------------------------------------------------------- targets ----

/** @type {{ target: string, measured: string, met: boolean | null }[]} */
const targets = [];
const bigSoftmax = byId.get('core/softmax/10x20x300x300');
if (bigSoftmax) {
  targets.push({
    target: 'core lovaszSoftmax 10x20x300x300 <= 600 ms',
    measured: `${formatMs(bigSoftmax.medianMs)} ms`,
    met: bigSoftmax.medianMs <= 600,
  });
}
const portTarget = byId.get('port/2x5x100x100');
const coreTarget = byId.get('core/softmax/2x5x100x100');
if (portTarget && coreTarget) {
  const bound = portTarget.skipped;
  const speedup = (bound ? PORT_LIMIT_MS : portTarget.medianMs) / coreTarget.medianMs;
  targets.push({
    target: 'core >= 1000x faster than the tfjs port at 2x5x100x100 (cpu)',
    measured: bound
      ? `> ${formatRatio(speedup)} (port > ${PORT_LIMIT_MS / 1000} s, core ${formatMs(coreTarget.medianMs)} ms)`
      : formatRatio(speedup),
    met: speedup >= 1000 ? true : bound ? null : false,
  });
}
const hingeRandom = byId.get('core/hinge/random');
if (hingeRandom && dims(HINGE_SIZE) === '10x300x300') {
  targets.push({
    target: 'core lovaszHinge perImage 10x300x300, random <= 20 ms',
    measured: `${formatMs(hingeRandom.medianMs)} ms`,
    met: hingeRandom.medianMs <= 20,
  });
}
for (const [label, prefix] of [
  ['a new gradient per call', 'core'],
  ["gradient into a reused 'out'", 'core-out'],
]) {
  const random = byId.get(`${prefix}/hinge/random`);
  const trained = byId.get(`${prefix}/hinge/trained`);
  if (!random || !trained || quick) continue;
  const speedup = random.medianMs / trained.medianMs;
  targets.push({
    target: `lovaszHinge with 90% errors <= 0 >= 3x faster than random (${label})`,
    measured: `${formatRatio(speedup)} (${formatMs(trained.medianMs)} ms)`,
    met: speedup >= 3,
  });
}
// Targets are stated for the full sizes only; quick runs show no target column entries.
const targetOf = (/** @type {string} */ id) =>
  quick
    ? ''
    : ({
        'core/softmax/10x20x300x300': '<= 600 ms',
        'core/hinge/random': '<= 20 ms',
        'core/hinge/trained': '>= 3x faster than random',
        'core-out/hinge/trained': '>= 3x faster than random',
        'port/2x5x100x100': 'core >= 1000x faster',
      }[id] ?? '');

// ---------------------------------------------------------------------------- output ----

const tfjsVersion = /** @type {any} */ (tf.version_core ?? tf.version?.['tfjs-core']);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();
  // The kernels change while this runs elsewhere: say when src/ differs from the commit.
  const dirty = execFileSync('git', ['status', '--porcelain', 'src'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (dirty.trim()) commit += ' (+ uncommitted src changes)';
} catch {
  // Not a git checkout: the commit stays unknown.
}
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  nproc: os.availableParallelism(),
  totalMemoryBytes: os.totalmem(),
  os: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  tfjs: tfjsVersion,
  date: new Date().toISOString(),
  commit,
  mode: quick ? 'quick' : filter ? `filter ${filter}` : 'full',
  loadAverage1m: { start: loadAtStart, end: os.loadavg()[0] },
};

const ratioText = (/** @type {Row} */ r) =>
  (r.ratios ?? [])
    .map((x) => `${x.lowerBound ? '> ' : ''}${formatRatio(x.ratio)} ${x.vs}`)
    .join(', ');
const mainTable = markdownTable(
  ['impl', 'case', 'size', 'backend', 'median ms', 'min', 'max', 'n', 'time vs', 'target', 'note'],
  rows.map((r) => [
    r.impl,
    r.case,
    r.size,
    r.backend,
    r.skipped ? (r.note ?? 'skipped') : formatMs(r.medianMs),
    formatMs(r.minMs),
    formatMs(r.maxMs),
    String(r.iterations),
    ratioText(r),
    targetOf(r.id),
    r.skipped ? '' : (r.note ?? ''),
  ]),
  ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l', 'l'],
);
const targetTable = markdownTable(
  ['target (from the issue)', 'measured', 'status'],
  targets.map((t) => [
    t.target,
    t.measured,
    t.met === null ? 'unknown' : t.met ? 'met' : 'NOT met',
  ]),
);
/** @param {NodeJS.MemoryUsage} m */
const memCells = (m) => [formatBytes(m.rss), formatBytes(m.heapUsed), formatBytes(m.arrayBuffers)];
const memoryText = memory
  ? (() => {
      const m = /** @type {any} */ (memory);
      const table = markdownTable(
        ['process.memoryUsage()', 'rss', 'heapUsed', 'arrayBuffers'],
        [
          ['inputs generated, before the first call', ...memCells(m.before)],
          ['after the first call (result held)', ...memCells(m.afterFirstCall)],
          ['after a second call (both results held)', ...memCells(m.afterSecondCall)],
        ],
      );
      const sortBytes =
        m.sortBufferBytes === null ? 'not exported' : formatBytes(m.sortBufferBytes);
      return (
        `${table}\n\nAt ${m.size}: inputs ${formatBytes(m.inputBytes)}, returned gradient ` +
        `${formatBytes(m.gradBytes)} per call. Held by the core between calls: ` +
        `${formatBytes(m.retainedBytes)} of typed arrays (arrayBuffers growth over the first ` +
        `call minus the returned gradient), of which sort buffers ${sortBytes} ` +
        `(sortBufferBytes()). ` +
        (hingeWasmBytes === null
          ? ''
          : `The hinge's WebAssembly memory after the ${dims(HINGE_SIZE)} rows: ` +
            `${formatBytes(hingeWasmBytes)} (the gradient, 4 bytes per pixel of the batch; ` +
            '16 bytes of sort buffers per pixel of one image; 128 kB of staged inputs). ') +
        `Peak RSS of the whole run: ` +
        `${formatBytes(process.resourceUsage().maxRSS * 1024)}.`
      );
    })()
  : '';

const machineLine =
  `${machine.cpu}, ${machine.nproc} cores, ${formatBytes(machine.totalMemoryBytes)} RAM, ` +
  `${machine.os}, Node ${machine.node}, tfjs ${machine.tfjs}, commit ${machine.commit}, ${machine.date.slice(0, 10)}`;
const busy = Math.max(loadAtStart, machine.loadAverage1m.end) > 1.5;
const notes = [
  busy
    ? `warning: the machine was busy (1-min load average ${loadAtStart.toFixed(1)} at start, ` +
      `${machine.loadAverage1m.end.toFixed(1)} at the end, on ${machine.nproc} cores): ` +
      'other processes shared the CPU, so times are inflated and noisy'
    : null,
  cNote,
  ...Object.entries(tensorsLeaked)
    .filter(([, n]) => n !== 0)
    .map(([b, n]) => `warning: ${n} tfjs tensors leaked on ${b}`),
].filter(Boolean);
const performance = [
  '## Performance',
  '',
  `Machine: ${machineLine}.`,
  '',
  'Measured by `npm run bench` (see bench/README.md): median forward + backward time, single',
  'thread; "time vs" divides a median by the median of the named row of the same run (below',
  '1x: faster). Inputs: NHWC probabilities, uniform random per pixel and normalised, labels',
  'uniform in [0, C); hinge logits N(0, 1) with random labels, or 90% of pixels confidently',
  'right ("trained").',
  '',
  mainTable,
  '',
  targetTable,
  ...(memoryText ? ['', memoryText] : []),
  ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
  '',
].join('\n');

process.stdout.write(`\n${performance}`);

const resultsName =
  machine.mode === 'full' ? 'latest.json' : `${quick ? 'quick' : 'partial'}.tmp.json`;
const resultsPath = join(here, 'results', resultsName);
writeFileSync(
  resultsPath,
  `${JSON.stringify({ machine, rows, targets, memory, hingeWasmBytes, notes, positiveErrorFraction: positive }, null, 2)}\n`,
);
log(`\nresults written to ${resultsPath}`);

if (opts.readme) {
  const readme = join(repo, 'README.md');
  try {
    const text = readFileSync(readme, 'utf8');
    // Replace the section up to the next "## " heading, or append it: nothing else changes.
    const start = text.search(/^## Performance[ \t]*$/m);
    let next = text.length;
    if (start >= 0) {
      const after = text.slice(start + 1).search(/^## /m);
      if (after >= 0) next = start + 1 + after;
    }
    const updated =
      start >= 0
        ? `${text.slice(0, start)}${performance}${next < text.length ? '\n' : ''}${text.slice(next)}`
        : `${text.trimEnd()}\n\n${performance}`;
    writeFileSync(readme, updated);
    log('README.md: "## Performance" section updated');
  } catch {
    log('README.md not found: section not written');
  }
}
