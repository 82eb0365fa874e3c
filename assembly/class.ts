// The per-class kernel of the Lovász-Softmax, -Sigmoid and multilabel losses in
// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` into
// src/core/class-wasm-binary.ts (which ships; this file does not).
//
// The arithmetic is exactly that of src/core/class-loss.ts (gatherClass, cutBackground,
// cutForeground, foregroundOnlyLoss, mergeLossDense, absentClassLoss) and of the stable radix
// order of src/core/sort.ts: the same float32 keys, the same stable order (ties by pixel), the
// same float64 operations in the same order. Both kernels return the same bits, which
// test/core/class-wasm.test.ts checks.
//
// The caller (src/core/class-wasm.ts) loads each group of pixels (an image, or the batch) once:
// channels last, chunk by chunk through transpose(), into one plane per channel; channels
// first, as it is. Then run() computes one class from its plane: a class reads contiguous
// values, never a strided column. Its gradient overwrites its plane (the probabilities are in
// the gathered pairs by then), so the planes hold the input, then the gradient, of the call.
//
// Memory, laid out by the caller (addresses 16-byte aligned, each region followed by 64 bytes
// of slack: run() reads whole vectors past the end of a plane and ignores the extra lanes, and
// writes up to four pairs past the last it keeps):
//   staged   f32 values of one chunk
//   counts   COUNTS_BYTES of radix counters
//   planes   f32, the call's values (then gradient), one plane per channel or as the input
//   labels   i32 labels of a group (per pixel, or in the layout of the planes)
//   pairs    a group's (key, pixel) pairs, 8 bytes each: the foreground, then the background
//   spare    as many pairs: the sort's second buffer (where the split's buckets are filled)
//   sink     f32 per pixel of a group, when its plane is not contiguous (channels first)

const SIGN: i32 = 0x80000000;
const PIXEL: i32 = 0x7fffffff;
const DIGITS: i32 = 1024;
const MASK: i32 = DIGITS - 1;
const PASSES: i32 = 4; // 10, 10, 10 and 2 bits
const BIG: i32 = 65536; // pairs from which sortPairs splits by the top bits first
// sortPairs splits by bits 19-29 of the key images (2048 buckets), so that a bucket and its
// second buffer stay in a 512 kB cache, then sorts each by bits 0-9 and 10-18. The split runs
// four streams (the quarters of the pairs, each with its own counters) interleaved, so that
// consecutive counter updates never wait on each other (about a tenth off a confident model's
// case).
const TOPS: i32 = 2048;
const TOP_SHIFT: i32 = 19;
const STREAMS: i32 = 4;
// The counters (sortUnit: 4 x 1024 at 0; sortPairs: 4 x 2048 bucket ends, 2049 bucket starts,
// 1024 + 512 in-bucket), then four histograms of the keys' top digits (one per stream; run()
// fills the first with those of the background keys while gathering them, in pixel order).
const STARTS: usize = STREAMS * TOPS * 4;
const LO: usize = STARTS + (TOPS + 4) * 4;
const MID: usize = LO + DIGITS * 4;
const HIST: usize = MID + (DIGITS / 2) * 4;
const COUNTS_BYTES: i32 = <i32>HIST + STREAMS * TOPS * 4;
const LANES: v128 = i32x4(0, 1, 2, 3);

let invalid: i32 = 0;
// Whether the previous class kept BIG or more background pairs (see run()). It carries over
// from one call to the next (a training step's first class is like its previous step's last),
// and only decides the time: both ways give the same bits.
let manyBefore: bool = false;

/** Bytes of radix counters. */
export function countsBytes(): i32 {
  return COUNTS_BYTES;
}

/** Forgets a bad value seen by an earlier call. */
export function reset(): void {
  invalid = 0;
}

/** 1 when a value checked so far was outside [lo, hi] or NaN. */
export function bad(): i32 {
  return invalid;
}

/**
 * Flags (see bad()) any of the n float32 values at `at` outside [lo, hi] or NaN; lo and hi
 * are the float32 bounds equivalent to the float64 slack bounds of checkProbabilities.
 */
export function check(at: usize, n: i32, lo: f32, hi: f32): void {
  const lo4 = f32x4.splat(lo);
  const hi4 = f32x4.splat(hi);
  let ok4 = i32x4.splat(-1);
  let i = 0;
  for (const stop = n & ~3; i < stop; i += 4) {
    const x = v128.load(at + ((<usize>i) << 2));
    ok4 = v128.and(ok4, v128.and(f32x4.ge(x, lo4), f32x4.le(x, hi4)));
  }
  let ok: i32 = i32(i32x4.all_true(ok4));
  for (; i < n; i++) {
    const x = load<f32>(at + ((<usize>i) << 2));
    ok &= i32(x >= lo && x <= hi);
  }
  invalid |= ok ^ 1;
}

/**
 * Transposes n rows of m 32-bit values (row r at src + 4 r sstride) into m rows of n (row c at
 * dst + 4 c dstride): channels last to one plane per channel (rows: pixels, m: channels), and
 * back (rows: planes). Blocks of 4 x 4 move as four vectors, transposed by shuffles. With
 * `checking`, the values are float32 and checked as check() does (one pass fewer over them).
 */
export function transpose(
  src: usize,
  n: i32,
  m: i32,
  sstride: i32,
  dst: usize,
  dstride: i32,
  checking: bool,
  lo: f32,
  hi: f32,
): void {
  const lo4 = f32x4.splat(lo);
  const hi4 = f32x4.splat(hi);
  let ok4 = i32x4.splat(-1);
  let ok: i32 = 1;
  const ss = (<usize>sstride) << 2;
  const ds = (<usize>dstride) << 2;
  const n4 = n & ~3;
  const m4 = m & ~3;
  for (let r = 0; r < n4; r += 4) {
    const s0 = src + (<usize>r) * ss;
    const d0 = dst + ((<usize>r) << 2);
    for (let c = 0; c < m4; c += 4) {
      const s = s0 + ((<usize>c) << 2);
      const r0 = v128.load(s);
      const r1 = v128.load(s + ss);
      const r2 = v128.load(s + 2 * ss);
      const r3 = v128.load(s + 3 * ss);
      if (checking) {
        const a = v128.and(v128.and(f32x4.ge(r0, lo4), f32x4.le(r0, hi4)), f32x4.ge(r1, lo4));
        const b = v128.and(v128.and(f32x4.le(r1, hi4), f32x4.ge(r2, lo4)), f32x4.le(r2, hi4));
        const c = v128.and(f32x4.ge(r3, lo4), f32x4.le(r3, hi4));
        ok4 = v128.and(ok4, v128.and(v128.and(a, b), c));
      }
      const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
      const d = d0 + (<usize>c) * ds;
      v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
      v128.store(d + ds, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * ds, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * ds, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
    }
  }
  // The rest, one value at a time: columns m4 to m of the first n4 rows, then the last rows.
  for (let r = 0; r < n; r++) {
    for (let c = r < n4 ? m4 : 0; c < m; c++) {
      ok &= move(src + (<usize>r) * ss + ((<usize>c) << 2), dst + (<usize>c) * ds + ((<usize>r) << 2), lo, hi);
    }
  }
  if (checking) invalid |= (ok & i32(i32x4.all_true(ok4))) ^ 1;
}

/** Copies the 32-bit value at `from` to `to`; 1 when, read as a float32, it is in [lo, hi]. */
function move(from: usize, to: usize, lo: f32, hi: f32): i32 {
  const u = load<i32>(from);
  store<i32>(to, u);
  const x = reinterpret<f32>(u);
  return i32(x >= lo && x <= hi);
}

/**
 * The loss of one class over a group of nb images of hw pixels, with `scale` times its
 * gradient written over its plane.
 *
 * The class's probabilities: hw float32 per image b at plane + 4 b pstride; its labels: hw
 * int32 per image at labels + 4 b lstride (foreground: `cls`; void: `ign`). `total`: the
 * foreground pixels (G). Pairs go to `pairs` (the foreground from 0, the background from
 * total), the sort's second buffer is `spare`, its counters `counts`. `sink`: where the
 * gradient is written by pixel of the group before it goes to the plane (the plane itself when
 * the group's plane is contiguous: pstride = hw or nb = 1).
 *
 * Two passes read the plane. The first gathers the foreground pairs and their largest key, which
 * gives the bound of cut 1 (class-loss.ts, cutBackground) exactly: a background key kb is kept
 * iff kb >= 1 - kfMax, and 1 - kfMax rounded up to float32 decides that in float32. When the
 * previous class kept many background pairs, it also counts the top digits of every valid
 * background key. From those counts, the background keys that can pass cut 1 are known; when
 * they are many (BIG), the second pass writes each kept background pair straight into its
 * bucket of the sort's split (no pair array to write and read back), in pixel order. Otherwise
 * it gathers the kept background pairs after the foreground's for the sort. Either way it takes
 * their smallest key (cut 2's bound). Both ways give the same order, so the guess only decides
 * the time.
 */
export function run(
  plane: usize,
  pstride: i32,
  labels: usize,
  lstride: i32,
  hw: i32,
  nb: i32,
  cls: i32,
  ign: i32,
  total: i32,
  scale: f64,
  pairs: usize,
  spare: usize,
  counts: usize,
  sink: usize,
): f64 {
  const hist = counts + HIST;
  const cls4 = i32x4.splat(cls);
  const ign4 = i32x4.splat(ign);
  const zero4 = f32x4.splat(0);
  const sign4 = i32x4.splat(SIGN);
  const hw4 = i32x4.splat(hw);
  // Pass 1: the foreground pairs, in pixel order, and the largest foreground key; and, when the
  // previous class kept many background pairs (so this one likely will; counting for every
  // class made the uniform case, where cut 1 drops nearly every pixel, 20% slower), the
  // histogram of the background keys' top digits (every valid background pixel, before cut 1),
  // as the first of the split's four streams (the others stay empty: pass 2 writes the pairs in
  // pixel order, one stream).
  const counting = manyBefore;
  if (counting) memory.fill(hist, 0, STREAMS * TOPS * 4);
  let at = pairs;
  let max4 = f32x4.splat(-1);
  for (let b = 0; b < nb; b++) {
    const pa = plane + ((<usize>(b * pstride)) << 2);
    const la = labels + ((<usize>(b * lstride)) << 2);
    const q0 = b * hw;
    const row = i32x4.splat(q0);
    for (let i = 0; i < hw; i += 4) {
      const lane = i32x4.add(LANES, i32x4.splat(i));
      const y = v128.load(la + ((<usize>i) << 2));
      const inside = i32x4.lt_s(lane, hw4);
      if (counting) {
        const p = v128.load(pa + ((<usize>i) << 2));
        const other = v128.or(i32x4.eq(y, cls4), i32x4.eq(y, ign4));
        const mb = i32x4.bitmask(v128.andnot(inside, other));
        const d = v128.and(i32x4.shr_u(f32x4.abs(p), TOP_SHIFT), i32x4.splat(TOPS - 1));
        count(hist, i32x4.extract_lane(d, 0), mb & 1);
        count(hist, i32x4.extract_lane(d, 1), (mb >> 1) & 1);
        count(hist, i32x4.extract_lane(d, 2), (mb >> 2) & 1);
        count(hist, i32x4.extract_lane(d, 3), mb >> 3);
      }
      // (A class whose label is the ignore label has total 0: what this pass gathers for it
      // is never read.)
      const fg = v128.and(i32x4.eq(y, cls4), inside);
      const m = i32x4.bitmask(fg);
      if (m == 0) continue;
      const p = v128.load(pa + ((<usize>i) << 2));
      // Above 1 (within the slack) the key is 2 - p, and the payload's top bit says so.
      const over = f32x4.gt(p, f32x4.splat(1));
      const k = v128.bitselect(f32x4.sub(f32x4.splat(2), p), f32x4.add(p, zero4), over);
      // pmax (one instruction; no NaN here: those are checked) rather than max.
      max4 = f32x4.pmax(max4, v128.bitselect(k, f32x4.splat(-1), fg));
      const v = v128.or(i32x4.add(lane, row), v128.and(over, sign4));
      at = put4(at, i32x4.shuffle(k, v, 0, 4, 1, 5), i32x4.shuffle(k, v, 2, 6, 3, 7), m);
    }
  }
  const kfMax = <f64>max(
    max(f32x4.extract_lane(max4, 0), f32x4.extract_lane(max4, 1)),
    max(f32x4.extract_lane(max4, 2), f32x4.extract_lane(max4, 3)),
  );
  // Cut 1's bound, the smallest float32 >= 1 - kfMax (keep every valid pixel without foreground).
  const x = 1 - kfMax;
  let t = <f32>x;
  if (<f64>t < x) t = reinterpret<f32>(reinterpret<i32>(t) + 1);
  const bound = f32x4.splat(total == 0 ? 0 : t);
  // The background keys that can pass cut 1: those whose top digit reaches the bound's.
  const rb = total == 0 ? 0 : (reinterpret<i32>(t) >>> TOP_SHIFT) & (TOPS - 1);
  let candidates = 0;
  for (let r = rb; counting && r < TOPS; r++) candidates += load<i32>(hist + ((<usize>r) << 2));
  let min4 = f32x4.splat(2);
  let kept = 0;
  let bk: usize = 0;
  if (total > 0 && candidates >= BIG) {
    // Pass 2, many pairs: the background pairs that pass cut 1 go straight to their buckets
    // of the sort's split (pairs in `spare`, as images), laid out from the histograms.
    layout(hist, counts, total, true, rb);
    // Beyond the L2 cache, zeroing the buckets' room first brings its lines in with one
    // sequential pass, and the scattered stores then miss far less (0.93-0.98x on a confident
    // model's case at 10x20x300x300); within it, zeroing only costs (1.02x at 8x21x128x128).
    if (candidates >= 1 << 18) {
      memory.fill(spare + ((<usize>total) << 3), 0, (<usize>candidates) << 3);
    }
    const trash = pairs + ((<usize>total) << 3);
    for (let b = 0; b < nb; b++) {
      const pa = plane + ((<usize>(b * pstride)) << 2);
      const la = labels + ((<usize>(b * lstride)) << 2);
      const q0 = b * hw;
      for (let i = 0; i < hw; i += 4) {
        min4 = scatter4(pa, la, i, q0, hw4, cls4, ign4, bound, counts, spare, trash, min4);
      }
    }
    // One stream wrote them, so the kept pairs end where the last bucket's did (that of rb,
    // laid out for all its keys, not only those that passed cut 1): its end and those after.
    const last = TOPS - 1 - rb;
    const end = load<i32>(counts + ((<usize>last) << 2));
    for (let e = last + 1; e <= TOPS; e++) store<i32>(counts + STARTS + ((<usize>e) << 2), end);
    kept = end - total;
    sortBuckets(pairs, spare, counts, total);
    bk = spare;
  } else {
    // Pass 2, few pairs: the background pairs that pass cut 1 after the foreground's.
    at = pairs + ((<usize>total) << 3);
    const first = at;
    for (let b = 0; b < nb; b++) {
      const pa = plane + ((<usize>(b * pstride)) << 2);
      const la = labels + ((<usize>(b * lstride)) << 2);
      const row = i32x4.splat(b * hw);
      for (let i = 0; i < hw; i += 4) {
        const lane = i32x4.add(LANES, i32x4.splat(i));
        const p = v128.load(pa + ((<usize>i) << 2));
        const k = f32x4.abs(p);
        const keep = keptLanes(v128.load(la + ((<usize>i) << 2)), k, lane, cls4, ign4, bound, hw4);
        const m = i32x4.bitmask(keep);
        if (m == 0) continue;
        min4 = f32x4.pmin(min4, v128.bitselect(k, f32x4.splat(2), keep));
        const v = v128.or(i32x4.add(lane, row), v128.and(f32x4.lt(p, zero4), sign4));
        at = put4(at, i32x4.shuffle(k, v, 0, 4, 1, 5), i32x4.shuffle(k, v, 2, 6, 3, 7), m);
      }
    }
    kept = <i32>((at - first) >> 3);
  }
  manyBefore = kept >= BIG;
  const kbMin = <f64>min(
    min(f32x4.extract_lane(min4, 0), f32x4.extract_lane(min4, 1)),
    min(f32x4.extract_lane(min4, 2), f32x4.extract_lane(min4, 3)),
  );
  const pixels = nb * hw;
  memory.fill(sink, 0, (<usize>pixels) << 2);
  const loss =
    total == 0
      ? absentLoss(pairs, kept, scale, sink)
      : classLoss(pairs, total, kept, kbMin, scale, sink, spare, counts, bk);
  if (sink != plane) {
    for (let b = 0; b < nb; b++) {
      memory.copy(
        plane + ((<usize>(b * pstride)) << 2),
        sink + ((<usize>(b * hw)) << 2),
        (<usize>hw) << 2,
      );
    }
  }
  return loss;
}

/** Stores the pairs of the lanes set in m (lo: lanes 0 and 1, hi: 2 and 3) from `at` on. */
// @ts-ignore: decorator
@inline
function put4(at: usize, lo: v128, hi: v128, m: i32): usize {
  v128.store_lane<i64>(at, lo, 0);
  at += (<usize>(m & 1)) << 3;
  v128.store_lane<i64>(at, lo, 1);
  at += (<usize>((m >> 1) & 1)) << 3;
  v128.store_lane<i64>(at, hi, 0);
  at += (<usize>((m >> 2) & 1)) << 3;
  v128.store_lane<i64>(at, hi, 1);
  return at + ((<usize>(m >> 3)) << 3);
}

// @ts-ignore: decorator
@inline
function count(hist: usize, d: i32, n: i32): void {
  const at = hist + ((<usize>d) << 2);
  store<i32>(at, load<i32>(at) + n);
}

/** The sign of e_fg - e_bg, exactly (see compareErrors in class-loss.ts). */
// @ts-ignore: decorator
@inline
function compareErrors(kf: f64, kb: f64): f64 {
  if (kf >= 0.5) return 1 - kf - kb;
  if (kb >= 0.5) return 1 - kb - kf;
  return 1;
}

/**
 * The loss of a class with foreground (classLoss in class-loss.ts, dense sink), after cut 1:
 * the `total` foreground pairs at 0, the `kept` background pairs at total, kbMin the smallest
 * kept background key; `sorted`: where the background pairs are already sorted (0: at keys,
 * to sort).
 */
function classLoss(
  keys: usize,
  total: i32,
  kept: i32,
  kbMin: f64,
  scale: f64,
  sink: usize,
  spare: usize,
  counts: usize,
  sorted: usize,
): f64 {
  const vals = keys + 4;
  const dLast = 1 / <f64>(total + kept);
  const g = scale * dLast;
  // Cut 2 (with no background left every foreground pixel has d = 1 / G: all are cut): the
  // foreground pairs whose error reaches the smallest kept background error are kept; the
  // others take d = dLast.
  let cut: f64 = 0;
  let nf = 0;
  for (let i = 0; i < total; i++) {
    const at = (<usize>i) << 3;
    const kf = <f64>load<f32>(keys + at);
    const v = load<i32>(vals + at);
    if (kept > 0 && compareErrors(kf, kbMin) >= 0) {
      store<i64>(keys + ((<usize>nf) << 3), load<i64>(keys + at));
      nf++;
    } else {
      cut += 1 - kf;
      put(sink, v, kf == 1 ? 0 : v < 0 ? g : -g);
    }
  }
  const cutLoss = cut * dLast;
  if (kept == 0) return cutLoss;
  // The background (unless run() sorted it already) first: the foreground's sort may count
  // over its counters.
  const bk = sorted != 0 ? sorted : sortPairs(keys, spare, total, kept, true, counts);
  const fk = sortPairs(keys, spare, 0, nf, false, counts);
  return cutLoss + merge(fk, nf, bk + ((<usize>total) << 3), total, kept, scale, sink);
}

// @ts-ignore: decorator
@inline
function put(sink: usize, v: i32, value: f64): void {
  store<f32>(sink + ((<usize>(v & PIXEL)) << 2), <f32>value);
}

/**
 * mergeLossDense of class-loss.ts: the sorted foreground pairs [0, nf) at fk (increasing key,
 * decreasing error) and the nb background pairs at bk (decreasing key and error), keys as the
 * sorts leave them (images: ascendingKey, descendingKey), merged by
 * exact error, ties by pixel. The run of background pixels before each foreground one is found
 * first (four keys at a time while they are clearly above its error), then emitted four at a
 * time: their divisions, products and gradients in vectors, their loss terms still added one by
 * one, in order.
 */
function merge(fk: usize, nf: i32, bk: usize, total: i32, nb: i32, scale: f64, sink: usize): f64 {
  let loss: f64 = 0;
  let j = 0; // background pixels emitted so far
  const sc = f64x2.splat(scale);
  const one = f64x2.splat(1);
  const sign4 = i32x4.splat(SIGN);
  const pixel4 = i32x4.splat(PIXEL);
  for (let i = 0; i <= nf; i++) {
    const last = i == nf;
    const kf: f64 = last ? 0 : <f64>ascendingKey(load<i32>(fk + ((<usize>i) << 3)));
    const qf = last ? 0 : load<i32>(fk + 4 + ((<usize>i) << 3)) & PIXEL;
    const high = kf >= 0.5;
    const t = high ? 1 - kf : kf;
    // The background pixels whose error exceeds e_fg = 1 - kf, or ties it at a lower pixel.
    // A key at or above `clear` (two float32 steps above 1 - kf) certainly does.
    let e = j;
    if (last) e = nb;
    else {
      // (On images: a key in [0, 2) reaches `clear` iff its image is at most clear's.)
      const clear = i32x4.splat((reinterpret<i32>(<f32>(1 - kf)) + 2) ^ PIXEL);
      for (; e + 4 <= nb; e += 4) {
        const at = bk + ((<usize>e) << 3);
        const k = i32x4.shuffle(v128.load(at), v128.load(at, 16), 0, 2, 4, 6);
        if (!i32x4.all_true(i32x4.le_s(k, clear))) break;
      }
      for (; e < nb; e++) {
        const at = (<usize>e) << 3;
        const kb = <f64>descendingKey(load<i32>(bk + at));
        const diff = high ? kb - t : kb >= 0.5 ? t - (1 - kb) : -1;
        if (diff < 0 || (diff == 0 && (load<i32>(bk + at + 4) & PIXEL) > qf)) break;
      }
    }
    const a = f64x2.splat(<f64>(total - i));
    // The unions total + j of the next four pixels (integers: adding 4 is exact).
    let u01 = f64x2.add(f64x2.splat(<f64>(total + j)), f64x2(0, 1));
    for (; j + 4 <= e; j += 4) {
      const at = bk + ((<usize>j) << 3);
      const w0 = v128.load(at);
      const w1 = v128.load(at, 16);
      const k = v128.xor(i32x4.shuffle(w0, w1, 0, 2, 4, 6), pixel4);
      const v = i32x4.shuffle(w0, w1, 1, 3, 5, 7);
      const k01 = f64x2.promote_low_f32x4(k);
      const k23 = f64x2.promote_low_f32x4(i32x4.shuffle(k, k, 2, 3, 0, 1));
      const u23 = f64x2.add(u01, f64x2.splat(2));
      const d01 = f64x2.div(a, f64x2.mul(u01, f64x2.add(u01, one)));
      const d23 = f64x2.div(a, f64x2.mul(u23, f64x2.add(u23, one)));
      u01 = f64x2.add(u01, f64x2.splat(4));
      const x01 = f64x2.mul(k01, d01);
      const x23 = f64x2.mul(k23, d23);
      loss += f64x2.extract_lane(x01, 0);
      loss += f64x2.extract_lane(x01, 1);
      loss += f64x2.extract_lane(x23, 0);
      loss += f64x2.extract_lane(x23, 1);
      // scale d as float32, negated where p < 0 (the payload's top bit), 0 where p = 0.
      let g = i32x4.shuffle(
        f32x4.demote_f64x2_zero(f64x2.mul(sc, d01)),
        f32x4.demote_f64x2_zero(f64x2.mul(sc, d23)),
        0,
        1,
        4,
        5,
      );
      g = v128.andnot(v128.xor(g, v128.and(v, sign4)), f32x4.eq(k, f32x4.splat(0)));
      const q = i32x4.shl(v128.and(v, pixel4), 2);
      store<i32>(sink + <usize>i32x4.extract_lane(q, 0), i32x4.extract_lane(g, 0));
      store<i32>(sink + <usize>i32x4.extract_lane(q, 1), i32x4.extract_lane(g, 1));
      store<i32>(sink + <usize>i32x4.extract_lane(q, 2), i32x4.extract_lane(g, 2));
      store<i32>(sink + <usize>i32x4.extract_lane(q, 3), i32x4.extract_lane(g, 3));
    }
    for (; j < e; j++) {
      const kb = <f64>descendingKey(load<i32>(bk + ((<usize>j) << 3)));
      const union = <f64>(total + j);
      const d = f64x2.extract_lane(a, 0) / (union * (union + 1));
      loss += kb * d;
      const v = load<i32>(bk + 4 + ((<usize>j) << 3));
      put(sink, v, kb == 0 ? 0 : v < 0 ? -scale * d : scale * d);
    }
    if (last) break;
    const v = load<i32>(fk + 4 + ((<usize>i) << 3));
    const d = 1 / <f64>(total + j);
    loss += (1 - kf) * d;
    put(sink, v, kf == 1 ? 0 : v < 0 ? scale * d : -scale * d);
  }
  return loss;
}

/** The key of an image of an ascending sort (see sortUnit). */
// @ts-ignore: decorator
@inline
function ascendingKey(t: i32): f32 {
  return reinterpret<f32>(t ^ (~(t >> 31) | SIGN));
}

/** The key of an image of a descending sort of keys in [0, 2) (see sortUnit). */
// @ts-ignore: decorator
@inline
function descendingKey(t: i32): f32 {
  return reinterpret<f32>(t ^ PIXEL);
}

/**
 * absentClassLoss of class-loss.ts: with no foreground the loss is the largest error |p|, and
 * its gradient sits on the first pixel that reaches it. The valid pixels are the `valid`
 * pairs at `keys`, in pixel order, keyed by |p| (payload top bit: p < 0).
 */
function absentLoss(keys: usize, valid: i32, scale: f64, sink: usize): f64 {
  let best: f64 = -1;
  let at: i32 = -1;
  for (let j = 0; j < valid; j++) {
    const e = <f64>load<f32>(keys + ((<usize>j) << 3));
    if (e > best) {
      best = e;
      at = j;
    }
  }
  if (at < 0) return 0;
  const v = load<i32>(keys + 4 + ((<usize>at) << 3));
  put(sink, v, best == 0 ? 0 : v < 0 ? -scale : scale);
  return best;
}

/**
 * Sorts the pairs [start, start + n) at `pairs` stably by key (see sortUnit); returns the
 * address (pairs or pairs2) of the sorted pairs, keys as images (see sortUnit). Large segments
 * are first split by bits 19-29 of their key images (one pass over memory), then each bucket,
 * small enough to stay in cache, is sorted by the low 19 bits in two passes: fewer passes over
 * memory than three LSD passes.
 * Both give the one stable order.
 */
function sortPairs(
  pairs: usize,
  pairs2: usize,
  start: i32,
  n: i32,
  descending: bool,
  counts: usize,
): usize {
  if (n < BIG) return sortUnit(pairs, pairs2, start, n, descending, counts);
  const flip: i32 = descending ? -1 : 0;
  const s = (<usize>start) << 3;
  const end = s + ((<usize>n) << 3);
  // Four quarters by position, counted by the digits of the keys' bits.
  const hist = counts + HIST;
  memory.fill(hist, 0, STREAMS * TOPS * 4);
  const quarter = (<usize>((n + 3) >> 2)) << 3;
  let all: i32 = -1;
  let any: i32 = 0;
  let h = hist;
  for (let q = s; q < end; q += quarter, h += TOPS * 4) {
    const stop = min(q + quarter, end);
    for (let at = q; at < stop; at += 8) {
      const u = load<i32>(pairs + at);
      const t = u ^ ((u >> 31) | SIGN) ^ flip;
      all &= t;
      any |= t;
      add(h + ((<usize>((u >>> TOP_SHIFT) & (TOPS - 1))) << 2));
    }
  }
  // Keys whose top two bits differ (a negative key): the general LSD sort.
  if ((all ^ any) >>> 30 != 0) return sortUnit(pairs, pairs2, start, n, descending, counts);
  layout(hist, counts, start, descending, 0);
  if (n >= 1 << 18) memory.fill(pairs2 + s, 0, (<usize>n) << 3); // (see sortUnit)
  let p1: i32 = 0;
  let p2: i32 = 0;
  let p3: i32 = 0;
  for (let d: usize = 0; d < <usize>TOPS * 4; d += 4) {
    p1 += load<i32>(hist + d);
    p2 += load<i32>(hist + d) + load<i32>(hist + TOPS * 4 + d);
    p3 += load<i32>(hist + d) + load<i32>(hist + TOPS * 4 + d) + load<i32>(hist + TOPS * 8 + d);
  }
  let a0 = s;
  let a1 = s + ((<usize>p1) << 3);
  let a2 = s + ((<usize>p2) << 3);
  let a3 = s + ((<usize>p3) << 3);
  const e0 = a1;
  const e1 = a2;
  const e2 = a3;
  const t1 = counts + TOPS * 4;
  const t2 = counts + TOPS * 8;
  const t3 = counts + TOPS * 12;
  for (; a0 + 8 < e0 && a1 + 8 < e1 && a2 + 8 < e2 && a3 + 8 < end; ) {
    split(pairs + a0, pairs2, counts, flip);
    split(pairs + a1, pairs2, t1, flip);
    split(pairs + a2, pairs2, t2, flip);
    split(pairs + a3, pairs2, t3, flip);
    split(pairs + a0 + 8, pairs2, counts, flip);
    split(pairs + a1 + 8, pairs2, t1, flip);
    split(pairs + a2 + 8, pairs2, t2, flip);
    split(pairs + a3 + 8, pairs2, t3, flip);
    a0 += 16;
    a1 += 16;
    a2 += 16;
    a3 += 16;
  }
  for (; a0 < e0; a0 += 8) split(pairs + a0, pairs2, counts, flip);
  for (; a1 < e1; a1 += 8) split(pairs + a1, pairs2, t1, flip);
  for (; a2 < e2; a2 += 8) split(pairs + a2, pairs2, t2, flip);
  for (; a3 < end; a3 += 8) split(pairs + a3, pairs2, t3, flip);
  sortBuckets(pairs, pairs2, counts, start);
  return pairs2;
}

/**
 * The split's layout: bucket d's start (buckets in image order: descending, the digits of the
 * keys' bits 19-29 reversed) and, per stream k, where its part of bucket d starts (after those of
 * streams 0 to k - 1), from the four streams' counts of the keys' digits in `hist`; digits
 * below `rb` get no room.
 */
function layout(hist: usize, counts: usize, start: i32, descending: bool, rb: i32): void {
  const starts = counts + STARTS;
  let sum = start;
  for (let d = 0; d < TOPS; d++) {
    const r = descending ? TOPS - 1 - d : d;
    const raw = (<usize>r) << 2;
    store<i32>(starts + ((<usize>d) << 2), sum);
    for (let k: usize = 0; k < <usize>STREAMS; k++) {
      store<i32>(counts + k * TOPS * 4 + ((<usize>d) << 2), sum);
      if (r >= rb) sum += load<i32>(hist + k * TOPS * 4 + raw);
    }
  }
  store<i32>(starts + (<usize>TOPS << 2), sum);
}

/**
 * Pass 2's step for the four pixels [i, i + 4) of an image (first pixel q0 of the group): those
 * of the background that pass cut 1 (key >= bound) go to their buckets through the bucket
 * counters `h`; returns `min4` lowered by their keys.
 */
// @ts-ignore: decorator
@inline
function scatter4(
  pa: usize,
  la: usize,
  i: i32,
  q0: i32,
  hw4: v128,
  cls4: v128,
  ign4: v128,
  bound: v128,
  h: usize,
  pairs2: usize,
  trash: usize,
  min4: v128,
): v128 {
  const lane = i32x4.add(LANES, i32x4.splat(i));
  const p = v128.load(pa + ((<usize>i) << 2));
  const k = f32x4.abs(p);
  const keep = keptLanes(v128.load(la + ((<usize>i) << 2)), k, lane, cls4, ign4, bound, hw4);
  const m = i32x4.bitmask(keep);
  if (m == 0) return min4;
  // Descending: the image of a key in [0, 2) is its bits xor 0x7fffffff.
  const img = v128.xor(k, i32x4.splat(PIXEL));
  const d = v128.and(i32x4.shr_u(img, TOP_SHIFT), i32x4.splat(TOPS - 1));
  const v = v128.or(
    i32x4.add(lane, i32x4.splat(q0)),
    v128.and(f32x4.lt(p, f32x4.splat(0)), i32x4.splat(SIGN)),
  );
  const lo = i32x4.shuffle(img, v, 0, 4, 1, 5);
  const hi = i32x4.shuffle(img, v, 2, 6, 3, 7);
  scatter(h, i32x4.extract_lane(d, 0), m & 1, pairs2, trash, lo, 0);
  scatter(h, i32x4.extract_lane(d, 1), (m >> 1) & 1, pairs2, trash, lo, 1);
  scatter(h, i32x4.extract_lane(d, 2), (m >> 2) & 1, pairs2, trash, hi, 0);
  scatter(h, i32x4.extract_lane(d, 3), m >> 3, pairs2, trash, hi, 1);
  return f32x4.pmin(min4, v128.bitselect(k, f32x4.splat(2), keep));
}

/**
 * The lanes of a background pixel (label y neither `cls` nor `ign`, inside the image) whose key
 * k passes cut 1 (k >= bound).
 */
// @ts-ignore: decorator
@inline
function keptLanes(y: v128, k: v128, lane: v128, cls4: v128, ign4: v128, bound: v128, hw4: v128): v128 {
  const other = v128.or(i32x4.eq(y, cls4), i32x4.eq(y, ign4));
  return v128.and(v128.andnot(f32x4.ge(k, bound), other), i32x4.lt_s(lane, hw4));
}

/**
 * Puts the pair in lane `l` of `w` (an image and its payload) at the next place of bucket d
 * (its counter in `tops`) in pairs2 when `keep` is 1; else writes it to `trash` and moves
 * nothing (no branch: which lanes are kept is data).
 */
// @ts-ignore: decorator
@inline
function scatter(tops: usize, d: i32, keep: i32, pairs2: usize, trash: usize, w: v128, l: i32): void {
  const slot = tops + ((<usize>d) << 2);
  const j = load<i32>(slot);
  const to = select<usize>(pairs2 + ((<usize>j) << 3), trash, keep != 0);
  if (l == 0) v128.store_lane<i64>(to, w, 0);
  else v128.store_lane<i64>(to, w, 1);
  store<i32>(slot, j + keep);
}

/**
 * Sorts each bucket [starts[d], starts[d + 1]) of images in pairs2 by the low 19 bits, ending
 * in pairs2 (as images: see sortUnit). The first pass sorts every bucket into the same place of
 * `pairs`, from index `scratch` (where the pairs sorted start, free once split), which stays in
 * cache from one bucket to the next: sorting into the bucket's own place there, last written
 * long before, took a tenth longer on a confident model's case.
 */
function sortBuckets(pairs: usize, pairs2: usize, counts: usize, scratch: i32): void {
  const starts = counts + STARTS;
  const lo = counts + LO;
  const mid = counts + MID;
  for (let d = 0; d < TOPS; d++) {
    const b0 = load<i32>(starts + ((<usize>d) << 2));
    const b1 = load<i32>(starts + ((<usize>d) << 2) + 4);
    const m = b1 - b0;
    if (m == 0) continue;
    const x0 = (<usize>b0) << 3;
    const x1 = (<usize>b1) << 3;
    // Zeroing 6 kB of counters costs about what sorting a few dozen pairs does.
    memory.fill(lo, 0, (DIGITS + DIGITS / 2) * 4);
    // Two pairs per iteration (loop overhead, V8's interrupt check included, is a third of a
    // pass in cache).
    let at = x0;
    for (; at + 8 < x1; at += 16) {
      countDigits(pairs2 + at, lo, mid);
      countDigits(pairs2 + at + 8, lo, mid);
    }
    if (at < x1) countDigits(pairs2 + at, lo, mid);
    let sl = scratch;
    let sm = b0;
    for (let k = 0; k < DIGITS; k++) {
      const at = (<usize>k) << 2;
      const cl = load<i32>(lo + at);
      store<i32>(lo + at, sl);
      sl += cl;
      if (k < DIGITS / 2) {
        const cm = load<i32>(mid + at);
        store<i32>(mid + at, sm);
        sm += cm;
      }
    }
    for (at = x0; at + 8 < x1; at += 16) {
      low(pairs2 + at, pairs, lo);
      low(pairs2 + at + 8, pairs, lo);
    }
    if (at < x1) low(pairs2 + at, pairs, lo);
    const y0 = (<usize>scratch) << 3;
    const y1 = y0 + x1 - x0;
    for (at = y0; at + 8 < y1; at += 16) {
      high(pairs + at, pairs2, mid);
      high(pairs + at + 8, pairs2, mid);
    }
    if (at < y1) high(pairs + at, pairs2, mid);
  }
}

/** Counts bits 0-9 and 10-18 of the image at `at` (an in-bucket sort's two digits). */
// @ts-ignore: decorator
@inline
function countDigits(at: usize, lo: usize, mid: usize): void {
  const t = load<i32>(at);
  add(lo + ((<usize>(t & MASK)) << 2));
  add(mid + ((<usize>((t >>> 10) & (MASK >> 1))) << 2));
}

/** The in-bucket pass on bits 0-9: the pair at `from` to its place in `pairs`. */
// @ts-ignore: decorator
@inline
function low(from: usize, pairs: usize, lo: usize): void {
  const w = load<i64>(from);
  const slot = lo + ((<usize>((<i32>w) & MASK)) << 2);
  const j = load<i32>(slot);
  store<i32>(slot, j + 1);
  store<i64>(pairs + ((<usize>j) << 3), w);
}

/** The in-bucket pass on bits 10-18: the pair at `from` to its place in pairs2. */
// @ts-ignore: decorator
@inline
function high(from: usize, pairs2: usize, mid: usize): void {
  const w = load<i64>(from);
  const slot = mid + ((<usize>((<i32>w >>> 10) & (MASK >> 1))) << 2);
  const j = load<i32>(slot);
  store<i32>(slot, j + 1);
  store<i64>(pairs2 + ((<usize>j) << 3), w);
}

/** Moves the pair at `from` to its bucket in pairs2 (a stream's counters `tops`), as its image. */
// @ts-ignore: decorator
@inline
function split(from: usize, pairs2: usize, tops: usize, flip: i32): void {
  const w = load<i64>(from);
  const u = <i32>w;
  const t = u ^ ((u >> 31) | SIGN) ^ flip;
  const slot = tops + ((<usize>((t >>> TOP_SHIFT) & (TOPS - 1))) << 2);
  const j = load<i32>(slot);
  store<i32>(slot, j + 1);
  store<i64>(pairs2 + ((<usize>j) << 3), (w & 0xffffffff00000000) | <i64>(<u32>t));
}

/**
 * Stable LSD radix sort of the n pairs [start, start + n) at `pairs` (8 bytes each: the
 * float32 key, then the payload) by increasing key (decreasing with `descending`), on the
 * order-preserving int32 images of the keys: three passes of 10 bits (1024 buckets: the
 * scattered writes of a pass stay in few enough cache lines, where 15-bit digits missed on
 * most of them), then one of the top 2 bits. A pass whose digit is the same for every key is
 * skipped: keys in [0, 2) (all but a foreground probability within the slack below 0) share
 * their top two bits, so three passes sort them. A pair moves as one 64-bit word. Returns the
 * address of the sorted pairs (pairs or pairs2), at the same positions, their keys left as
 * images: u ^ ((u >> 31) | SIGN), and then ~ when descending, of the key's bits u (so that
 * no pass spends work mapping them back; ascendingKey and descendingKey read them).
 */
function sortUnit(
  pairs: usize,
  pairs2: usize,
  start: i32,
  n: i32,
  descending: bool,
  counts: usize,
): usize {
  const flip: i32 = descending ? -1 : 0;
  const s = (<usize>start) << 3;
  const end = s + ((<usize>n) << 3);
  let passes = 0;
  if (n > 1) {
    memory.fill(counts, 0, PASSES * DIGITS * 4);
    for (let at = s; at < end; at += 8) {
      const u = load<i32>(pairs + at);
      const t = u ^ ((u >> 31) | SIGN) ^ flip;
      add(counts + ((<usize>(t & MASK)) << 2));
      add(counts + ((<usize>(DIGITS + ((t >>> 10) & MASK))) << 2));
      add(counts + ((<usize>(2 * DIGITS + ((t >>> 20) & MASK))) << 2));
      add(counts + ((<usize>(3 * DIGITS + (t >>> 30))) << 2));
    }
    for (let pass = 0; pass < PASSES; pass++) {
      const base = counts + ((<usize>(pass * DIGITS)) << 2);
      let sum = start;
      let spread = true;
      for (let d = 0; d < DIGITS; d++) {
        const at = base + ((<usize>d) << 2);
        const c = load<i32>(at);
        if (c == n) spread = false;
        store<i32>(at, sum);
        sum += c;
      }
      if (spread) passes |= 1 << pass;
    }
  }
  // Zeroed first, the second buffer's lines come in with one sequential pass instead of one
  // scattered miss each (a foreground of 45K pairs: about 0.98x the whole confident case).
  if (passes != 0 && n >= 1 << 14) memory.fill(pairs2 + s, 0, (<usize>n) << 3);
  // The keys move as images (mapped in on the first pass that runs, in place when none runs).
  let src = pairs;
  let dst = pairs2;
  let mapped = false;
  for (let pass = 0; pass < PASSES; pass++) {
    if ((passes & (1 << pass)) == 0) continue;
    const base = counts + ((<usize>(pass * DIGITS)) << 2);
    const shift = pass * 10;
    for (let at = s; at < end; at += 8) {
      const w = load<i64>(src + at);
      const u = <i32>w;
      const t = mapped ? u : u ^ ((u >> 31) | SIGN) ^ flip;
      const slot = base + ((<usize>((t >>> shift) & MASK)) << 2);
      const j = load<i32>(slot);
      store<i32>(slot, j + 1);
      store<i64>(dst + ((<usize>j) << 3), (w & 0xffffffff00000000) | <i64>(<u32>t));
    }
    mapped = true;
    const x = src;
    src = dst;
    dst = x;
  }
  for (let at = s; !mapped && at < end; at += 8) {
    const u = load<i32>(pairs + at);
    store<i32>(pairs + at, u ^ ((u >> 31) | SIGN) ^ flip);
  }
  return src;
}

// @ts-ignore: decorator
@inline
function add(at: usize): void {
  store<i32>(at, load<i32>(at) + 1);
}
