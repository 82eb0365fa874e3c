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
  transpose(
    src: number,
    n: number,
    m: number,
    sstride: number,
    dst: number,
    dstride: number,
    checking: number,
    lo: number,
    hi: number,
  ): void;
  run(
    plane: number,
    pstride: number,
    labels: number,
    lstride: number,
    hw: number,
    nb: number,
    cls: number,
    ign: number,
    total: number,
    scale: number,
    pairs: number,
    spare: number,
    counts: number,
    sink: number,
  ): number;
}

// Values staged at a time: 64 kB, in cache.
const STAGE = 16384;
// The most channels a staged chunk holds whole (channels last).
const MAX_CHANNELS = 4096;
// The limit in force: tests lower it to reach several chunks on small inputs.
const limits = { stage: STAGE };

/**
 * Sets the values staged per chunk (at most 16384), or restores the default (no argument).
 * For tests: every setting gives the same bits.
 */
export function setClassWasmLimits(next: { stage?: number } = {}): void {
  limits.stage = Math.min(STAGE, next.stage ?? STAGE);
}

/** Why the kernel does not take an input of this geometry ('' when it does). */
export function classWasmRefusal(geo: Geometry): string {
  if (!geo.nchw && geo.channels > MAX_CHANNELS) {
    return `it stages at most ${MAX_CHANNELS} channels per pixel, got ${geo.channels}`;
  }
  return '';
}

// Layout (bytes): the staged chunk, the counters, then the regions sized by the call.
const STAGED_AT = 0;
const COUNTS_AT = STAGED_AT + 4 * STAGE + 16;
// Slack after each region: the kernel reads whole vectors past a region's end, and writes up
// to four pairs past the last it keeps.
const SLACK = 64;

type Kernel = Instance<Exports>;
let kernel: Kernel | null | undefined;
let failure = '';

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const made = instantiate<Exports>(CLASS_WASM_BASE64);
  if (typeof made === 'string') {
    kernel = null;
    failure = made;
  } else {
    kernel = made;
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
  scale: number;
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
  /** Check the probabilities in [lo, hi] (float32 bounds) while loading them; null: do not. */
  bounds: { lo: number; hi: number } | null;
}

/**
 * The input and gradient of a whole call live in the kernel's memory: {@link wasmSession}
 * opens it, {@link classLossesWasm} loads each group (every value, checked) and runs its
 * classes, and the session's `grad` copies the gradient out at the end. Channels last, they
 * are kept as one plane per channel (pixel q of channel c at c * total + q), so that each class
 * reads and writes one contiguous plane, and the gradient is interleaved on the way out, one
 * small chunk at a time; channels first, they have the layout of the input.
 */
export interface WasmSession {
  readonly call: WasmCall;
  readonly kernel: Kernel;
  readonly planesAt: number;
  readonly labelsAt: number;
  readonly pairsAt: number;
  readonly spareAt: number;
  /** A per-pixel gradient buffer (channels first, groups of several images), or -1. */
  readonly sinkAt: number;
  /** Whether a loaded probability was outside the bounds. */
  bad(): boolean;
  /** Copies the gradient into `out` (or a new array). */
  grad(out: Float32Array | null): Float32Array;
}

/**
 * Opens a session for a call whose groups hold at most `per` pixels; or says why it cannot.
 * Memory: 4 bytes per value of the call (its planes), per pixel of a group 4 bytes of labels
 * (4 per channel with per-channel targets) and 16 of pairs, 4 more of sink channels first with
 * groups of several images.
 */
export function wasmSession(call: WasmCall, per: number): WasmSession | string {
  const k = load();
  if (k === null) return failure;
  const { geo, labels } = call;
  const n = call.probas.length;
  const C = geo.channels;
  const planesAt = align(COUNTS_AT + k.countsBytes(), 64);
  const labelsAt = align(planesAt + 4 * n + SLACK, 64);
  const pairsAt = align(labelsAt + 4 * per * (labels.perChannel ? C : 1) + SLACK, 64);
  const spareAt = align(pairsAt + 8 * per + SLACK, 64);
  const sinks = geo.nchw && C > 1 && per > geo.pixels;
  const sinkAt = sinks ? align(spareAt + 8 * per + SLACK, 64) : -1;
  const end = (sinks ? sinkAt + 4 * per : spareAt + 8 * per) + SLACK;
  const grown = growTo(k.memory, end);
  if (grown !== '') return grown;
  k.reset();
  const copyOut = (out: Float32Array | null): Float32Array => {
    const buffer = k.memory.buffer;
    if (geo.nchw || C === 1) {
      const grad = new Float32Array(buffer, planesAt, n);
      if (out) {
        out.set(grad);
        return out;
      }
      // slice(): a fresh, uninitialised copy, cheaper than zeroing a new array and copying.
      return grad.slice();
    }
    const total = n / C;
    const to = out ?? new Float32Array(n);
    const chunk = Math.floor(STAGE / C);
    const staged = new Float32Array(buffer, STAGED_AT, chunk * C);
    for (let q0 = 0; q0 < total; q0 += chunk) {
      const count = Math.min(chunk, total - q0);
      k.transpose(planesAt + 4 * q0, C, count, total, STAGED_AT, C, 0, 0, 0);
      to.set(count === chunk ? staged : staged.subarray(0, count * C), q0 * C);
    }
    return to;
  };
  return {
    call,
    kernel: k,
    planesAt,
    labelsAt,
    pairsAt,
    spareAt,
    sinkAt,
    bad: () => k.bad() !== 0,
    grad: copyOut,
  };
}

/**
 * Loads images [b0, b1) into the session (probabilities checked on the way), computes the
 * losses of `classes` over them into `losses` and their gradients (each scaled) over their
 * planes, and zeroes the planes of the channels no class computed. Same bits as classLoss of
 * class-loss.ts. Every group of the call must be run, even one with no class.
 */
export function classLossesWasm(
  session: WasmSession,
  b0: number,
  b1: number,
  classes: readonly WasmClass[],
  losses: Float64Array,
): void {
  const { call, kernel: k } = session;
  const { geo, labels } = call;
  const { channels: C, pixels: hw, nchw } = geo;
  const per = (b1 - b0) * hw;
  const total = call.probas.length / C;
  loadGroup(session, b0, b1);
  // Where channel c of image b0 + b starts (in values from planesAt), and its stride per image.
  const channels = !nchw && C > 1;
  const planeOf = (c: number) => (channels ? c * total + b0 * hw : (b0 * C + c) * hw);
  const pstride = channels || C === 1 ? hw : C * hw;
  // Labels of the group: per pixel, or per-channel targets in the layout of its planes.
  const labelOf = (c: number) => (!labels.perChannel ? 0 : channels ? c * per : c * hw);
  const lstride = !labels.perChannel || channels ? hw : C * hw;
  // One contiguous run per class: whole planes channels last, one image channels first.
  const whole = pstride === hw || b1 - b0 === 1;
  const done = new Uint8Array(C);
  for (let j = 0; j < classes.length; j++) {
    const t = classes[j];
    const plane = session.planesAt + 4 * planeOf(t.channel);
    losses[j] = k.run(
      plane,
      whole ? per : pstride,
      session.labelsAt + 4 * labelOf(t.channel),
      whole ? per : lstride,
      whole ? per : hw,
      whole ? 1 : b1 - b0,
      t.cls,
      labels.ign,
      t.total,
      t.scale,
      session.pairsAt,
      session.spareAt,
      COUNTS_AT,
      whole ? plane : session.sinkAt,
    );
    done[t.channel] = 1;
  }
  const values = new Float32Array(k.memory.buffer, session.planesAt, call.probas.length);
  for (let c = 0; c < C; c++) {
    if (done[c]) continue;
    if (whole) values.fill(0, planeOf(c), planeOf(c) + per);
    else
      for (let b = 0; b < b1 - b0; b++)
        values.fill(0, planeOf(c) + b * pstride, planeOf(c) + b * pstride + hw);
  }
}

/**
 * Copies images [b0, b1) into the session: probabilities to their planes (transposed chunk by
 * chunk channels last), labels to the group's labels; checks the probabilities when asked.
 */
function loadGroup(session: WasmSession, b0: number, b1: number): void {
  const { call, kernel: k } = session;
  const { geo, labels, probas, bounds } = call;
  const { channels: C, pixels: hw, nchw } = geo;
  const buffer = k.memory.buffer;
  const total = probas.length / C;
  const per = (b1 - b0) * hw;
  const transposed = !nchw && C > 1;
  if (!transposed) {
    const from = b0 * C * hw;
    const planes = new Float32Array(buffer, session.planesAt, probas.length);
    stage(planes, from, probas, from, per * C);
    if (bounds) k.check(session.planesAt + 4 * from, per * C, bounds.lo, bounds.hi);
    const lab = new Int32Array(buffer, session.labelsAt, per * (labels.perChannel ? C : 1));
    if (labels.perChannel) stage(lab, 0, labels.values, from, per * C);
    else stage(lab, 0, labels.values, b0 * hw, per);
    return;
  }
  const chunk = Math.max(1, Math.floor(limits.stage / C));
  const staged = new Float32Array(buffer, STAGED_AT, chunk * C);
  const stagedBits = new Int32Array(buffer, STAGED_AT, chunk * C);
  // The probabilities are checked as they are transposed.
  const checking = bounds ? 1 : 0;
  const lo = bounds?.lo ?? 0;
  const hi = bounds?.hi ?? 0;
  for (let q = 0; q < per; q += chunk) {
    const count = Math.min(chunk, per - q);
    const px = b0 * hw + q;
    stage(staged, 0, probas, px * C, count * C);
    k.transpose(STAGED_AT, count, C, C, session.planesAt + 4 * px, total, checking, lo, hi);
    if (labels.perChannel) {
      stage(stagedBits, 0, labels.values, px * C, count * C);
      k.transpose(STAGED_AT, count, C, C, session.labelsAt + 4 * q, per, 0, 0, 0);
    }
  }
  if (!labels.perChannel) {
    stage(new Int32Array(buffer, session.labelsAt, per), 0, labels.values, b0 * hw, per);
  }
}
