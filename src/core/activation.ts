import type { NumericArray } from './check.js';
import type { Geometry } from './geometry.js';

/**
 * The softmax and sigmoid that `fromLogits` fuses into the Lovász losses, forward into a
 * reusable float32 buffer (the probabilities a TensorFlow.js softmax would hand the loss) and
 * backward from d loss / d p to d loss / d logits. Sums in float64.
 */

let probs = new Float32Array(0);

/** A view of exactly n values (the buffer itself may be longer, from an earlier call). */
function reserve(n: number): Float32Array {
  if (probs.length < n) probs = new Float32Array(Math.max(n, Math.ceil(probs.length * 1.5)));
  return probs.subarray(0, n);
}

/**
 * Softmax over the channel axis, into a buffer valid until the next call (no allocation after
 * the first call of a size). One channel: the logistic sigmoid of each value.
 */
export function activate(logits: NumericArray, geo: Geometry): Float32Array {
  const n = logits.length;
  const p = reserve(n);
  const { batch, channels: C, pixels: hw, nchw } = geo;
  if (C === 1) {
    for (let i = 0; i < n; i++) p[i] = sigmoid(Math.fround(logits[i]));
    return p;
  }
  const step = nchw ? hw : 1;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < hw; i++) {
      const base = nchw ? b * C * hw + i : (b * hw + i) * C;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < C; c++) max = Math.max(max, Math.fround(logits[base + c * step]));
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(Math.fround(logits[base + c * step]) - max);
      for (let c = 0; c < C; c++) {
        p[base + c * step] = Math.exp(Math.fround(logits[base + c * step]) - max) / sum;
      }
    }
  }
  return p;
}

/** The logistic sigmoid, without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const t = Math.exp(x);
  return t / (1 + t);
}

/**
 * In place: d loss / d p (in `grad`) to d loss / d logits, given the probabilities p.
 * Softmax: dz_k = p_k (g_k - sum_j p_j g_j); sigmoid: dz = g p (1 - p).
 */
export function activationBackward(p: Float32Array, grad: Float32Array, geo: Geometry): void {
  const { batch, channels: C, pixels: hw, nchw } = geo;
  if (C === 1) {
    for (let i = 0; i < grad.length; i++) grad[i] = grad[i] * p[i] * (1 - p[i]);
    return;
  }
  const step = nchw ? hw : 1;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < hw; i++) {
      const base = nchw ? b * C * hw + i : (b * hw + i) * C;
      let dot = 0;
      for (let c = 0; c < C; c++) dot += p[base + c * step] * grad[base + c * step];
      for (let c = 0; c < C; c++) {
        const k = base + c * step;
        grad[k] = p[k] * (grad[k] - dot);
      }
    }
  }
}
