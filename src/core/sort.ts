/**
 * Descending argsort of float32 keys in linear time.
 *
 * An LSD radix sort over an order-preserving uint32 image of the float bits, three passes of
 * 11, 11 and 10 bits, the position as payload. LSD radix sort is stable, so equal keys keep
 * increasing positions: the order is deterministic and documented as
 *   "decreasing key, then increasing position".
 * Passes whose digit is the same for every key are skipped (errors in [0, 1] share their top
 * bits, so usually only two passes run). -0 sorts as +0 (they are equal numbers).
 *
 * The work buffers live at module level and only grow: after the first call of a given size,
 * sorting allocates nothing. The returned arrays are views into those buffers, valid until
 * the next call.
 */

/** Result of {@link sortDescending}: views valid until the next call. */
export interface SortedKeys {
  /** `order[r]` is the position (in the input) of the r-th largest key. */
  readonly order: Uint32Array;
  /** `keys[r]` is the r-th largest key (float32). */
  readonly keys: Float32Array;
}

let capacity = 0;
let keyA = new Uint32Array(0);
let keyB = new Uint32Array(0);
let posA = new Uint32Array(0);
let posB = new Uint32Array(0);
const counts = new Uint32Array(2048 * 3);

function reserve(n: number): void {
  if (n <= capacity) return;
  // Grow geometrically so a slowly increasing n does not reallocate every call.
  capacity = Math.max(n, Math.ceil(capacity * 1.5));
  keyA = new Uint32Array(capacity);
  keyB = new Uint32Array(capacity);
  posA = new Uint32Array(capacity);
  posB = new Uint32Array(capacity);
}

/** Bytes held by the sort buffers (for memory accounting in the benchmark). */
export function sortBufferBytes(): number {
  return capacity * 16;
}

/**
 * Sorts the first `n` values of `keys` in decreasing order (ties by increasing position).
 *
 * Shapes: keys [>= n] float32, finite or +-Infinity (NaN is not ordered: callers reject it).
 * @returns views `{ order, keys }` of length n, valid until the next call.
 * @example
 *   const { order } = sortDescending(new Float32Array([0.5, 2, 0.5, -1]), 4);
 *   // order = [1, 0, 2, 3]
 */
export function sortDescending(keys: Float32Array, n: number): SortedKeys {
  reserve(n);
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, n);
  let kIn = keyA;
  let pIn = posA;
  const c0 = 0;
  const c1 = 2048;
  const c2 = 4096;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    let u = bits[i];
    if (u === 0x80000000) u = 0; // -0 -> +0
    // Order-preserving map to uint32 (negative floats: flip all bits; positive: flip the sign),
    // then complement so that an ascending sort yields decreasing floats.
    const t = ~(u & 0x80000000 ? ~u : u | 0x80000000) >>> 0;
    kIn[i] = t;
    pIn[i] = i;
    counts[c0 + (t & 2047)]++;
    counts[c1 + ((t >>> 11) & 2047)]++;
    counts[c2 + (t >>> 22)]++;
  }
  let kOut = keyB;
  let pOut = posB;
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * 2048;
    const shift = pass * 11;
    // Exclusive prefix sums; a digit shared by all keys leaves the order unchanged.
    let sum = 0;
    let skip = false;
    for (let d = 0; d < 2048; d++) {
      const c = counts[base + d];
      if (c === n) skip = true;
      counts[base + d] = sum;
      sum += c;
    }
    if (skip) continue;
    for (let i = 0; i < n; i++) {
      const t = kIn[i];
      const slot = base + ((t >>> shift) & 2047);
      const dst = counts[slot]++;
      kOut[dst] = t;
      pOut[dst] = pIn[i];
    }
    const tk = kIn;
    kIn = kOut;
    kOut = tk;
    const tp = pIn;
    pIn = pOut;
    pOut = tp;
  }
  // Back from the sortable image to float bits, in place.
  for (let i = 0; i < n; i++) {
    const t = ~kIn[i] >>> 0;
    kIn[i] = t & 0x80000000 ? t ^ 0x80000000 : ~t >>> 0;
  }
  return {
    order: pIn.subarray(0, n),
    keys: new Float32Array(kIn.buffer, kIn.byteOffset, n),
  };
}
