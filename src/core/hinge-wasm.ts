import type { NumericArray } from './check.js';
import { HINGE_WASM_BASE64 } from './hinge-wasm-binary.js';

/** The kernel's one export (assembly/hinge.ts documents the memory layout). */
type HingeExport = (
  groups: number,
  per: number,
  ign: number,
  hasIgnore: number,
  scale: number,
  logits: number,
  labels: number,
  grad: number,
  losses: number,
  work: number,
) => number;

interface Kernel {
  memory: WebAssembly.Memory;
  hinge: HingeExport;
}

const PAGE = 65536;
// Radix counters: three digits of 2048 int32 each.
const COUNTS_BYTES = 3 * 2048 * 4;

// undefined: not tried yet; null: WebAssembly is missing or refused (e.g. by a
// Content-Security-Policy without 'wasm-unsafe-eval'), and `failure` says why.
let kernel: Kernel | null | undefined;
let failure = '';

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  if (typeof WebAssembly === 'undefined') {
    kernel = null;
    failure = 'WebAssembly is not available in this environment';
    return kernel;
  }
  try {
    const bytes = Uint8Array.from(atob(HINGE_WASM_BASE64), (c) => c.charCodeAt(0));
    const memory = new WebAssembly.Memory({ initial: 1 });
    // Synchronous compilation: the module is 1.8 kB, under the 4 kB browsers allow on
    // the main thread.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    kernel = { memory, hinge: instance.exports.hinge as HingeExport };
  } catch (error) {
    kernel = null;
    failure = `WebAssembly refused the kernel (${error instanceof Error ? error.message : String(error)})`;
  }
  return kernel;
}

/**
 * Why the WebAssembly hinge kernel cannot run here, or '' when it can. The first call
 * compiles it.
 */
export function hingeWasmUnavailable(): string {
  return load() === null ? failure : '';
}

/** Bytes of WebAssembly memory the hinge kernel holds (it only grows, like the sort buffers). */
export function hingeWasmBytes(): number {
  return kernel ? kernel.memory.buffer.byteLength : 0;
}

/** Outcome of {@link hingeWasm}. */
export type HingeWasmResult =
  | { kind: 'done'; loss: number; grad: Float32Array }
  /** A logit is not finite as a float32, or a label is not 0, 1 or ign: check on the JS side. */
  | { kind: 'invalid' }
  /** No WebAssembly, or its memory cannot grow to this input: `reason` says which. */
  | { kind: 'unavailable'; reason: string };

/**
 * The Lovász hinge (relu, not symmetric) of `groups` groups of `per` pixels on the
 * WebAssembly kernel: the same bits as the JS kernel of hinge.ts.
 *
 * `ign` must be an int32 (or null), and labels are converted to int32 on the way in, so the
 * caller must have checked them already unless they are an integer typed array (whose valid
 * values convert exactly). Returns the summed group losses; `losses` (when given) receives
 * each group's loss. The gradient is scaled by `scale`.
 */
export function hingeWasm(
  logits: NumericArray,
  labels: NumericArray,
  groups: number,
  per: number,
  ign: number | null,
  scale: number,
  losses: Float64Array | null,
): HingeWasmResult {
  const k = load();
  if (k === null) return { kind: 'unavailable', reason: hingeWasmUnavailable() };
  const n = groups * per;
  // Layout: logits f32[n], labels i32[n], grad f32[n], losses f64[groups], then the work area.
  const labelsAt = 4 * n;
  const gradAt = 8 * n;
  const lossesAt = align(12 * n, 8);
  const workAt = align(lossesAt + 8 * groups, 64);
  // Work area: two key/payload buffer pairs, the radix counters, per + 2 float64 reciprocals.
  const need = workAt + 16 * per + COUNTS_BYTES + 8 * (per + 2);
  const have = k.memory.buffer.byteLength;
  if (need > have) {
    try {
      // Grow by at least half again, so a slowly increasing size does not grow every call.
      k.memory.grow(Math.ceil(Math.max(need - have, have / 2) / PAGE));
    } catch {
      try {
        k.memory.grow(Math.ceil((need - have) / PAGE));
      } catch {
        return {
          kind: 'unavailable',
          reason: `${need} bytes of WebAssembly memory are not available`,
        };
      }
    }
  }
  const buffer = k.memory.buffer;
  new Float32Array(buffer, 0, n).set(logits);
  new Int32Array(buffer, labelsAt, n).set(labels);
  const hasIgnore = ign === null ? 0 : 1;
  const sum = k.hinge(
    groups,
    per,
    ign ?? -1,
    hasIgnore,
    scale,
    0,
    labelsAt,
    gradAt,
    lossesAt,
    workAt,
  );
  if (Number.isNaN(sum)) return { kind: 'invalid' };
  if (losses) losses.set(new Float64Array(buffer, lossesAt, groups));
  // slice(): a fresh, uninitialised copy, cheaper than zeroing a new array and then copying.
  return { kind: 'done', loss: sum, grad: new Float32Array(buffer, gradAt, n).slice() };
}

function align(bytes: number, to: number): number {
  return Math.ceil(bytes / to) * to;
}
