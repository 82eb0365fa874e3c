import type { NumericArray } from './check.js';
import { HINGE_WASM_BASE64 } from './hinge-wasm-binary.js';
import { align, growTo, instantiate, stage } from './wasm-instance.js';

/** The kernel's exports (assembly/hinge.ts documents them and the memory layout). */
interface Kernel {
  memory: WebAssembly.Memory;
  prepare(shuffles: number): void;
  begin(): void;
  gather(
    px: number,
    count: number,
    ign: number,
    hasIgnore: number,
    logits: number,
    labels: number,
    grad: number,
    work: number,
    per: number,
    shuffles: number,
  ): void;
  finish(scale: number, grad: number, work: number, per: number): number;
  workBytes(per: number): number;
}

// Pixels copied in at a time: the inputs are staged in chunks (2 x 64 kB, in cache), never
// copied whole.
const CHUNK = 16384;
// Layout: the kernel's 256-byte shuffle table, the staged logits and labels, the gradient,
// then the work area.
const SHUFFLES_AT = 0;
const LOGITS_AT = 256;
const LABELS_AT = LOGITS_AT + 4 * CHUNK;
const GRAD_AT = LABELS_AT + 4 * CHUNK;

// undefined: not tried yet; null: WebAssembly is missing or refused, and `failure` says why.
let kernel: Kernel | null | undefined;
let failure = '';

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const made = instantiate<Omit<Kernel, 'memory'>>(HINGE_WASM_BASE64);
  if (typeof made === 'string') {
    kernel = null;
    failure = made;
  } else {
    kernel = made;
    kernel.prepare(SHUFFLES_AT);
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
 * each group's loss. The gradient, scaled by `scale`, is copied into `out` when given, else
 * into a new array.
 *
 * Memory held: the gradient (4 bytes per pixel), 16 bytes per pixel of one group for the
 * sort, and 128 kB of staging.
 */
export function hingeWasm(
  logits: NumericArray,
  labels: NumericArray,
  groups: number,
  per: number,
  ign: number | null,
  scale: number,
  losses: Float64Array | null,
  out: Float32Array | null,
): HingeWasmResult {
  const k = load();
  if (k === null) return { kind: 'unavailable', reason: hingeWasmUnavailable() };
  const n = groups * per;
  const workAt = align(GRAD_AT + 4 * n, 64);
  const need = workAt + k.workBytes(per);
  const grown = growTo(k.memory, need);
  if (grown !== '') return { kind: 'unavailable', reason: grown };
  const buffer = k.memory.buffer;
  const stagedLogits = new Float32Array(buffer, LOGITS_AT, CHUNK);
  const stagedLabels = new Int32Array(buffer, LABELS_AT, CHUNK);
  const hasIgnore = ign === null ? 0 : 1;
  let sum = 0;
  for (let g = 0; g < groups; g++) {
    k.begin();
    const end = (g + 1) * per;
    for (let px = g * per; px < end; px += CHUNK) {
      const count = Math.min(CHUNK, end - px);
      stage(stagedLogits, 0, logits, px, count);
      stage(stagedLabels, 0, labels, px, count);
      k.gather(
        px,
        count,
        ign ?? -1,
        hasIgnore,
        LOGITS_AT,
        LABELS_AT,
        GRAD_AT,
        workAt,
        per,
        SHUFFLES_AT,
      );
    }
    const loss = k.finish(scale, GRAD_AT, workAt, per);
    if (Number.isNaN(loss)) return { kind: 'invalid' };
    if (losses) losses[g] = loss;
    sum += loss;
  }
  const grad = new Float32Array(buffer, GRAD_AT, n);
  if (out) {
    out.set(grad);
    return { kind: 'done', loss: sum, grad: out };
  }
  // slice(): a fresh, uninitialised copy, cheaper than zeroing a new array and then copying.
  return { kind: 'done', loss: sum, grad: grad.slice() };
}
