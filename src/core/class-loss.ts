import type { NumericArray } from './check.js';
import type { Geometry } from './geometry.js';
import {
  type PairBuffers,
  reservePairs,
  type SortWorkspace,
  sortBufferBytes,
  sortUnitPairs,
  sortWorkspace,
} from './sort.js';

/**
 * The per-class kernel of the Lovász-Softmax, -Sigmoid and multilabel losses: for one class
 * (or channel) over a range of images, the loss and its gradient in one pass over the sorted
 * errors. Knows nothing of options, shapes or reductions: callers validate and scale.
 */

const SIGN = -0x80000000;
const PIXEL = 0x7fffffff;

/**
 * The sign of e_fg - e_bg, exactly, for a foreground key kf (error 1 - kf) and a background key
 * kb (error kb), both float32 in [0, 1 + 1e-6]. A float64 subtraction has the sign of the exact
 * difference, and 1 - k is exact for k >= 0.5 (Sterbenz); when both keys are below 0.5 the
 * foreground error exceeds 0.5 and the background one does not.
 */
function compareErrors(kf: number, kb: number): number {
  if (kf >= 0.5) return 1 - kf - kb;
  if (kb >= 0.5) return 1 - kb - kf;
  return 1;
}

/**
 * The Lovász loss of one class over images [b0, b1) (see {@link ClassTask}); writes `scale`
 * times its gradient into `grad`. Scratch state lives in `ws`, nothing at module level.
 *
 * Errors are |fg - p| with p the probability of the class: 1 - p on foreground, p on background.
 * Instead of sorting mixed errors (1 - p rounds in float32), foreground pixels are keyed by p
 * and background pixels by p, both exact, sorted apart and merged with an exact comparison
 * (probabilities above 1 or below 0, within the accepted slack, are reflected so that the key
 * still orders |fg - p|; the top bit of the payload remembers it for the gradient's sign).
 *
 * Two cuts keep the sort small without changing a single bit of the result:
 * - a background pixel whose error is below every foreground error comes after all of them,
 *   where G - a = 0: its Jaccard gradient d is 0 and it moves no count before anything else;
 * - a foreground pixel whose error is below every remaining background error comes after all
 *   of them: its d is 1 / (G + nb) whatever its rank among foreground pixels.
 * So only the overlapping band of errors is sorted. With confident, mostly right predictions
 * that band is most pixels; with uncertain or random ones it is a small fraction.
 */
export function classLoss(task: ClassTask, ws: ClassWorkspace): number {
  const { geo, b0, b1, channel, total, valid, scale, grad } = task;
  if (total === 0) return absentClassLoss(task);
  const buf = reservePairs(ws.sort, valid);
  const kfMax = gatherClass(buf, task);
  const kept = cutBackground(ws, buf, total, valid, kfMax);
  const nbKept = kept - total;
  const dLast = 1 / (total + nbKept);
  const pixels = (b1 - b0) * geo.pixels;
  const sink = ws.sink;
  openSink(sink, grad, geo, b0, channel, pixels, total + nbKept);
  let loss: number;
  if (nbKept === 0) {
    loss = foregroundOnlyLoss(sink, buf, total, dLast, scale);
  } else {
    const nfKept = cutForeground(ws, buf, total, ws.kbMin, dLast, scale);
    const fg = sortUnitPairs(ws.sort, 0, nfKept, false);
    const bg = sortUnitPairs(ws.sort, total, nbKept, true);
    loss = ws.cutLoss + mergeLoss(sink, fg, nfKept, bg, total, nbKept, scale);
  }
  closeSink(sink);
  return loss;
}

/**
 * One class's work for {@link classLoss}: the loss of class `cls` (probability channel
 * `channel`) over images [b0, b1), with `scale` times its gradient written into `grad`.
 */
export interface ClassTask {
  /** Probabilities, in the layout `geo` describes (read at float32 precision). */
  readonly probas: NumericArray;
  /** Per-pixel labels [B * pixels] (only images [b0, b1) are read). */
  readonly labels: NumericArray;
  readonly geo: Geometry;
  readonly b0: number;
  readonly b1: number;
  readonly channel: number;
  /** The label value that means foreground. */
  readonly cls: number;
  /** Valid pixels labelled `cls` (G). */
  readonly total: number;
  /** Valid pixels (labels other than `ign`). */
  readonly valid: number;
  /** The label of void pixels (-1 for none: labels are validated non-negative). */
  readonly ign: number;
  readonly scale: number;
  /** The gradient, in the layout of `probas`; entries of other classes are left alone. */
  readonly grad: Float32Array;
}

/**
 * Where gradient values go. Scattered writes into a large [P, C] gradient miss the cache on
 * almost every write; when many pixels get a value, they go instead to a dense per-pixel
 * buffer (in cache), copied into the gradient by one strided pass at the end.
 */
interface Sink {
  grad: Float32Array;
  dense: boolean;
  buf: Float32Array;
  first: number;
  b0: number;
  pixels: number;
  hw: number;
  channels: number;
  channel: number;
  nchw: boolean;
}

/**
 * The scratch state of {@link classLoss}: sort buffers, the gradient sink, and the results the
 * cut passes hand on. Reused from class to class and call to call (it only grows); one
 * workspace serves one classLoss at a time.
 */
export interface ClassWorkspace {
  readonly sort: SortWorkspace;
  readonly sink: Sink;
  /** Smallest kept background key after cut 1. */
  kbMin: number;
  /** Loss of the foreground pixels cut 2 leaves out (already times d). */
  cutLoss: number;
}

/** A new class workspace (its buffers grow on first use). */
export function classWorkspace(): ClassWorkspace {
  const sink: Sink = {
    grad: new Float32Array(0),
    dense: false,
    buf: new Float32Array(0),
    first: 0,
    b0: 0,
    pixels: 0,
    hw: 1,
    channels: 1,
    channel: 0,
    nchw: false,
  };
  return { sort: sortWorkspace(), sink, kbMin: 2, cutLoss: 0 };
}

/** Bytes of typed arrays a class workspace holds (sort buffers and the dense sink). */
export function classWorkspaceBytes(ws: ClassWorkspace): number {
  return sortBufferBytes(ws.sort) + ws.sink.buf.byteLength;
}

function openSink(
  sink: Sink,
  grad: Float32Array,
  geo: Geometry,
  b0: number,
  channel: number,
  pixels: number,
  writes: number,
): void {
  sink.grad = grad;
  sink.b0 = b0;
  sink.first = b0 * geo.pixels;
  sink.pixels = pixels;
  sink.hw = geo.pixels;
  sink.channels = geo.channels;
  sink.channel = channel;
  sink.nchw = geo.nchw;
  // A strided pass costs about a tenth of a cache miss per pixel.
  sink.dense = writes * 10 > pixels;
  if (sink.dense) {
    if (sink.buf.length < pixels)
      sink.buf = new Float32Array(Math.max(pixels, sink.buf.length * 1.5));
    sink.buf.fill(0, 0, pixels);
  }
}

/** The offset in the input (and gradient) of pixel q of the group, for the current class. */
function offsetOf(sink: Sink, q: number): number {
  if (sink.nchw) {
    const b = sink.b0 + Math.floor(q / sink.hw);
    return (b * sink.channels + sink.channel) * sink.hw + (q - (b - sink.b0) * sink.hw);
  }
  return (sink.first + q) * sink.channels + sink.channel;
}

function put(sink: Sink, q: number, value: number): void {
  if (sink.dense) sink.buf[q] = value;
  else sink.grad[offsetOf(sink, q)] = value;
}

function closeSink(sink: Sink): void {
  if (!sink.dense) return;
  const grad = sink.grad;
  const buf = sink.buf;
  const n = sink.pixels;
  if (sink.nchw) {
    // Each image's channel is a contiguous run of hw values.
    const hw = sink.hw;
    for (let q0 = 0; q0 < n; q0 += hw) {
      const start = offsetOf(sink, q0);
      for (let i = 0; i < hw; i++) grad[start + i] = buf[q0 + i];
    }
    return;
  }
  const C = sink.channels;
  let off = sink.first * C + sink.channel;
  for (let q = 0; q < n; q++, off += C) grad[off] = buf[q];
}

// Small functions, one loop each: V8 optimises each on its own feedback (one large function
// with rarely taken paths kept deoptimising). Extra results pass through the workspace.

/**
 * Writes the pairs of the valid pixels: foreground at [0, total), background at
 * [total, valid), in pixel order; returns the largest foreground key (smallest error).
 */
function gatherClass(buf: PairBuffers, task: ClassTask): number {
  const { probas, labels, geo, b0, b1, channel, cls, total, ign } = task;
  const { channels: C, pixels: HW, nchw } = geo;
  const { keys, vals } = buf;
  const step = nchw ? 1 : C;
  let nf = 0;
  let nb = total;
  let kfMax = -1;
  const first = b0 * HW;
  for (let b = b0; b < b1; b++) {
    const base = nchw ? (b * C + channel) * HW : b * HW * C + channel;
    const row = b * HW;
    for (let i = 0; i < HW; i++) {
      const y = labels[row + i];
      if (y === ign) continue;
      const p = Math.fround(probas[base + i * step]);
      // The payload is the pixel's index in the group (its order is the tie order).
      const q = row - first + i;
      if (y === cls) {
        const over = p > 1;
        const kf = over ? 2 - p : p + 0; // + 0 turns -0 into +0
        keys[nf] = kf;
        vals[nf] = over ? q | SIGN : q;
        if (kf > kfMax) kfMax = kf;
        nf++;
      } else {
        const under = p < 0;
        keys[nb] = under ? -p : p + 0;
        vals[nb] = under ? q | SIGN : q;
        nb++;
      }
    }
  }
  return kfMax;
}

/**
 * Cut 1: keeps (compacted from `total` on) the background pairs whose error reaches the
 * smallest foreground error; returns the end of the kept ones and sets ws.kbMin.
 */
function cutBackground(
  ws: ClassWorkspace,
  buf: PairBuffers,
  total: number,
  valid: number,
  kfMax: number,
): number {
  const { keys, vals } = buf;
  let kept = total;
  let kbMin = 2;
  // e_bg >= 1 - kfMax, decided exactly by compareErrors; the float64 threshold only skips
  // the exact test for pixels far below it.
  const below = 1 - kfMax - 1e-6;
  for (let j = total; j < valid; j++) {
    const kb = keys[j];
    if (kb < below) continue;
    if (compareErrors(kfMax, kb) <= 0) {
      keys[kept] = kb;
      vals[kept] = vals[j];
      if (kb < kbMin) kbMin = kb;
      kept++;
    }
  }
  ws.kbMin = kbMin;
  return kept;
}

/**
 * Cut 2: keeps (compacted from 0 on) the foreground pairs whose error reaches the smallest
 * kept background error; the others take d = dLast, added to ws.cutLoss and to the gradient
 * here. Returns the number kept.
 */
function cutForeground(
  ws: ClassWorkspace,
  buf: PairBuffers,
  total: number,
  kbMin: number,
  dLast: number,
  scale: number,
): number {
  const { keys, vals } = buf;
  const sink = ws.sink;
  let loss = 0;
  let kept = 0;
  const g = scale * dLast;
  for (let i = 0; i < total; i++) {
    const kf = keys[i];
    const v = vals[i];
    if (compareErrors(kf, kbMin) >= 0) {
      keys[kept] = kf;
      vals[kept] = v;
      kept++;
    } else {
      loss += 1 - kf;
      // d|1 - p|/dp = -sign(1 - p), with sign(0) = 0 as in the reference implementation.
      put(sink, v & PIXEL, kf === 1 ? 0 : v < 0 ? g : -g);
    }
  }
  ws.cutLoss = loss * dLast;
  return kept;
}

/**
 * No background error reaches the foreground ones: every foreground pixel has d = 1 / G
 * whatever its rank, and no background pixel has a gradient. No sort needed.
 */
function foregroundOnlyLoss(
  sink: Sink,
  buf: PairBuffers,
  total: number,
  d: number,
  scale: number,
): number {
  const { keys, vals } = buf;
  const g = scale * d;
  let loss = 0;
  for (let i = 0; i < total; i++) {
    const kf = keys[i];
    const v = vals[i];
    loss += 1 - kf;
    put(sink, v & PIXEL, kf === 1 ? 0 : v < 0 ? g : -g);
  }
  return loss * d;
}

/**
 * Merges the sorted foreground (increasing key = decreasing error) and background (decreasing
 * key and error) pairs by exact error, ties by pixel, accumulating the loss and the gradient.
 */
function mergeLoss(
  sink: Sink,
  fg: PairBuffers,
  nf: number,
  bg: PairBuffers,
  total: number,
  nb: number,
  scale: number,
): number {
  const fk = fg.keys;
  const fv = fg.vals;
  const bk = bg.keys;
  const bv = bg.vals;
  if (sink.dense) return mergeLossDense(fk, fv, nf, bk, bv, total, nb, scale, sink.buf);
  let loss = 0;
  let i = 0;
  let j = total;
  const jEnd = total + nb;
  let fgSeen = 0;
  let bgSeen = 0;
  while (i < nf || j < jEnd) {
    let takeFg: boolean;
    if (i === nf) takeFg = false;
    else if (j === jEnd) takeFg = true;
    else {
      const c = compareErrors(fk[i], bk[j]);
      takeFg = c > 0 || (c === 0 && (fv[i] & PIXEL) < (bv[j] & PIXEL));
    }
    const union = total + bgSeen;
    if (takeFg) {
      const kf = fk[i];
      const v = fv[i];
      const d = 1 / union;
      loss += (1 - kf) * d;
      put(sink, v & PIXEL, kf === 1 ? 0 : v < 0 ? scale * d : -scale * d);
      fgSeen++;
      i++;
    } else {
      const kb = bk[j];
      const v = bv[j];
      const d = (total - fgSeen) / (union * (union + 1));
      loss += kb * d;
      put(sink, v & PIXEL, kb === 0 ? 0 : v < 0 ? -scale * d : scale * d);
      bgSeen++;
      j++;
    }
  }
  return loss;
}

/**
 * {@link mergeLoss} when the gradient goes to the dense per-pixel buffer (on the keys and
 * payloads of its two runs: fk, fv of the foreground, bk, bv of the background): the same
 * steps, in the same order, with the background pixels that precede each foreground pixel
 * emitted by a tight inner loop (background pixels far outnumber foreground ones).
 * "Precedes" is decided exactly as compareErrors does: with kf >= 0.5, 1 - kf is exact; below,
 * a background error can only exceed 1 - kf when kb >= 0.5, where 1 - kb is exact.
 */
function mergeLossDense(
  fk: Float32Array,
  fv: Int32Array,
  nf: number,
  bk: Float32Array,
  bv: Int32Array,
  total: number,
  nb: number,
  scale: number,
  out: Float32Array,
): number {
  let loss = 0;
  let j = total;
  const jEnd = total + nb;
  let bgSeen = 0;
  for (let i = 0; i <= nf; i++) {
    // The background pixels before foreground pixel i (all that remain after the last one).
    const last = i === nf;
    const kf = last ? 0 : fk[i];
    const qf = last ? 0 : fv[i] & PIXEL;
    const high = kf >= 0.5;
    const t = high ? 1 - kf : kf;
    const a = total - i; // foreground pixels still to come
    for (; j < jEnd; j++) {
      const kb = bk[j];
      if (!last) {
        // e_bg - e_fg, exactly: kb - (1 - kf), or kf - (1 - kb) when kf < 0.5.
        const diff = high ? kb - t : kb >= 0.5 ? t - (1 - kb) : -1;
        if (diff < 0 || (diff === 0 && (bv[j] & PIXEL) > qf)) break;
      }
      const v = bv[j];
      const union = total + bgSeen;
      const d = a / (union * (union + 1));
      loss += kb * d;
      out[v & PIXEL] = kb === 0 ? 0 : v < 0 ? -scale * d : scale * d;
      bgSeen++;
    }
    if (last) break;
    const v = fv[i];
    const d = 1 / (total + bgSeen);
    loss += (1 - kf) * d;
    out[v & PIXEL] = kf === 1 ? 0 : v < 0 ? scale * d : -scale * d;
  }
  return loss;
}

/**
 * A class with no valid pixel (under 'all' or an explicit list): G = 0, so the Jaccard loss
 * jumps from 0 to 1 at the first sorted pixel and stays there: the loss is the largest error,
 * and its gradient sits on the first pixel that reaches it. No sort needed.
 */
function absentClassLoss(task: ClassTask): number {
  const { probas, labels, geo, b0, b1, channel, ign, scale, grad } = task;
  const { channels: C, pixels: HW, nchw } = geo;
  const step = nchw ? 1 : C;
  let best = -1;
  let bestOff = -1;
  let bestP = 0;
  for (let b = b0; b < b1; b++) {
    const base = nchw ? (b * C + channel) * HW : b * HW * C + channel;
    const row = b * HW;
    for (let i = 0; i < HW; i++) {
      if (labels[row + i] === ign) continue;
      const off = base + i * step;
      const p = Math.fround(probas[off]);
      const e = Math.abs(p);
      if (e > best) {
        best = e;
        bestOff = off;
        bestP = p;
      }
    }
  }
  if (bestOff < 0) return 0;
  grad[bestOff] = bestP > 0 ? scale : bestP < 0 ? -scale : 0;
  return best;
}
