/// <reference types="vite/client" />
/**
 * The page of the browser tests: registers the cpu, wasm, webgl and webgpu backends and
 * exposes `window.lovaszGolden(backend)`, which runs every golden case through lovasz/tfjs
 * (imported from the sources, as Vite serves them) on that backend and returns the
 * comparisons; `lovaszTensorPathCases` (every tensor-path option against the core) and
 * `lovaszTrain` (a short training run) for the GPU backends.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers' model.fit differentiates its own layers through the registered gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfl from '@tensorflow/tfjs-layers';
import { lovaszHinge as coreHinge } from '../../../src/index.js';
import * as L from '../../../src/tfjs/index.js';
import goldenFile from '../../fixtures/golden.json' with { type: 'json' };
import {
  type CaseResult,
  compareCase,
  edgeCases,
  FIXED_FAMILIES,
  trainOnDevice,
} from '../../tfjs/tensor-path-cases.js';
import { type GoldenReport, runGolden } from './run-golden.js';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

declare global {
  interface Window {
    lovaszGolden: (backend: string) => Promise<GoldenReport>;
    lovaszGpuReads: (backend: string) => Promise<Record<string, number | string>>;
    lovaszTensorPathCases: (backend: string, runs: number) => Promise<CaseResult[]>;
    lovaszTrain: (backend: string, steps: number) => Promise<{ losses: number[]; reads: number[] }>;
    lovaszHingeKernels: () => { sameBits: boolean; loss: number; pixels: number };
    lovaszFitReads: (backend: string) => Promise<{ lovasz: number[]; reference: number[] }>;
    lovaszReady: boolean;
  }
}

/**
 * The core hinge on this browser's WebAssembly (kernel 'wasm', which throws if the module is
 * refused) against the JavaScript kernel, on 3 random images of 64x64 with ties and void.
 */
window.lovaszHingeKernels = () => {
  const shape = [3, 64, 64];
  const n = 3 * 64 * 64;
  const logits = new Float32Array(n);
  const labels = new Uint8Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    labels[i] = seed % 17 === 0 ? 255 : (seed >>> 8) & 1;
    logits[i] = ((seed >>> 12) % 64) / 16 - 2; // a coarse grid: many tied errors
  }
  const options = { ignore: 255 };
  const wasm = coreHinge(logits, labels, shape, { ...options, kernel: 'wasm' });
  const js = coreHinge(logits, labels, shape, { ...options, kernel: 'js' });
  const a = new Uint32Array(wasm.grad.buffer);
  const b = new Uint32Array(js.grad.buffer);
  const sameBits =
    Object.is(wasm.loss, js.loss) && a.length === b.length && a.every((v, i) => v === b[i]);
  return { sameBits, loss: wasm.loss, pixels: n };
};

async function activate(backend: string): Promise<void> {
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`could not activate the ${backend} backend (active: ${tf.getBackend()})`);
  }
}

window.lovaszGolden = async (backend: string): Promise<GoldenReport> => {
  await activate(backend);
  return runGolden(goldenFile.cases as never, backend);
};

/** `runs` random cases of each tensor-path family (fixed shapes) and the edge cases. */
window.lovaszTensorPathCases = async (backend: string, runs: number) => {
  await activate(backend);
  const results: CaseResult[] = [];
  for (const [, make] of FIXED_FAMILIES) {
    for (let s = 1; s <= runs; s++) results.push(await compareCase(make(s)));
  }
  for (const c of edgeCases()) results.push(await compareCase(c));
  return results;
};

/**
 * The reads from the GPU backend (readSync, read of data not in main memory) in each step of
 * a tfjs-layers model.fit epoch with kerasLovaszSoftmax, next to the same fit with
 * tfjs-layers' own categorical cross-entropy: what fit itself reads (the loss for its logs) is
 * in both, so the Lovász loss reads nothing of its own when the two agree.
 */
window.lovaszFitReads = async (name: string) => {
  await activate(name);
  const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const store = (backend.texData ?? backend.tensorMap) as unknown as {
    get(id: unknown): { values?: unknown } | undefined;
  };
  const run = async (loss: string | L.KerasLoss): Promise<number[]> => {
    const [B, H, W, C] = [4, 8, 8, 3];
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [H, W, 2],
          filters: C,
          kernelSize: 1,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss });
    const x = tf.randomNormal([B, H, W, 2], 0, 1, 'float32', 5);
    const y = tf.tidy(() =>
      tf.oneHot(tf.cast(tf.randomUniform([B, H, W], 0, C, 'float32', 6), 'int32'), C),
    );
    const perStep: number[] = [];
    let reads = 0;
    const saved = { readSync: backend.readSync, read: backend.read };
    for (const key of ['readSync', 'read'] as const) {
      const original = saved[key];
      backend[key] = (...args: unknown[]) => {
        if (store?.get(args[0])?.values == null) reads++;
        return original.apply(backend, args);
      };
    }
    try {
      await model.fit(x, y, {
        epochs: 1,
        batchSize: 2,
        verbose: 0,
        callbacks: {
          onBatchBegin: async () => {
            reads = 0;
          },
          onBatchEnd: async () => {
            perStep.push(reads);
          },
        },
      });
    } finally {
      backend.readSync = saved.readSync;
      backend.read = saved.read;
      tf.dispose([x, y]);
      model.dispose();
    }
    return perStep;
  };
  return {
    lovasz: await run(L.kerasLovaszSoftmax()),
    reference: await run('categoricalCrossentropy'),
  };
};

window.lovaszTrain = async (backend: string, steps: number) => {
  await activate(backend);
  return trainOnDevice(steps);
};

/**
 * Counts the reads from a GPU backend (readSync, read) during a tf.valueAndGrad step of each
 * Lovász loss (lovasz/tfjs, path 'auto') on inputs made on the GPU: the tensor path must need
 * none.
 */
window.lovaszGpuReads = async (name: string) => {
  await activate(name);
  const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const before = tf.memory().numTensors;
  const [probas, labels, binary, logit1] = tf.tidy(() => [
    tf.softmax(tf.randomNormal([2, 32, 32, 4], 0, 1, 'float32', 1)),
    tf.cast(tf.argMax(tf.randomUniform([2, 32, 32, 4], 0, 1, 'float32', 2), -1), 'int32'),
    tf.cast(tf.greater(tf.randomUniform([2, 32, 32], 0, 1, 'float32', 3), 0.5), 'int32'),
    tf.randomNormal([2, 32, 32], 0, 1, 'float32', 4),
  ]);
  const steps: [string, () => tf.Scalar, tf.Tensor][] = [
    ['lovaszSoftmax', () => L.lovaszSoftmax(probas, labels, { ignore: 3 }), probas],
    ['lovaszHinge', () => L.lovaszHinge(logit1, binary), logit1],
  ];
  const counts: Record<string, number | string> = { backend: tf.getBackend() };
  for (const [name, f, x] of steps) {
    let reads = 0;
    const saved = { readSync: backend.readSync, read: backend.read };
    for (const key of ['readSync', 'read'] as const) {
      const original = saved[key];
      backend[key] = (...args: unknown[]) => {
        reads++;
        return original.apply(backend, args);
      };
    }
    try {
      const { value, grad } = tf.valueAndGrad(() => f())(x);
      tf.dispose([value, grad]);
    } finally {
      backend.readSync = saved.readSync;
      backend.read = saved.read;
    }
    counts[name] = reads;
  }
  tf.dispose([probas, labels, binary, logit1]);
  counts.leaked = tf.memory().numTensors - before;
  return counts;
};

window.lovaszReady = true;
const status = document.getElementById('status');
if (status) status.textContent = 'ready';
