// @ts-check
/**
 * `npm run bench -- --backend webgpu`: the tensor-path rows on a GPU backend, in Node through
 * Dawn (the `webgpu` package). Per row: median ms of one forward + backward pass (the loss read
 * back, as a training step does, and the GPU queue drained), the kernel dispatches and distinct
 * shader programs of one call (the sort's share apart), and the bytes uploaded / downloaded;
 * next to it, in the same run, the core path as it must run on a GPU backend (download the
 * input, the typed-array core, upload the gradient).
 *
 * Without a GPU, Dawn runs on the SwiftShader Vulkan driver Debian's chromium ships: a CPU
 * emulation, so the times are not GPU times (the output says so); the dispatch counts and bytes
 * are those of any GPU. With a real Vulkan driver the same command measures the GPU, and prints
 * its adapter.
 *
 * usage: node bench/run.js --backend webgpu [--quick] [--filter <substring>] [--max-elements N]
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { lovaszHinge, lovaszSoftmax } from '../dist/index.js';
import { lovaszHingeOnDevice, lovaszSoftmaxOnDevice } from '../dist/tfjs/tensor-path/index.js';
import { hingeInput, softmaxInput } from './data.js';
import { formatBytes, formatMs, formatRatio, markdownTable } from './table.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SEED = 20180618;
/** The webgpu programs of tf.topk: its bitonic sort (swap passes) and merge passes. */
const SORT_PROGRAMS = new Set(['SwapProgram', 'MergeProgram']);

/** @param {string} msg */
const log = (msg) => process.stderr.write(`${msg}\n`);

/**
 * Starts tfjs's webgpu backend on Dawn; returns the adapter's description.
 * @returns {Promise<{ adapter: string, swiftshader: boolean }>}
 */
async function startWebgpu() {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    // No driver named: fall back to SwiftShader if present (a real GPU needs VK_ICD_FILENAMES
    // unset only when the system loader finds its driver; Dawn prefers a discrete adapter).
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis.navigator ?? {}), gpu },
    configurable: true,
  });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter: install libvulkan1 and a Vulkan driver');
  const info = /** @type {Record<string, string>} */ (/** @type {unknown} */ (adapter.info));
  const parts = ['vendor', 'architecture', 'device', 'description'].map((k) => info[k] ?? '');
  const text = parts.filter((p) => p !== '').join(' / ');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
  await tf.ready();
  return { adapter: text, swiftshader: /swiftshader/i.test(text) };
}

/**
 * Counts what the webgpu backend does while `f` runs: dispatches (one per program run), by
 * program; distinct shader programs; bytes uploaded (tensor data copied to the GPU) and
 * downloaded (GPU data read back). Uniform buffers (a few bytes per dispatch) are not counted.
 * @template T
 * @param {() => Promise<T>} f
 */
async function countWork(f) {
  const backend = /** @type {any} */ (tf.backend());
  const counts = { dispatches: 0, sortDispatches: 0, programs: new Set(), up: 0, down: 0 };
  const saved = {
    run: backend.runWebGPUProgram,
    upload: backend.uploadToGPU,
    read: backend.read,
    readSync: backend.readSync,
  };
  const bytesOf = (/** @type {any} */ d) => (d ? 4 * d.shape.reduce((a, b) => a * b, 1) : 0);
  backend.runWebGPUProgram = function (/** @type {any} */ program, ...rest) {
    counts.dispatches++;
    const name = program.constructor.name;
    if (SORT_PROGRAMS.has(name)) counts.sortDispatches++;
    counts.programs.add(`${name}:${program.shaderKey}`);
    return saved.run.call(this, program, ...rest);
  };
  backend.uploadToGPU = function (/** @type {unknown} */ dataId) {
    const d = this.tensorMap.get(dataId);
    if (d && d.resource == null && d.values != null) counts.up += bytesOf(d);
    return saved.upload.call(this, dataId);
  };
  for (const key of /** @type {const} */ (['read', 'readSync'])) {
    backend[key] = function (/** @type {unknown} */ dataId) {
      const d = this.tensorMap.get(dataId);
      if (d && d.values == null) counts.down += bytesOf(d);
      return saved[key].call(this, dataId);
    };
  }
  try {
    const result = await f();
    return { result, counts: { ...counts, programs: counts.programs.size } };
  } finally {
    Object.assign(backend, {
      runWebGPUProgram: saved.run,
      uploadToGPU: saved.upload,
      read: saved.read,
      readSync: saved.readSync,
    });
  }
}

/** Submits what tfjs has queued and waits for the GPU to finish it. */
async function drain() {
  const backend = /** @type {any} */ (tf.backend());
  if (backend.commandEncoder) backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
}

/**
 * Median, min, max of `iterations` timed calls (the caller has warmed up: shaders compiled,
 * inputs uploaded).
 * @param {() => Promise<void>} step
 * @param {number} iterations
 */
async function timeSteps(step, iterations) {
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    maxMs: times.at(-1) ?? 0,
    n: iterations,
  };
}

/**
 * One tensor-path step: value and gradient w.r.t. x, the loss read back (4 bytes), the GPU
 * drained; the outputs disposed.
 * @param {(x: tf.Tensor) => tf.Tensor} loss
 * @param {tf.Tensor} x
 */
async function devicePass(loss, x) {
  const xg = onDevice(x);
  const { value, grad } = tf.valueAndGrad(/** @type {any} */ (loss))(xg);
  await value.data();
  await drain();
  tf.dispose([xg, value, grad]);
}

/**
 * x as a model's output is: the result of an op, in GPU memory only (a tensor made with
 * tf.tensor keeps its values in main memory, and reading it back would download nothing).
 * One dispatch, counted in both paths.
 * @param {tf.Tensor} x
 */
function onDevice(x) {
  return tf.add(x, tf.scalar(0));
}

/**
 * One core-path step on a GPU backend: download x (await data(): webgpu in Node has no
 * synchronous read), the core loss and gradient, the gradient uploaded; the GPU drained.
 * @param {(values: Float32Array) => { grad: Float32Array }} core
 * @param {tf.Tensor} x
 */
async function corePass(core, x) {
  const xg = onDevice(x);
  const values = /** @type {Float32Array} */ (await xg.data());
  const { grad } = core(values);
  const g = tf.tensor(grad, x.shape, 'float32');
  /** @type {any} */ (tf.backend()).uploadToGPU(g.dataId);
  await drain();
  tf.dispose([xg, g]);
}

/**
 * @param {string[]} argv
 */
export async function runGpuBench(argv) {
  const { values: opts } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string' },
      quick: { type: 'boolean', default: false },
      filter: { type: 'string' },
      'max-elements': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (opts.help) {
    console.log(`usage: node bench/run.js --backend webgpu [--quick] [--filter <s>] [--max-elements N]
  --backend webgpu   the tensor-path rows on webgpu, in Node through Dawn (webgl needs a
                     browser: see test/browser/golden.browser.test.ts)
  --quick            the smallest size only
  --filter           only rows whose "impl case size" contains the substring
  --max-elements N   skip sizes with more input values (default: none on a GPU, 2e5 on
                     SwiftShader: one call at 2x5x100x100 takes seconds there, and the
                     emulated sort grows as n log^2 n)`);
    return;
  }
  if (opts.backend !== 'webgpu') {
    throw new Error(
      `bench: --backend must be 'webgpu' (got '${opts.backend}'); webgl runs only in a browser`,
    );
  }
  const { adapter, swiftshader } = await startWebgpu();
  const maxElements = Number(
    opts['max-elements'] ?? (swiftshader ? 2e5 : Number.POSITIVE_INFINITY),
  );
  const filter = opts.filter?.toLowerCase();
  const header = [
    `backend webgpu (Node ${process.version}, Dawn: webgpu package), adapter: ${adapter}`,
    swiftshader
      ? 'SwiftShader is a CPU emulation of a GPU: these times are NOT GPU times (the dispatch counts and bytes are).'
      : 'a hardware adapter: these are GPU times.',
  ];
  for (const line of header) log(line);

  /** @type {[number, number, number, number][]} */
  const softmaxSizes = opts.quick
    ? [[2, 5, 100, 100]]
    : [
        [2, 5, 100, 100],
        [8, 21, 128, 128],
        [10, 20, 300, 300],
      ];
  /** @type {[number, number, number][]} */
  const hingeSizes = opts.quick
    ? [[2, 100, 100]]
    : [
        [2, 100, 100],
        [8, 128, 128],
        [10, 300, 300],
      ];
  /** @type {string[][]} */
  const table = [];
  /** @type {string[]} */
  const notes = [];
  const selected = (/** @type {string} */ s) => !filter || s.toLowerCase().includes(filter);

  /**
   * @param {string} name
   * @param {string} size
   * @param {number} elements
   * @param {() => tf.Tensor} makeX
   * @param {(x: tf.Tensor) => tf.Tensor} device
   * @param {(values: Float32Array) => { grad: Float32Array }} core
   */
  const row = async (name, size, elements, makeX, device, core) => {
    if (!selected(`tensor ${name} ${size}`) && !selected(`core ${name} ${size}`)) return;
    if (elements > maxElements) {
      notes.push(`${name} ${size}: skipped (${elements} values > --max-elements ${maxElements})`);
      return;
    }
    const iterations = elements > 4e6 ? 3 : 5;
    const x = makeX();
    log(`timing tensor path ${name} ${size} ...`);
    // Warm-up: compiles the shaders and uploads x and the labels (once, not per call).
    await devicePass(device, x);
    const work = (await countWork(() => devicePass(device, x))).counts;
    const t = await timeSteps(() => devicePass(device, x), iterations);
    log(`timing core path ${name} ${size} ...`);
    await corePass(core, x);
    const coreWork = (await countWork(() => corePass(core, x))).counts;
    const c = await timeSteps(() => corePass(core, x), iterations);
    const sortShare = work.dispatches ? work.sortDispatches / work.dispatches : 0;
    table.push(
      [
        'tensor path',
        name,
        size,
        formatMs(t.medianMs),
        String(t.n),
        `${work.dispatches} (sort ${work.sortDispatches}, ${(100 * sortShare).toFixed(0)}%)`,
        String(work.programs),
        formatBytes(work.up),
        formatBytes(work.down),
        formatRatio(t.medianMs / c.medianMs),
      ],
      [
        'core path',
        name,
        size,
        formatMs(c.medianMs),
        String(c.n),
        String(coreWork.dispatches),
        String(coreWork.programs),
        formatBytes(coreWork.up),
        formatBytes(coreWork.down),
        '1x',
      ],
    );
    x.dispose();
  };

  for (const size of softmaxSizes) {
    const [B, C, H, W] = size;
    const key = size.join('x');
    const { probas, labels } = softmaxInput(size, SEED);
    const plan = {
      geo: { batch: B, pixels: H * W, channels: C, nchw: false },
      classes: /** @type {'present'} */ ('present'),
      perImage: false,
      ignore: null,
      fromLogits: false,
      classWeights: null,
      reduction: /** @type {'mean'} */ ('mean'),
    };
    const y = tf.tensor(labels, [B, H, W], 'int32');
    await row(
      'lovaszSoftmax',
      key,
      probas.length,
      () => tf.tensor(probas, [B, H, W, C]),
      (x) => lovaszSoftmaxOnDevice(x, y, plan),
      (v) => lovaszSoftmax(v, labels, [B, H, W, C]),
    );
    y.dispose();
  }
  for (const size of hingeSizes) {
    const [B, H, W] = size;
    const key = size.join('x');
    const { logits, labels } = hingeInput(size, 'random', SEED);
    const plan = {
      geo: { batch: B, pixels: H * W },
      perImage: true,
      ignore: null,
      variant: /** @type {'relu'} */ ('relu'),
      symmetric: false,
      reduction: /** @type {'mean'} */ ('mean'),
    };
    const y = tf.tensor(labels, [B, H, W], 'int32');
    await row(
      'lovaszHinge perImage',
      key,
      logits.length,
      () => tf.tensor(logits, [B, H, W]),
      (x) => lovaszHingeOnDevice(x, y, plan),
      (v) => lovaszHinge(v, labels, [B, H, W]),
    );
    y.dispose();
  }

  const out = [
    '## Performance on webgpu',
    '',
    ...header.map((l) => `${l}  `),
    '',
    markdownTable(
      [
        'path',
        'case',
        'size',
        'median ms',
        'n',
        'dispatches / call',
        'shader programs',
        'uploaded / call',
        'downloaded / call',
        'time vs core path',
      ],
      table,
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'One call = forward + backward (tf.valueAndGrad), the loss read back and the GPU queue',
    'drained; the core path downloads the input (await data()), runs the typed-array core and',
    'uploads the gradient. Sizes: BxCxHxW (softmax, NHWC probabilities, classes present) and',
    'BxHxW (hinge, random logits). The input is the output of one op (as a model output is,',
    'in GPU memory only): one dispatch of each count. Bytes: tensor data copied to / read from',
    'the GPU per call (the tensor path uploads its constants: tf.range(n) of the Jaccard counts',
    'and a few scalars; the labels are uploaded once, before the first call).',
    ...notes.map((n) => `- ${n}`),
  ].join('\n');
  console.log(out);
}
