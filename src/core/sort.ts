/**
 * Stable radix sort of float32 keys with a uint32 payload, in linear time.
 *
 * An LSD radix sort over an order-preserving uint32 image of the float bits: three passes of
 * 11, 11 and 10 bits. LSD radix sort is stable, so equal keys keep the order in which they were
 * written: callers write them by increasing pixel index, which makes "ties by increasing index"
 * the documented, deterministic tie rule. A pass whose digit is the same for every key is
 * skipped (errors in [0, 1] often share their top bits).
 *
 * The buffers live in a {@link SortWorkspace} and only grow: after the first call of a given size,
 * sorting allocates nothing. Callers fill segments of the primary buffers ({@link reservePairs})
 * and sort each segment in place ({@link sortPairsIn}); a sorted segment ends in either the
 * primary or the secondary buffers, and sorting one segment never touches another segment of
 * either. The hinge and {@link sortDescending} share one module-level workspace
 * ({@link pairBuffers}, {@link sortPairs}); the class kernel owns its own.
 */

/**
 * Float32 keys with a 32-bit payload; `keys` and `bits` view the same memory. Int32 views, not
 * Uint32: V8 keeps int32 values unboxed, while uint32 values >= 2^31 become doubles.
 */
export interface PairBuffers {
  readonly keys: Float32Array;
  readonly bits: Int32Array;
  readonly vals: Int32Array;
}

/** The buffers one sorter reuses from call to call; see {@link sortWorkspace}. */
export interface SortWorkspace {
  /** Pairs the buffers hold. */
  capacity: number;
  primary: PairBuffers;
  secondary: PairBuffers;
  /** Radix counters: 3 x 2048 (11-bit digits) and 2 x 32768 (15-bit digits). */
  readonly counts: Int32Array;
  readonly wideCounts: Int32Array;
}

/** A new, empty sort workspace (its buffers grow on first use). */
export function sortWorkspace(): SortWorkspace {
  return {
    capacity: 0,
    primary: makeBuffers(0),
    secondary: makeBuffers(0),
    counts: new Int32Array(2048 * 3),
    wideCounts: new Int32Array(32768 * 2),
  };
}

// The workspace of the hinge and sortDescending.
const shared = sortWorkspace();

function makeBuffers(n: number): PairBuffers {
  const bits = new Int32Array(n);
  return { keys: new Float32Array(bits.buffer), bits, vals: new Int32Array(n) };
}

/**
 * The primary buffers of `ws`, with room for at least `n` pairs. Write keys (never -0 or NaN:
 * callers map -0 to +0 and reject NaN) and payloads into a segment, then call
 * {@link sortPairsIn}.
 */
export function reservePairs(ws: SortWorkspace, n: number): PairBuffers {
  if (n > ws.capacity) {
    // Grow geometrically so a slowly increasing n does not reallocate every call.
    ws.capacity = Math.max(n, Math.ceil(ws.capacity * 1.5));
    ws.primary = makeBuffers(ws.capacity);
    ws.secondary = makeBuffers(ws.capacity);
  }
  return ws.primary;
}

/** {@link reservePairs} of the shared workspace (the hinge's). */
export function pairBuffers(n: number): PairBuffers {
  return reservePairs(shared, n);
}

/** Bytes held by the sort buffers of `ws` (default: the shared workspace). */
export function sortBufferBytes(ws: SortWorkspace = shared): number {
  return ws.capacity * 16;
}

/** {@link sortPairsIn} on the shared workspace (the hinge's). */
export function sortPairs(start: number, n: number, descending: boolean): PairBuffers {
  return sortPairsIn(shared, start, n, descending);
}

/**
 * Sorts the pairs [start, start + n) of the primary buffers of `ws` by key, increasing or
 * decreasing, stably. Returns the buffers (primary or secondary) that hold the sorted segment,
 * at the same positions.
 */
export function sortPairsIn(
  ws: SortWorkspace,
  start: number,
  n: number,
  descending: boolean,
): PairBuffers {
  const { primary, secondary, counts } = ws;
  const end = start + n;
  // Order-preserving image of the float bits u (as int32): negative floats flip all bits,
  // positive ones flip the sign bit; for a decreasing order, complement that.
  const flip = descending ? -1 : 0;
  counts.fill(0);
  const src0 = primary.bits;
  for (let i = start; i < end; i++) {
    const u = src0[i];
    const t = u ^ ((u >> 31) | 0x80000000) ^ flip;
    counts[t & 2047]++;
    counts[2048 + ((t >> 11) & 2047)]++;
    counts[4096 + ((t >> 22) & 1023)]++;
  }
  const passes: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * 2048;
    let sum = start;
    let spread = true;
    for (let d = 0; d < 2048; d++) {
      const c = counts[base + d];
      if (c === n) spread = false;
      counts[base + d] = sum;
      sum += c;
    }
    if (spread) passes.push(pass);
  }
  let src = primary;
  let dst = secondary;
  for (let k = 0; k < passes.length; k++) {
    const base = passes[k] * 2048;
    const shift = passes[k] * 11;
    const mask = passes[k] === 2 ? 1023 : 2047;
    const sb = src.bits;
    const sv = src.vals;
    const db = dst.bits;
    const dv = dst.vals;
    const first = k === 0;
    const last = k === passes.length - 1;
    // Four copies of one loop, so that no per-element test decides whether to map the keys in
    // (first pass) or back out (last pass).
    if (first && last) {
      for (let i = start; i < end; i++) {
        const u = sb[i];
        const t = u ^ ((u >> 31) | 0x80000000) ^ flip;
        const j = counts[base + ((t >> shift) & mask)]++;
        db[j] = u;
        dv[j] = sv[i];
      }
    } else if (first) {
      for (let i = start; i < end; i++) {
        const u = sb[i];
        const t = u ^ ((u >> 31) | 0x80000000) ^ flip;
        const j = counts[base + ((t >> shift) & mask)]++;
        db[j] = t;
        dv[j] = sv[i];
      }
    } else if (last) {
      for (let i = start; i < end; i++) {
        const t = sb[i];
        const j = counts[base + ((t >> shift) & mask)]++;
        const a = t ^ flip;
        db[j] = a ^ (~(a >> 31) | 0x80000000);
        dv[j] = sv[i];
      }
    } else {
      for (let i = start; i < end; i++) {
        const t = sb[i];
        const j = counts[base + ((t >> shift) & mask)]++;
        db[j] = t;
        dv[j] = sv[i];
      }
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  return src;
}

/**
 * {@link sortPairsIn} for keys mostly in [0, 2): their order-preserving images share the top two
 * bits, so two passes of 15 bits sort them instead of three of 11 (probabilities and errors in
 * [0, 1] are such keys); when some key is outside (their top bits differ) it sorts as
 * {@link sortPairsIn} does. Same result, same stability.
 */
export function sortUnitPairs(
  ws: SortWorkspace,
  start: number,
  n: number,
  descending: boolean,
): PairBuffers {
  // Small segments: the 2 x 32768 counters would cost more than the pass they save.
  if (n < 65536) return sortPairsIn(ws, start, n, descending);
  const { primary, secondary } = ws;
  const end = start + n;
  const flip = descending ? -1 : 0;
  const counts = ws.wideCounts;
  counts.fill(0);
  const src0 = primary.bits;
  let all = -1;
  let any = 0;
  for (let i = start; i < end; i++) {
    const u = src0[i];
    const t = u ^ ((u >> 31) | 0x80000000) ^ flip;
    counts[t & 32767]++;
    counts[32768 + ((t >> 15) & 32767)]++;
    all &= t;
    any |= t;
  }
  // A key outside [0, 2) (a foreground probability within the slack below 0) makes the top
  // two bits differ: the two passes would ignore them, the general sort does not.
  if ((all ^ any) >>> 30 !== 0) return sortPairsIn(ws, start, n, descending);
  for (let pass = 0; pass < 2; pass++) {
    const base = pass * 32768;
    let sum = start;
    for (let d = 0; d < 32768; d++) {
      const c = counts[base + d];
      counts[base + d] = sum;
      sum += c;
    }
  }
  const a = primary;
  const b = secondary;
  {
    const sb = a.bits;
    const sv = a.vals;
    const db = b.bits;
    const dv = b.vals;
    for (let i = start; i < end; i++) {
      const u = sb[i];
      const t = u ^ ((u >> 31) | 0x80000000) ^ flip;
      const j = counts[t & 32767]++;
      db[j] = t;
      dv[j] = sv[i];
    }
  }
  {
    const sb = b.bits;
    const sv = b.vals;
    const db = a.bits;
    const dv = a.vals;
    for (let i = start; i < end; i++) {
      const t = sb[i];
      const j = counts[32768 + ((t >> 15) & 32767)]++;
      const x = t ^ flip;
      db[j] = x ^ (~(x >> 31) | 0x80000000);
      dv[j] = sv[i];
    }
  }
  return a;
}

/**
 * Result of {@link sortDescending}: views of the sort's buffers, valid until the next sort
 * (any loss call sorts too); copy them (`Array.from`, `slice`) to keep them.
 *
 * @example
 * ```ts
 * const { order, keys } = sortDescending(Float32Array.from([0.2, 0.9, 0.5]));
 * // order [1, 2, 0], keys [0.9, 0.5, 0.2] (as float32)
 * ```
 */
export interface SortedKeys {
  /** `order[r]` is the position (in the input) of the r-th largest key. */
  readonly order: Uint32Array;
  /** `keys[r]` is the r-th largest key (float32). */
  readonly keys: Float32Array;
}

/**
 * Descending argsort of the first `n` float32 keys: decreasing key, ties by increasing position
 * (-0 and +0 are equal). Linear time; after the first call of a size, allocates only the two
 * returned views.
 *
 * Shapes: keys [>= n], not NaN. Returns views of length n, valid until the next sort.
 * @throws RangeError on NaN keys or n outside [0, keys.length].
 * @example
 * ```ts
 * sortDescending(new Float32Array([0.5, 2, 0.5, -1]), 4).order // Uint32Array [1, 0, 2, 3]
 * ```
 */
export function sortDescending(keys: Float32Array, n: number = keys.length): SortedKeys {
  if (!(keys instanceof Float32Array)) {
    throw new TypeError(`sortDescending: 'keys' must be a Float32Array, got ${typeof keys}`);
  }
  if (!Number.isSafeInteger(n) || n < 0 || n > keys.length) {
    throw new RangeError(`sortDescending: 'n' must be an integer in [0, ${keys.length}], got ${n}`);
  }
  const buf = pairBuffers(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (Number.isNaN(k)) {
      throw new RangeError(`sortDescending: 'keys' must not be NaN, got NaN at index ${i}`);
    }
    buf.keys[i] = k + 0; // -0 + 0 is +0
    buf.vals[i] = i;
  }
  const out = sortPairs(0, n, true);
  return { order: new Uint32Array(out.vals.buffer, 0, n), keys: out.keys.subarray(0, n) };
}
