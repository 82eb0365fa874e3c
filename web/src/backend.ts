/**
 * The TensorFlow.js backend of the page: webgl when the browser gives a WebGL context, else
 * wasm, else cpu (or the one named by `?backend=`). The wasm binaries are imported with `?url`,
 * so that Vite serves them in development and copies them into the built site.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** The backends the page tries, in order of preference. */
export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** What {@link startBackend} chose, and why the ones before it were not. */
export interface BackendChoice {
  name: BackendName;
  /** The backends tried before it, with the reason they were not taken. */
  skipped: { name: BackendName; reason: string }[];
  /** The WebGL renderer (null without WebGL2), e.g. 'ANGLE (..., SwiftShader Device ...)'. */
  renderer: string | null;
}

/**
 * Activates the first backend of `order` that starts. tf.setBackend resolves to false (or
 * throws) when a backend cannot start, e.g. webgl without a WebGL context.
 *
 * With `skipSoftwareWebgl` (the page's automatic choice), webgl is passed over when the
 * browser renders WebGL on the CPU (SwiftShader, llvmpipe: no GPU): the GPU path then runs
 * hundreds of shader passes per loss call in software, seconds per training step, where
 * wasm takes milliseconds. Forcing webgl (`?backend=webgl`) still runs it there.
 */
export async function startBackend(
  order: readonly BackendName[] = BACKENDS,
  skipSoftwareWebgl = false,
): Promise<BackendChoice> {
  // No "install tfjs-node" or debug advice in the console.
  tf.env().set('PROD', true);
  const renderer = webglRenderer();
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    if (name === 'webgl' && skipSoftwareWebgl && isSoftwareRenderer(renderer)) {
      skipped.push({ name, reason: `software-rendered WebGL (${renderer}), slow` });
      continue;
    }
    try {
      if ((await tf.setBackend(name)) && tf.getBackend() === name) {
        await tf.ready();
        return { name, skipped, renderer };
      }
      skipped.push({ name, reason: 'could not start' });
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message });
    }
  }
  throw new Error(`no TensorFlow.js backend started (${skipped.map((s) => s.name).join(', ')})`);
}

/** A `?backend=` value, if it names a backend. */
export function isBackend(name: string | null): name is BackendName {
  return (BACKENDS as readonly (string | null)[]).includes(name);
}

/**
 * The WebGL renderer's name (unmasked when the browser allows), e.g. 'ANGLE (Google, Vulkan
 * 1.3.0 (SwiftShader Device ...))', or null without WebGL2.
 */
export function webglRenderer(): string | null {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

/** Whether a WebGL renderer runs on the CPU (SwiftShader, llvmpipe): slow for the GPU path. */
export function isSoftwareRenderer(name: string | null): boolean {
  return name !== null && /swiftshader|llvmpipe|softpipe|software/i.test(name);
}
