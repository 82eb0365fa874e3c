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
// One call of the caller works on one group of pixels (an image, or the batch) and a block of
// K classes at once: the caller copies consecutive chunks of the group's probabilities (all the
// channels of a chunk of pixels, or, channels first, the K channel planes of the chunk) and
// labels into a small staging area and calls gather() per chunk; each class of the block
// appends its pairs to its own region. So the input is read once per block, not once per
// class, and never copied whole. Then finish() computes each class's loss into its dense
// per-pixel sink, and scatter() writes the K sinks into the gradient in one pass.
//
// Memory, laid out by the caller (addresses 16-byte aligned):
//   table    K entries of ENTRY bytes (see the offsets below), written by the caller
//   staged   f32 probabilities of one chunk
//   labels   i32 labels of one chunk
//   counts   COUNTS_BYTES of radix counters
//   spare    `cap` pairs of 8 bytes (a float32 key, then an int32 payload): the sort's
//            second buffer
//   regions  K buffers of `cap` pairs
//   sinks    K * pixels f32
//   grad     f32, the whole gradient, in the layout of the input

const SIGN: i32 = 0x80000000;
const PIXEL: i32 = 0x7fffffff;
const DIGITS: i32 = 1024;
const MASK: i32 = DIGITS - 1;
const PASSES: i32 = 4; // 10, 10, 10 and 2 bits
const BIG: i32 = 16384; // pairs from which sortPairs splits by the top bits first
const COUNTS_BYTES: i32 = PASSES * DIGITS * 4;

// Fields of one table entry (one class of the block).
const E_POFF: usize = 0; // i32: offset (in values) of the class's channel in a staged pixel
const E_LOFF: usize = 4; // i32: offset of the class's label in a staged pixel's labels
const E_CLS: usize = 8; // i32: the label value that means foreground
const E_NF: usize = 12; // i32: foreground pairs written so far
const E_NB: usize = 16; // i32: end of the background pairs written so far (from `total`)
const E_KEYS: usize = 20; // i32: address of the class's keys (payloads at keys + 4 cap)
const E_SINK: usize = 24; // i32: address of the class's dense gradient sink
const E_CHANNEL: usize = 28; // i32: the class's channel (for scatter)
// bytes 32-39: unused
const E_TOTAL: usize = 40; // i32: valid foreground pixels of the class (G)
const E_VALID: usize = 44; // i32: valid pixels
const E_SCALE: usize = 48; // f64: the factor of the gradient
const E_LOSS: usize = 56; // f64: the class's loss, written by finish()
// f64: background keys below it cannot pass cut 1 and are not kept (-inf: keep them all)
const E_BELOW: usize = 64;
export const ENTRY: i32 = 80;

let invalid: i32 = 0;

/** Bytes of radix counters. */
export function countsBytes(): i32 {
  return COUNTS_BYTES;
}

/** Forgets a bad value seen by an earlier call. */
export function reset(): void {
  invalid = 0;
}

/** 1 when a staged probability checked so far was outside [lo, hi] or NaN. */
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
 * Starts the block of K classes whose entries the caller wrote at `table` (offsets, class,
 * keys, sink, channel, total, valid, scale): no pair written yet.
 */
export function begin(table: usize, k: i32): void {
  for (let c = 0; c < k; c++) {
    const e = table + (<usize>c) * ENTRY;
    store<i32>(e + E_NF, 0);
    store<i32>(e + E_NB, load<i32>(e + E_TOTAL));
  }
}

/**
 * Appends, for each class of the block, the pairs of the `count` staged pixels q0, q0 + 1, ...
 * of the group: the probability of pixel i for class c is the float32 at
 * staged + 4 (i pstride + poff_c), its label the int32 at labels + 4 (i lstride + loff_c).
 * Foreground pixels (label cls_c) go to [nf, total) in pixel order, keyed by p (2 - p above 1),
 * background ones to [nb, valid) keyed by p (-p below 0); the payload is the pixel, with the
 * top bit set where the key was reflected. Pixels labelled `ign` are skipped.
 */
export function gather(
  table: usize,
  k: i32,
  count: i32,
  q0: i32,
  staged: usize,
  pstride: i32,
  labels: usize,
  lstride: i32,
  ign: i32,
  cap: i32,
): void {
  for (let c = 0; c < k; c++) {
    const e = table + (<usize>c) * ENTRY;
    const poff = load<i32>(e + E_POFF);
    const loff = load<i32>(e + E_LOFF);
    const cls = load<i32>(e + E_CLS);
    const keys = <usize>load<i32>(e + E_KEYS);
    const vals = keys + 4; // pairs: key, then payload, 8 bytes
    let nf = load<i32>(e + E_NF);
    let nb = load<i32>(e + E_NB);
    const below = load<f64>(e + E_BELOW);
    let pa = staged + ((<usize>poff) << 2);
    let la = labels + ((<usize>loff) << 2);
    const pstep = (<usize>pstride) << 2;
    const lstep = (<usize>lstride) << 2;
    for (let i = 0; i < count; i++, pa += pstep, la += lstep) {
      const y = load<i32>(la);
      if (y == ign) continue;
      const p = load<f32>(pa);
      const fg = y == cls;
      // Both keys, then a select: the label is random from one pixel to the next.
      const over = p > <f32>1;
      const under = p < <f32>0;
      const kf: f32 = over ? <f32>(2 - <f64>p) : p + <f32>0; // + 0 turns -0 into +0
      const kb: f32 = under ? -p : p + <f32>0;
      const flip = i32(fg ? over : under);
      const at = (<usize>(fg ? nf : nb)) << 3;
      store<f32>(keys + at, fg ? kf : kb);
      store<i32>(vals + at, (q0 + i) | (flip << 31));
      nf += i32(fg);
      // A background pair below the caller's bound is dropped here rather than by cut 1.
      nb += i32(!fg && <f64>kb >= below);
    }
    store<i32>(e + E_NF, nf);
    store<i32>(e + E_NB, nb);
  }
}

/**
 * The loss of each class of the block, into its entry, with `scale` times its gradient in its
 * sink (`pixels` values, indexed by pixel of the group; zeroed first with `zero`).
 */
export function finish(
  table: usize,
  k: i32,
  pixels: i32,
  cap: i32,
  counts: usize,
  spare: usize,
  zero: bool,
): void {
  for (let c = 0; c < k; c++) {
    const e = table + (<usize>c) * ENTRY;
    const sink = <usize>load<i32>(e + E_SINK);
    // A sink inside the gradient is zero already (the caller zeroes it once per call).
    if (zero) memory.fill(sink, 0, (<usize>pixels) << 2);
    const keys = <usize>load<i32>(e + E_KEYS);
    const total = load<i32>(e + E_TOTAL);
    const nb = load<i32>(e + E_NB); // end of the background pairs kept by gather()
    const scale = load<f64>(e + E_SCALE);
    const loss =
      total == 0
        ? absentLoss(keys, keys + 4, nb, scale, sink)
        : classLoss(keys, total, nb, largestKey(keys, total), scale, sink, cap, counts, spare);
    store<f64>(e + E_LOSS, loss);
  }
}

/**
 * Channels first, groups of several images: copies the K sinks into their channel planes of
 * the gradient (images of hw pixels, starting at image b0, `channels` planes each).
 */
export function scatter(
  table: usize,
  k: i32,
  pixels: i32,
  grad: usize,
  channels: i32,
  hw: i32,
  b0: i32,
): void {
  for (let c = 0; c < k; c++) {
    const e = table + (<usize>c) * ENTRY;
    const sink = <usize>load<i32>(e + E_SINK);
    const ch = load<i32>(e + E_CHANNEL);
    for (let q = 0; q < pixels; q += hw) {
      const b = b0 + q / hw;
      const to = grad + ((<usize>((b * channels + ch) * hw)) << 2);
      memory.copy(to, sink + ((<usize>q) << 2), (<usize>hw) << 2);
    }
  }
}

/**
 * Channels last: the gradient is kept as planes (channel c of every pixel at
 * planes + 4 (c total + q)); writes pixels [q0, q0 + count) channels last, C values per
 * pixel, to `out`. One plane at a time: its reads are sequential, its writes stay in the
 * small `out` area.
 */
export function interleave(planes: usize, channels: i32, total: i32, q0: i32, count: i32, out: usize): void {
  const step = (<usize>channels) << 2;
  for (let c = 0; c < channels; c++) {
    let from = planes + ((<usize>c * <usize>total + <usize>q0) << 2);
    let to = out + ((<usize>c) << 2);
    const end = from + ((<usize>count) << 2);
    for (; from < end; from += 4, to += step) store<f32>(to, load<f32>(from));
  }
}

/**
 * The largest of the n keys of the pairs at `pairs` (-1 for none): computed here rather than
 * while gathering, where it was a dependency carried from pixel to pixel. The maximum of a set
 * does not depend on the order it is taken in (the keys hold no -0 or NaN).
 */
function largestKey(pairs: usize, n: i32): f64 {
  let best: f64 = -1;
  for (let i = 0; i < n; i++) {
    const k = <f64>load<f32>(pairs + ((<usize>i) << 3));
    if (k > best) best = k;
  }
  return best;
}

/** The sign of e_fg - e_bg, exactly (see compareErrors in class-loss.ts). */
// @ts-ignore: decorator
@inline
function compareErrors(kf: f64, kb: f64): f64 {
  if (kf >= 0.5) return 1 - kf - kb;
  if (kb >= 0.5) return 1 - kb - kf;
  return 1;
}

/** The loss of a class with foreground (classLoss in class-loss.ts, dense sink). */
function classLoss(
  keys: usize,
  total: i32,
  valid: i32,
  kfMax: f64,
  scale: f64,
  sink: usize,
  cap: i32,
  counts: usize,
  spare: usize,
): f64 {
  const vals = keys + 4;
  // Cut 1: the background pairs whose error reaches the smallest foreground error.
  let kept = total;
  let kbMin: f64 = 2;
  const below = 1 - kfMax - 1e-6;
  for (let j = total; j < valid; j++) {
    const at = (<usize>j) << 3;
    const kb = <f64>load<f32>(keys + at);
    if (kb < below) continue;
    if (compareErrors(kfMax, kb) <= 0) {
      const to = (<usize>kept) << 3;
      store<f32>(keys + to, <f32>kb);
      store<i32>(vals + to, load<i32>(vals + at));
      if (kb < kbMin) kbMin = kb;
      kept++;
    }
  }
  const nbKept = kept - total;
  const dLast = 1 / <f64>(total + nbKept);
  if (nbKept == 0) {
    // Every foreground pixel has d = 1 / G; no sort.
    const g = scale * dLast;
    let loss: f64 = 0;
    for (let i = 0; i < total; i++) {
      const at = (<usize>i) << 3;
      const kf = <f64>load<f32>(keys + at);
      const v = load<i32>(vals + at);
      loss += 1 - kf;
      put(sink, v, kf == 1 ? 0 : v < 0 ? g : -g);
    }
    return loss * dLast;
  }
  // Cut 2: the foreground pairs whose error reaches the smallest kept background error; the
  // others take d = dLast.
  let cut: f64 = 0;
  let nf = 0;
  const g = scale * dLast;
  for (let i = 0; i < total; i++) {
    const at = (<usize>i) << 3;
    const kf = <f64>load<f32>(keys + at);
    const v = load<i32>(vals + at);
    if (compareErrors(kf, kbMin) >= 0) {
      const to = (<usize>nf) << 3;
      store<f32>(keys + to, <f32>kf);
      store<i32>(vals + to, v);
      nf++;
    } else {
      cut += 1 - kf;
      put(sink, v, kf == 1 ? 0 : v < 0 ? g : -g);
    }
  }
  const cutLoss = cut * dLast;
  const fk = sortPairs(keys, spare, 0, nf, false, counts);
  const bk = sortPairs(keys, spare, total, nbKept, true, counts);
  const fv = fk + 4;
  const bv = bk + 4;
  return cutLoss + merge(fk, fv, nf, bk, bv, total, nbKept, scale, sink);
}

// @ts-ignore: decorator
@inline
function put(sink: usize, v: i32, value: f64): void {
  store<f32>(sink + ((<usize>(v & PIXEL)) << 2), <f32>value);
}

/**
 * mergeLossDense of class-loss.ts: the sorted foreground pairs [0, nf) (increasing key,
 * decreasing error) and background pairs [total, total + nb) (decreasing key and error)
 * merged by exact error, ties by pixel, the background pixels before each foreground one
 * emitted by an inner loop.
 */
function merge(
  fk: usize,
  fv: usize,
  nf: i32,
  bk: usize,
  bv: usize,
  total: i32,
  nb: i32,
  scale: f64,
  sink: usize,
): f64 {
  let loss: f64 = 0;
  let j = total;
  const jEnd = total + nb;
  let bgSeen = 0;
  for (let i = 0; i <= nf; i++) {
    const last = i == nf;
    const kf: f64 = last ? 0 : <f64>load<f32>(fk + ((<usize>i) << 3));
    const qf = last ? 0 : load<i32>(fv + ((<usize>i) << 3)) & PIXEL;
    const high = kf >= 0.5;
    const t = high ? 1 - kf : kf;
    const a = <f64>(total - i);
    for (; j < jEnd; j++) {
      const at = (<usize>j) << 3;
      const kb = <f64>load<f32>(bk + at);
      const v = load<i32>(bv + at);
      if (!last) {
        const diff = high ? kb - t : kb >= 0.5 ? t - (1 - kb) : -1;
        if (diff < 0 || (diff == 0 && (v & PIXEL) > qf)) break;
      }
      const union = <f64>(total + bgSeen);
      const d = a / (union * (union + 1));
      loss += kb * d;
      put(sink, v, kb == 0 ? 0 : v < 0 ? -scale * d : scale * d);
      bgSeen++;
    }
    if (last) break;
    const v = load<i32>(fv + ((<usize>i) << 3));
    const d = 1 / <f64>(total + bgSeen);
    loss += (1 - kf) * d;
    put(sink, v, kf == 1 ? 0 : v < 0 ? scale * d : -scale * d);
  }
  return loss;
}

/**
 * absentClassLoss of class-loss.ts: with no foreground the loss is the largest error |p|, and
 * its gradient sits on the first pixel that reaches it. The valid pixels are the `valid`
 * background pairs, in pixel order, keyed by |p| (payload top bit: p < 0).
 */
function absentLoss(keys: usize, vals: usize, valid: i32, scale: f64, sink: usize): f64 {
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
  const v = load<i32>(vals + ((<usize>at) << 3));
  put(sink, v, best == 0 ? 0 : v < 0 ? -scale : scale);
  return best;
}

/**
 * Sorts the pairs [start, start + n) at `pairs` stably by key (see sortUnit); returns the
 * address (pairs or pairs2) of the sorted pairs. Large segments are first split by their top
 * 10 bits (one pass over memory), then each bucket, small enough to stay in cache, is sorted
 * by the low 20 bits in two passes: fewer passes over memory than three LSD passes. Both give
 * the one stable order.
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
  const tops = counts; // bucket ends, while scattering
  const starts = counts + DIGITS * 4;
  const lo = counts + 2 * DIGITS * 4;
  const mid = counts + 3 * DIGITS * 4;
  memory.fill(tops, 0, DIGITS * 4);
  const s = (<usize>start) << 3;
  const end = s + ((<usize>n) << 3);
  let all: i32 = -1;
  let any: i32 = 0;
  for (let at = s; at < end; at += 8) {
    const u = load<i32>(pairs + at);
    const t = u ^ ((u >> 31) | SIGN) ^ flip;
    all &= t;
    any |= t;
    add(tops + ((<usize>((t >>> 20) & MASK)) << 2));
  }
  // Keys whose top two bits differ (a negative key): the general LSD sort.
  if ((all ^ any) >>> 30 != 0) return sortUnit(pairs, pairs2, start, n, descending, counts);
  let sum = start;
  for (let d = 0; d < DIGITS; d++) {
    const at = (<usize>d) << 2;
    const c = load<i32>(tops + at);
    store<i32>(tops + at, sum);
    store<i32>(starts + at, sum);
    sum += c;
  }
  for (let at = s; at < end; at += 8) {
    const w = load<i64>(pairs + at);
    const u = <i32>w;
    const t = u ^ ((u >> 31) | SIGN) ^ flip;
    const slot = tops + ((<usize>((t >>> 20) & MASK)) << 2);
    const j = load<i32>(slot);
    store<i32>(slot, j + 1);
    store<i64>(pairs2 + ((<usize>j) << 3), (w & 0xffffffff00000000) | <i64>(<u32>t));
  }
  // Each bucket [starts[d], tops[d]) of images in pairs2: sorted by the low 20 bits, keys
  // mapped back, ending in pairs2.
  for (let d = 0; d < DIGITS; d++) {
    const b0 = load<i32>(starts + ((<usize>d) << 2));
    const b1 = load<i32>(tops + ((<usize>d) << 2));
    const m = b1 - b0;
    if (m == 0) continue;
    const x0 = (<usize>b0) << 3;
    const x1 = (<usize>b1) << 3;
    // Zeroing 8 kB of counters costs about what sorting a few dozen pairs does.
    memory.fill(lo, 0, 2 * DIGITS * 4);
    for (let at = x0; at < x1; at += 8) {
      const t = load<i32>(pairs2 + at);
      add(lo + ((<usize>(t & MASK)) << 2));
      add(mid + ((<usize>((t >>> 10) & MASK)) << 2));
    }
    let sl = b0;
    let sm = b0;
    for (let k = 0; k < DIGITS; k++) {
      const at = (<usize>k) << 2;
      const cl = load<i32>(lo + at);
      const cm = load<i32>(mid + at);
      store<i32>(lo + at, sl);
      store<i32>(mid + at, sm);
      sl += cl;
      sm += cm;
    }
    for (let at = x0; at < x1; at += 8) {
      const w = load<i64>(pairs2 + at);
      const slot = lo + ((<usize>((<i32>w) & MASK)) << 2);
      const j = load<i32>(slot);
      store<i32>(slot, j + 1);
      store<i64>(pairs + ((<usize>j) << 3), w);
    }
    for (let at = x0; at < x1; at += 8) {
      const w = load<i64>(pairs + at);
      const t = <i32>w;
      const slot = mid + ((<usize>((t >>> 10) & MASK)) << 2);
      const j = load<i32>(slot);
      store<i32>(slot, j + 1);
      const a = t ^ flip;
      const u = a ^ (~(a >> 31) | SIGN);
      store<i64>(pairs2 + ((<usize>j) << 3), (w & 0xffffffff00000000) | <i64>(<u32>u));
    }
  }
  return pairs2;
}

/**
 * Stable LSD radix sort of the n pairs [start, start + n) at `pairs` (8 bytes each: the
 * float32 key, then the payload) by increasing key (decreasing with `descending`), on the
 * order-preserving int32 images of the keys: three passes of 10 bits (1024 buckets: the
 * scattered writes of a pass stay in few enough cache lines, where 15-bit digits missed on
 * most of them), then one of the top 2 bits. A pass whose digit is the same for every key is
 * skipped: keys in [0, 2) (all but a foreground probability within the slack below 0) share
 * their top two bits, so three passes sort them. A pair moves as one 64-bit word. Returns the
 * address of the sorted pairs (pairs or pairs2), at the same positions.
 */
function sortUnit(
  pairs: usize,
  pairs2: usize,
  start: i32,
  n: i32,
  descending: bool,
  counts: usize,
): usize {
  if (n <= 1) return pairs;
  const flip: i32 = descending ? -1 : 0;
  memory.fill(counts, 0, PASSES * DIGITS * 4);
  const s = (<usize>start) << 3;
  const end = s + ((<usize>n) << 3);
  for (let at = s; at < end; at += 8) {
    const u = load<i32>(pairs + at);
    const t = u ^ ((u >> 31) | SIGN) ^ flip;
    add(counts + ((<usize>(t & MASK)) << 2));
    add(counts + ((<usize>(DIGITS + ((t >>> 10) & MASK))) << 2));
    add(counts + ((<usize>(2 * DIGITS + ((t >>> 20) & MASK))) << 2));
    add(counts + ((<usize>(3 * DIGITS + (t >>> 30))) << 2));
  }
  let passes = 0;
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
  // The keys move as images (mapped in on the first pass that runs, back on the last).
  let src = pairs;
  let dst = pairs2;
  let mapped = false;
  let remaining = popcnt<i32>(passes);
  for (let pass = 0; pass < PASSES; pass++) {
    if ((passes & (1 << pass)) == 0) continue;
    remaining--;
    const base = counts + ((<usize>(pass * DIGITS)) << 2);
    const shift = pass * 10;
    const unmap = remaining == 0;
    for (let at = s; at < end; at += 8) {
      const w = load<i64>(src + at);
      const u = <i32>w;
      const t = mapped ? u : u ^ ((u >> 31) | SIGN) ^ flip;
      const slot = base + ((<usize>((t >>> shift) & MASK)) << 2);
      const j = load<i32>(slot);
      store<i32>(slot, j + 1);
      const a = t ^ flip;
      const out = unmap ? a ^ (~(a >> 31) | SIGN) : t;
      store<i64>(dst + ((<usize>j) << 3), (w & 0xffffffff00000000) | <i64>(<u32>out));
    }
    mapped = !unmap;
    const x = src;
    src = dst;
    dst = x;
  }
  return src;
}

// @ts-ignore: decorator
@inline
function add(at: usize): void {
  store<i32>(at, load<i32>(at) + 1);
}
