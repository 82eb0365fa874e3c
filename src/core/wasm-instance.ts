/**
 * Instantiation and memory growth shared by the WebAssembly kernels (hinge-wasm.ts,
 * class-wasm.ts): embedded bytes, compiled synchronously, one imported memory that grows.
 */

import type { NumericArray } from './check.js';

const PAGE = 65536;

/** A kernel's exports with the memory it was given. */
export type Instance<E> = E & { memory: WebAssembly.Memory };

/**
 * Compiles and instantiates the kernel whose bytes are `base64`, synchronously; returns the
 * reason as a string when WebAssembly is missing or refuses it (e.g. a Content-Security-Policy
 * without 'wasm-unsafe-eval', or an engine without SIMD).
 */
export function instantiate<E>(base64: string): Instance<E> | string {
  if (typeof WebAssembly === 'undefined') {
    return 'WebAssembly is not available in this environment';
  }
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const memory = new WebAssembly.Memory({ initial: 1 });
    // Synchronous compilation: the modules are a few kB. Chrome before 114 refused modules over
    // 4 kB on the main thread (the class kernel is larger): that refusal lands below, and the
    // callers fall back to their JavaScript kernels.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return { memory, ...(instance.exports as unknown as E) };
  } catch (error) {
    return `WebAssembly refused the kernel (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Grows `memory` to at least `need` bytes (by at least half again, so a slowly increasing
 * size does not grow every call); returns '' or why it cannot.
 */
export function growTo(memory: WebAssembly.Memory, need: number): string {
  const have = memory.buffer.byteLength;
  if (need <= have) return '';
  try {
    memory.grow(Math.ceil(Math.max(need - have, have / 2) / PAGE));
  } catch {
    try {
      memory.grow(Math.ceil((need - have) / PAGE));
    } catch {
      return `${need} bytes of WebAssembly memory are not available`;
    }
  }
  return '';
}

/** `bytes` rounded up to a multiple of `to`. */
export function align(bytes: number, to: number): number {
  return Math.ceil(bytes / to) * to;
}

/**
 * Copies values [start, start + count) of `from` into `to` from index `at`, converting (a
 * typed array by one set(), anything else value by value): how the kernels stage their inputs.
 */
export function stage(
  to: Float32Array | Int32Array,
  at: number,
  from: NumericArray,
  start: number,
  count: number,
): void {
  const typed = from as Partial<Float32Array>;
  if (typeof typed.subarray === 'function') {
    to.set(typed.subarray(start, start + count), at);
  } else {
    for (let i = 0; i < count; i++) to[at + i] = from[start + i];
  }
}
