/**
 * The TensorFlow.js backend of the page: webgpu when the browser has a hardware WebGPU adapter,
 * else webgl when it renders WebGL on a GPU, else wasm, else cpu (or the one named by
 * `?backend=`). The wasm binaries are imported with `?url`, so that Vite serves them in
 * development and copies them into the built site.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
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
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The backends that run the Lovász losses on a GPU (the tensor path). */
export const GPU_BACKENDS: readonly BackendName[] = ['webgpu', 'webgl'];

/** What the browser offers for the two GPU backends. */
export interface GpuInfo {
  /** The WebGL renderer (null without WebGL2), e.g. 'ANGLE (..., SwiftShader Device ...)'. */
  renderer: string | null;
  /** The WebGPU adapter (vendor / architecture / description), or null without WebGPU. */
  adapter: string | null;
}

/** What {@link startBackend} chose, and why the ones before it were not. */
export interface BackendChoice extends GpuInfo {
  name: BackendName;
  /** The backends tried before it, with the reason they were not taken. */
  skipped: { name: BackendName; reason: string }[];
}

/**
 * Activates the first backend of `order` that starts. tf.setBackend resolves to false (or
 * throws) when a backend cannot start, e.g. webgl without a WebGL context.
 *
 * With `skipSoftware` (the page's automatic choice), webgpu and webgl are passed over when the
 * browser runs them on the CPU (SwiftShader, llvmpipe: no GPU): the GPU path then runs hundreds
 * of shader passes per loss call in software, seconds to minutes per training step, where wasm
 * takes milliseconds. Forcing one (`?backend=webgpu`) still runs it there.
 */
export async function startBackend(
  order: readonly BackendName[] = BACKENDS,
  skipSoftware = false,
): Promise<BackendChoice> {
  // No "install tfjs-node" or debug advice in the console.
  tf.env().set('PROD', true);
  const info: GpuInfo = { renderer: webglRenderer(), adapter: await webgpuAdapter() };
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    const unusable = unusableReason(name, info);
    if (unusable && (skipSoftware || unusable.missing)) {
      skipped.push({ name, reason: unusable.reason });
      continue;
    }
    try {
      if ((await tf.setBackend(name)) && tf.getBackend() === name) {
        await tf.ready();
        return { name, skipped, ...info };
      }
      skipped.push({ name, reason: 'could not start' });
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message });
    }
  }
  throw new Error(`no TensorFlow.js backend started (${skipped.map((s) => s.name).join(', ')})`);
}

/**
 * Why a backend is not worth offering here, or null: a GPU backend the browser lacks
 * (`missing`), or one it runs in software.
 */
export function unusableReason(
  name: BackendName,
  info: GpuInfo,
): { reason: string; missing: boolean } | null {
  if (name === 'webgpu') {
    if (info.adapter === null) return { reason: 'no WebGPU in this browser', missing: true };
    if (isSoftwareRenderer(info.adapter)) {
      return { reason: `software WebGPU (${info.adapter}), slow`, missing: false };
    }
  }
  if (name === 'webgl' && isSoftwareRenderer(info.renderer)) {
    return { reason: `software-rendered WebGL (${info.renderer}), slow`, missing: false };
  }
  return null;
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

/**
 * The WebGPU adapter tfjs would get, as 'vendor / architecture / description' (with
 * 'fallback' for a fallback adapter), or null when the browser has no WebGPU (or no adapter:
 * WebGPU needs a secure context, such as https or 127.0.0.1).
 */
export async function webgpuAdapter(): Promise<string | null> {
  const gpu = (navigator as { gpu?: { requestAdapter(o?: object): Promise<unknown> } }).gpu;
  if (!gpu) return null;
  try {
    const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as {
      info?: Record<string, unknown>;
      isFallbackAdapter?: boolean;
    } | null;
    if (!adapter) return null;
    const info = adapter.info ?? {};
    const parts = ['vendor', 'architecture', 'description']
      .map((k) => info[k])
      .filter((v): v is string => typeof v === 'string' && v !== '');
    if (adapter.isFallbackAdapter || info.isFallbackAdapter) parts.push('fallback');
    return parts.length ? parts.join(' / ') : 'unnamed adapter';
  } catch {
    return null;
  }
}

/**
 * Whether a WebGL renderer or WebGPU adapter runs on the CPU (SwiftShader, llvmpipe, a
 * fallback adapter): slow for the GPU path.
 */
export function isSoftwareRenderer(name: string | null): boolean {
  return name !== null && /swiftshader|llvmpipe|softpipe|software|fallback/i.test(name);
}
