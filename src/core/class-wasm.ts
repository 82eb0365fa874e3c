import type { NumericArray } from './check.js';
import { CLASS_WASM_BASE64 } from './class-wasm-binary.js';
import type { Geometry } from './geometry.js';
import { align, growTo, type Instance, instantiate, stage } from './wasm-instance.js';

/** The kernel's exports (assembly/class.ts documents them and the memory layout). */
interface Exports {
  countsBytes(): number;
  reset(): void;
  bad(): number;
  check(at: number, n: number, lo: number, hi: number): void;
  begin(table: number, k: number): void;
  gather(
    table: number,
    k: number,
    count: number,
    q0: number,
    staged: number,
    pstride: number,
    labels: number,
    lstride: number,
    ign: number,
    cap: number,
  ): void;
  finish(
    table: number,
    k: number,
    pixels: number,
    cap: number,
    counts: number,
    spare: number,
    zero: number,
  ): void;
  scatter(
    table: number,
    k: number,
    pixels: number,
    grad: number,
    channels: number,
    hw: number,
    b0: number,
  ): void;
  interleave(
    planes: number,
    channels: number,
    total: number,
    q0: number,
    count: number,
    out: number,
  ): void;
  ENTRY: WebAssembly.Global;
}

// Values staged at a time: 2 x 64 kB (probabilities and labels), in cache.
const STAGE = 16384;
// Pixel-classes gathered at once: a block of K classes of a group of `per` pixels holds
// K * per pairs (8 bytes each; 12 with a sink), so K = floor(BLOCK / per), at least 1.
const BLOCK = 1 << 23;
// The most channels a staged chunk holds whole (channels last).
const MAX_CHANNELS = 4096;
// The limits in force: tests lower them to reach several chunks and blocks on small inputs.
const limits = { stage: STAGE, block: BLOCK };

/**
 * Sets the values staged per chunk (at most 16384) and the pixel-classes per block, or
 * restores the defaults (no argument). For tests: every setting gives the same bits.
 */
export function setClassWasmLimits(next: { stage?: number; block?: number } = {}): void {
  limits.stage = Math.min(STAGE, next.stage ?? STAGE);
  limits.block = next.block ?? BLOCK;
}

/** Why the kernel does not take an input of this geometry ('' when it does). */
export function classWasmRefusal(geo: Geometry): string {
  if (!geo.nchw && geo.channels > MAX_CHANNELS) {
    return `it stages at most ${MAX_CHANNELS} channels per pixel, got ${geo.channels}`;
  }
  return '';
}
// Layout (bytes): the block table, the staged probabilities and labels, the counters, then
// the buffers sized by the call.
const MAX_BLOCK_CLASSES = 256;
const TABLE_AT = 0;
const STAGED_AT = 64 * MAX_BLOCK_CLASSES;
const LABELS_AT = STAGED_AT + 4 * STAGE;
const COUNTS_AT = LABELS_AT + 4 * STAGE;

// Fields of a table entry, in int32 / float64 units (assembly/class.ts, E_*).
const E_POFF = 0;
const E_LOFF = 1;
const E_CLS = 2;
const E_KEYS = 5;
const E_SINK = 6;
const E_CHANNEL = 7;
const E_TOTAL = 10;
const E_VALID = 11;
const E_SCALE = 6; // float64 index
const E_LOSS = 7; // float64 index
const E_BELOW = 8; // float64 index

type Kernel = Instance<Exports> & { entry: number };
let kernel: Kernel | null | undefined;
let failure = '';

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const made = instantiate<Exports>(CLASS_WASM_BASE64);
  if (typeof made === 'string') {
    kernel = null;
    failure = made;
  } else {
    kernel = { ...made, entry: made.ENTRY.value as number };
  }
  return kernel;
}

/**
 * Why the WebAssembly class kernel cannot run here, or '' when it can. The first call
 * compiles it.
 */
export function classWasmUnavailable(): string {
  return load() === null ? failure : '';
}

/** Bytes of WebAssembly memory the class kernel holds (it only grows). */
export function classWasmBytes(): number {
  return kernel ? kernel.memory.buffer.byteLength : 0;
}

/** One class of a group, for {@link classLossesWasm}. */
export interface WasmClass {
  channel: number;
  /** The label value that means foreground. */
  cls: number;
  total: number;
  valid: number;
  scale: number;
  /**
   * 1 - (largest foreground key) - 1e-6, the bound of cut 1 (class-loss.ts, cutBackground):
   * background keys below it are dropped while gathering. -Infinity: keep them all.
   */
  below: number;
}

/** Where the labels are, for the kernel. */
export interface WasmLabels {
  /**
   * Per-pixel labels [B * pixels] (class c is foreground where the label is its `cls`), or,
   * with `perChannel`, targets in the layout of the probabilities (foreground where 1).
   */
  values: NumericArray;
  perChannel: boolean;
  /** The label of void pixels, an int32 (-1 for none). */
  ign: number;
}

/** A call of the kernel: the input, checked as the JavaScript path checks it. */
export interface WasmCall {
  probas: NumericArray;
  labels: WasmLabels;
  geo: Geometry;
  /** Check the probabilities in [lo, hi] (float32 bounds) while staging them; null: do not. */
  bounds: { lo: number; hi: number } | null;
}

/**
 * The gradient of a whole call lives in the kernel's memory; {@link wasmSession} opens it
 * (zeroed), {@link classLossesWasm} runs the classes of each group, and the session's `grad`
 * copies it out at the end. Channels last, it is kept as one plane per channel, so that each
 * class writes its own contiguous plane, and is interleaved on the way out, one small chunk at
 * a time; channels first, it has the layout of the input.
 */
export interface WasmSession {
  readonly call: WasmCall;
  readonly kernel: Kernel;
  readonly gradAt: number;
  /** Byte address of the buffers sized per group, after the gradient. */
  readonly workAt: number;
  /** Whether the classes of a group write into per-block sinks, copied out by scatter(). */
  readonly sinks: boolean;
  /** Whether a staged probability was outside the bounds. */
  bad(): boolean;
  /** Copies the gradient into `out` (or a new array). */
  grad(out: Float32Array | null): Float32Array;
}

/** Opens a session for a call whose groups hold at most `per` pixels; or says why it cannot. */
export function wasmSession(call: WasmCall, per: number): WasmSession | string {
  const k = load();
  if (k === null) return failure;
  const { geo } = call;
  const n = call.probas.length;
  // Channels first, a group of several images does not have contiguous channel planes.
  const sinks = geo.nchw && per > geo.pixels;
  const gradAt = align(COUNTS_AT + k.countsBytes(), 64);
  const workAt = align(gradAt + 4 * n, 64);
  const grown = growTo(k.memory, workAt + workBytes(per, blockSize(per, geo.channels), sinks));
  if (grown !== '') return grown;
  new Uint8Array(k.memory.buffer, gradAt, 4 * n).fill(0);
  k.reset();
  const copyOut = (out: Float32Array | null): Float32Array => {
    const buffer = k.memory.buffer;
    if (geo.nchw || geo.channels === 1) {
      const grad = new Float32Array(buffer, gradAt, n);
      if (out) {
        out.set(grad);
        return out;
      }
      // slice(): a fresh, uninitialised copy, cheaper than zeroing a new array and copying.
      return grad.slice();
    }
    const C = geo.channels;
    const total = n / C;
    const to = out ?? new Float32Array(n);
    const chunk = Math.floor(STAGE / C);
    const staged = new Float32Array(buffer, STAGED_AT, chunk * C);
    for (let q0 = 0; q0 < total; q0 += chunk) {
      const count = Math.min(chunk, total - q0);
      k.interleave(gradAt, C, total, q0, count, STAGED_AT);
      to.set(count === chunk ? staged : staged.subarray(0, count * C), q0 * C);
    }
    return to;
  };
  return { call, kernel: k, gradAt, workAt, sinks, bad: () => k.bad() !== 0, grad: copyOut };
}

/** Classes gathered in one pass over a group of `per` pixels. */
function blockSize(per: number, channels: number): number {
  const fit = Math.floor(limits.block / Math.max(per, 1));
  return Math.max(1, Math.min(channels, MAX_BLOCK_CLASSES, fit));
}

/**
 * Bytes of the buffers for groups of `per` pixels and blocks of `k` classes: the sort's second
 * key and payload buffers (8 per pixel), and per class of a block a key and payload pair
 * (8 per pixel), with `sinks` a dense gradient sink too (4 per pixel).
 */
function workBytes(per: number, k: number, sinks: boolean): number {
  const pair = align(8 * per + 32, 64);
  const sink = sinks ? align(4 * per, 64) : 0;
  return pair + k * (pair + sink);
}

/**
 * The losses of `classes` over images [b0, b1) into `losses`, their gradients (each scaled)
 * into the session's gradient. Same bits as classLoss of class-loss.ts.
 */
export function classLossesWasm(
  session: WasmSession,
  b0: number,
  b1: number,
  classes: readonly WasmClass[],
  losses: Float64Array,
): void {
  const { call, kernel: k } = session;
  const { geo, probas, labels, bounds } = call;
  const { channels: C, pixels: hw, nchw } = geo;
  const per = (b1 - b0) * hw;
  const K = blockSize(per, C);
  const cap = per;
  const pair = align(8 * per + 32, 64);
  const sinkBytes = session.sinks ? align(4 * per, 64) : 0;
  const spare = session.workAt;
  const total = probas.length / C;
  const buffer = k.memory.buffer;
  const i32 = new Int32Array(buffer, TABLE_AT, (k.entry / 4) * MAX_BLOCK_CLASSES);
  const f64 = new Float64Array(buffer, TABLE_AT, (k.entry / 8) * MAX_BLOCK_CLASSES);
  const stagedP = new Float32Array(buffer, STAGED_AT, STAGE);
  const stagedL = new Int32Array(buffer, LABELS_AT, STAGE);
  const ei = k.entry / 4;
  const ef = k.entry / 8;
  for (let c0 = 0; c0 < classes.length; c0 += K) {
    const block = classes.slice(c0, c0 + K);
    const nk = block.length;
    // Channels last, a staged pixel holds all C channels (and per-channel targets); channels
    // first, the staged chunk holds the block's channel planes one after the other.
    const chunk = Math.max(1, Math.floor(limits.stage / (nchw ? nk : C)));
    for (let j = 0; j < nk; j++) {
      const t = block[j];
      const e = j * ei;
      i32[e + E_POFF] = nchw ? j * chunk : t.channel;
      i32[e + E_LOFF] = labels.perChannel ? (nchw ? j * chunk : t.channel) : 0;
      i32[e + E_CLS] = t.cls;
      i32[e + E_KEYS] = spare + pair + j * (pair + sinkBytes);
      // The class's values go straight to its part of the gradient (a channel plane of the
      // group), or, channels first over several images, to a sink copied out by scatter().
      const plane = nchw ? (b0 * C + t.channel) * hw : t.channel * total + b0 * hw;
      i32[e + E_SINK] = session.sinks
        ? spare + pair + j * (pair + sinkBytes) + pair
        : session.gradAt + 4 * plane;
      i32[e + E_CHANNEL] = t.channel;
      i32[e + E_TOTAL] = t.total;
      i32[e + E_VALID] = t.valid;
      f64[j * ef + E_SCALE] = t.scale;
      f64[j * ef + E_BELOW] = t.below;
    }
    k.begin(TABLE_AT, nk);
    // The first block of a group checks every staged value: channels last, that is the whole
    // input of the group.
    const checking = bounds !== null && (c0 === 0 || nchw);
    const pstride = nchw ? 1 : C;
    const lstride = labels.perChannel ? pstride : 1;
    for (let b = b0; b < b1; b++) {
      // Channels last, a chunk may span images; channels first, planes end with each image.
      if (!nchw && b !== b0) break;
      const end = nchw ? (b + 1) * hw : b1 * hw;
      for (let px = nchw ? b * hw : b0 * hw; px < end; px += chunk) {
        const count = Math.min(chunk, end - px);
        if (nchw) {
          for (let j = 0; j < nk; j++) {
            const from = (b * C + block[j].channel) * hw + (px - b * hw);
            stage(stagedP, j * chunk, probas, from, count);
            if (labels.perChannel) stage(stagedL, j * chunk, labels.values, from, count);
          }
          if (!labels.perChannel) stage(stagedL, 0, labels.values, px, count);
          if (checking) {
            for (let j = 0; j < nk; j++) {
              k.check(STAGED_AT + 4 * j * chunk, count, bounds.lo, bounds.hi);
            }
          }
        } else {
          stage(stagedP, 0, probas, px * C, count * C);
          stage(
            stagedL,
            0,
            labels.values,
            labels.perChannel ? px * C : px,
            labels.perChannel ? count * C : count,
          );
          if (checking) k.check(STAGED_AT, count * C, bounds.lo, bounds.hi);
        }
        k.gather(
          TABLE_AT,
          nk,
          count,
          px - b0 * hw,
          STAGED_AT,
          pstride,
          LABELS_AT,
          lstride,
          labels.ign,
          cap,
        );
      }
    }
    k.finish(TABLE_AT, nk, per, cap, COUNTS_AT, spare, session.sinks ? 1 : 0);
    if (session.sinks) k.scatter(TABLE_AT, nk, per, session.gradAt, C, hw, b0);
    for (let j = 0; j < nk; j++) losses[c0 + j] = f64[j * ef + E_LOSS];
  }
}
