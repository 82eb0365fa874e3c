// The Lovász hinge kernel in AssemblyScript, compiled to WebAssembly by `npm run build:wasm`
// into src/core/hinge-wasm-binary.ts (which ships; this file does not).
//
// Why WebAssembly: V8 reloads and re-checks a typed array's map, length and data pointer on
// every access inside a loop unless the array is a compile-time constant, which a buffer
// that grows cannot be. The radix passes then cost about 5.5 ns per element instead of 1.8.
// Wasm loads and stores go through one linear memory, so none of that is paid.
//
// The arithmetic is exactly that of src/core/hinge.ts (hingeRange, sortPairs, hingeLoss):
// the same float32 keys, the same stable radix order, the same float64 operations in the
// same order. Both kernels return the same bits, which test/core/hinge-wasm.test.ts checks.

const SIGN: i32 = 0x80000000;
const COUNTS_BYTES: i32 = 3 * 2048 * 4;
const LANES: v128 = i32x4(0, 1, 2, 3);

// The group being gathered, carried from one gather() call to the next.
let kept: i32 = 0; // pairs written so far
let foreground: i32 = 0; // valid foreground pixels (G)
let keptForeground: i32 = 0; // kept pairs that are foreground
let invalid: i32 = 0; // a logit not finite as a float32, or a label not 0, 1 or ign

// The kernel computes the Lovász hinge (relu, not symmetric) of one group of pixels (an
// image, or the batch) in three steps: begin(), gather() over consecutive chunks of the
// group's pixels, then finish(). The caller copies each chunk's logits and labels into a
// small staging area, so the inputs are never copied whole.
//
// Memory, laid out by the caller (addresses 16-byte aligned):
//   shuffles  256 bytes, written once by prepare()
//   logits    f32[count]   one chunk, read
//   labels    i32[count]   one chunk, read: 0, 1 or `ign` (when `hasIgnore`)
//   grad      f32[pixels]  the whole gradient, indexed by pixel: written, 0 where e <= 0
//   work      workBytes(per) bytes, for groups of at most `per` pixels

/**
 * Bytes of the work area for groups of at most `per` pixels: two pairs of key and payload
 * buffers (see pairBytes) and the radix counters.
 */
export function workBytes(per: i32): f64 {
  // In float64: for a huge `per` the byte count exceeds what a usize holds, and the caller
  // must see that to refuse the call rather than a wrapped, too small size.
  return 2 * (<f64>per * 8 + 32) + <f64>COUNTS_BYTES;
}

/**
 * Writes the 16 byte shuffles that move the kept lanes of a 4-lane vector to its front, in
 * order: entry m (a 4-bit mask of kept lanes) at shuffles + 16 m. Call once.
 */
export function prepare(shuffles: usize): void {
  for (let m = 0; m < 16; m++) {
    let j = 0;
    for (let lane = 0; lane < 4; lane++) {
      if ((m & (1 << lane)) == 0) continue;
      for (let b = 0; b < 4; b++) store<u8>(shuffles + (m << 4) + (j << 2) + b, (lane << 2) + b);
      j++;
    }
    // Bytes past the kept lanes select nothing (index >= 16 reads as 0).
    for (let b = j << 2; b < 16; b++) store<u8>(shuffles + (m << 4) + b, 0xff);
  }
}

export function begin(): void {
  kept = 0;
  foreground = 0;
  keptForeground = 0;
  invalid = 0;
}

/**
 * Gathers pixels [px, px + count) of the group, whose logits and labels sit at `logits` and
 * `labels`: zeroes their gradient, appends the pairs of the positive errors, and checks
 * every logit and label.
 */
export function gather(
  px: i32,
  count: i32,
  ign: i32,
  hasIgnore: bool,
  logits: usize,
  labels: usize,
  grad: usize,
  work: usize,
  per: i32,
  shuffles: usize,
): void {
  memory.fill(grad + ((<usize>px) << 2), 0, (<usize>count) << 2);
  // Four pixels at a time with SIMD. The kept lanes (positive errors) are shuffled to the
  // front and the whole vector is stored at k: no branch on the data, two stores per four
  // pixels; the lanes past the kept ones are overwritten by the next store.
  const vals = valsOf(work, per);
  const ign4 = i32x4.splat(ign);
  const ignoring = i32x4.splat(hasIgnore ? -1 : 0);
  const exponent = i32x4.splat(0x7f800000);
  const one = i32x4.splat(1);
  const below = f32x4.splat(-1);
  const zero = f32x4.splat(0);
  const sign = i32x4.splat(SIGN);
  let bad4 = i32x4.splat(0);
  let total4 = i32x4.splat(0);
  let k = kept;
  let keptFg = keptForeground;
  let i = 0;
  for (const stop = count & ~3; i < stop; i += 4) {
    const at = (<usize>i) << 2;
    const y = v128.load(labels + at);
    const x = v128.load(logits + at);
    const ignored = v128.and(i32x4.eq(y, ign4), ignoring);
    bad4 = v128.or(bad4, i32x4.eq(v128.and(x, exponent), exponent));
    bad4 = v128.or(bad4, v128.andnot(i32x4.gt_u(y, one), ignored));
    const label = v128.andnot(y, ignored);
    total4 = i32x4.add(total4, label);
    // m = x * (1 - 2y) + 0, lane by lane the float32 operations of the scalar path.
    const s = f32x4.convert_i32x4_s(i32x4.sub(one, i32x4.shl(label, 1)));
    const m = f32x4.add(f32x4.mul(x, s), zero);
    const keep = i32x4.bitmask(v128.andnot(f32x4.gt(m, below), ignored));
    keptFg += popcnt<i32>(keep & i32x4.bitmask(i32x4.shl(label, 31)));
    // The sort keys are the order-reversing images of the float bits (see image()).
    const t = v128.not(v128.xor(m, v128.or(i32x4.shr_s(m, 31), sign)));
    const v = v128.or(i32x4.shl(label, 31), i32x4.add(i32x4.splat(px + i), LANES));
    const shuffle = v128.load(shuffles + ((<usize>keep) << 4));
    v128.store(work + ((<usize>k) << 2), i8x16.swizzle(t, shuffle));
    v128.store(vals + ((<usize>k) << 2), i8x16.swizzle(v, shuffle));
    k += popcnt<i32>(keep);
  }
  let bad = i32(v128.any_true(bad4));
  let total =
    i32x4.extract_lane(total4, 0) +
    i32x4.extract_lane(total4, 1) +
    i32x4.extract_lane(total4, 2) +
    i32x4.extract_lane(total4, 3);
  // The last count % 4 pixels, one at a time.
  for (; i < count; i++) {
    const at = (<usize>i) << 2;
    const y = load<i32>(labels + at);
    const bits = load<i32>(logits + at);
    const ignored = hasIgnore && y == ign;
    bad |= i32((bits & 0x7f800000) == 0x7f800000) | i32(<u32>y > 1 && !ignored);
    if (ignored) continue;
    const s: i32 = 1 - 2 * y;
    const m: f32 = reinterpret<f32>(bits) * <f32>s + <f32>0;
    const keep = i32(m > <f32>-1);
    k = put(k, image(reinterpret<i32>(m)), (px + i) | (y << 31), keep, work, per);
    keptFg += keep & y;
    total += y;
  }
  kept = k;
  keptForeground = keptFg;
  foreground += total;
  invalid |= bad;
}

/**
 * Sorts the gathered pairs and returns the group's loss, writing `scale` times its gradient
 * into `grad`; NaN when gather() met a bad value (the caller then runs its own checks, which
 * name it).
 */
export function finish(scale: f64, grad: usize, work: usize, per: i32): f64 {
  if (invalid != 0) return NaN;
  const k = kept;
  if (k == 0) return 0;
  const pair = pairBytes(per);
  const keys = work;
  const keys2 = work + pair;
  const sorted = sortDescending(k, keys, keys2, work + 2 * pair, per);
  // The reciprocals go into the pair the sorted keys are not in: 8 * per + 32 bytes, room for
  // the at most per + 2 of them.
  const table = sorted == keys ? keys2 : keys;
  return hingeLoss(k, k - keptForeground, foreground, scale, sorted, valsOf(sorted, per), grad, table);
}

/**
 * Writes the sort key t (the image of m = -s * logit, s = 2y - 1) and the payload
 * pixel | label << 31 at position k of the first buffer pair of `work`, and returns k + keep:
 * a pixel that is not kept (its error 1 + m is not positive) is overwritten by the next one,
 * so no branch depends on the data.
 */
// @ts-ignore: decorator
@inline
function put(k: i32, t: i32, v: i32, keep: i32, work: usize, per: i32): i32 {
  const at = (<usize>k) << 2;
  store<i32>(work + at, t);
  store<i32>(valsOf(work, per) + at, v);
  return k + keep;
}

/**
 * Stable LSD radix sort of the k keys at `keys` (payloads at valsOf(keys)), by increasing t,
 * the order-reversing int32 image of the float keys (so by decreasing key), in three passes
 * of 11, 11 and 10 bits; a pass whose digit is the same for every key is skipped. Returns the
 * address of the sorted images (keys or keys2); their payloads are at valsOf of it.
 */
function sortDescending(k: i32, keys: usize, keys2: usize, counts: usize, per: i32): usize {
  const vals = valsOf(keys, per);
  const vals2 = valsOf(keys2, per);
  memory.fill(counts, 0, COUNTS_BYTES);
  for (let i = 0; i < k; i++) {
    const t = load<i32>(keys + ((<usize>i) << 2));
    add(counts + ((<usize>(t & 2047)) << 2), 1);
    add(counts + 8192 + ((<usize>((t >>> 11) & 2047)) << 2), 1);
    add(counts + 16384 + ((<usize>(t >>> 22)) << 2), 1);
  }
  // Exclusive prefix sums; a digit that holds all k keys means the pass would not move any.
  let passes = 0;
  for (let pass = 0; pass < 3; pass++) {
    const base = counts + (<usize>pass) * 8192;
    let sum = 0;
    let spread = true;
    for (let d = 0; d < 2048; d++) {
      const at = base + ((<usize>d) << 2);
      const c = load<i32>(at);
      if (c == k) spread = false;
      store<i32>(at, sum);
      sum += c;
    }
    if (spread) passes |= 1 << pass;
  }
  let sk = keys;
  let sv = vals;
  let dk = keys2;
  let dv = vals2;
  for (let pass = 0; pass < 3; pass++) {
    if ((passes & (1 << pass)) == 0) continue;
    const base = counts + (<usize>pass) * 8192;
    const shift = pass * 11;
    for (let i = 0; i < k; i++) {
      const t = load<i32>(sk + ((<usize>i) << 2));
      const at = base + ((<usize>((t >>> shift) & 2047)) << 2);
      const j = load<i32>(at);
      store<i32>(at, j + 1);
      store<i32>(dk + ((<usize>j) << 2), t);
      store<i32>(dv + ((<usize>j) << 2), load<i32>(sv + ((<usize>i) << 2)));
    }
    const a = sk;
    sk = dk;
    dk = a;
    const b = sv;
    sv = dv;
    dv = b;
  }
  return sk;
}

/**
 * Bytes of one key and payload buffer pair: per int32 each, and after each 16 bytes of slack
 * for the vector stores of gather().
 */
// @ts-ignore: decorator
@inline
function pairBytes(per: i32): usize {
  return ((<usize>per) << 3) + 32;
}

/** Where the payloads of the keys at `keys` start. */
// @ts-ignore: decorator
@inline
function valsOf(keys: usize, per: i32): usize {
  return keys + ((<usize>per) << 2) + 16;
}

/** Order-reversing image of float32 bits as int32 (its own inverse is {@link unimage}). */
// @ts-ignore: decorator
@inline
function image(u: i32): i32 {
  return u ^ ((u >> 31) | SIGN) ^ -1;
}

/** The float32 whose bits have the image t. */
// @ts-ignore: decorator
@inline
function unimage(t: i32): f32 {
  const a = t ^ -1;
  return reinterpret<f32>(a ^ (~(a >> 31) | SIGN));
}

// @ts-ignore: decorator
@inline
function add(at: usize, n: i32): void {
  store<i32>(at, load<i32>(at) + n);
}

/**
 * Loss and gradient from the k sorted positive errors (nb of them background), as hingeLoss
 * in src/core/hinge.ts: with b background and a foreground steps before a position, a
 * foreground step has d = 1 / (G + b), a background step d = (G - a) / ((G + b) (G + b + 1)).
 * The reciprocals 1 / (G + b) are computed first, into `table`: independent divisions run
 * back to back, where inside the loop each waited for the previous background step and a
 * branch on the label was mispredicted half the time. Same divisions, same bits.
 */
function hingeLoss(
  k: i32,
  nb: i32,
  total: i32,
  scale: f64,
  keys: usize,
  vals: usize,
  grad: usize,
  table: usize,
): f64 {
  if (total == 0) {
    // No foreground: J goes from 0 to 1 at the first step, d = [1, 0, 0, ...].
    const v = load<i32>(vals);
    store<f32>(grad + ((<usize>v) << 2), <f32>scale);
    return 1 + <f64>unimage(load<i32>(keys));
  }
  for (let b = 0; b <= nb + 1; b++) store<f64>(table + ((<usize>b) << 3), 1 / <f64>(total + b));
  let loss: f64 = 0;
  let fgBefore: i32 = 0;
  for (let r = 0; r < k; r++) {
    const at = (<usize>r) << 2;
    const v = load<i32>(vals + at);
    const m = unimage(load<i32>(keys + at));
    const fg = v >>> 31;
    const slot = table + ((<usize>(r - fgBefore)) << 3);
    const inv = load<f64>(slot);
    const dBg = <f64>(total - fgBefore) * inv * load<f64>(slot, 8);
    // d = fg ? inv : dBg, and the sign of the gradient, chosen with bit masks: V8 turns a
    // floating-point select into a branch, mispredicted half the time on random labels.
    const pick = -(<i64>fg);
    const d = reinterpret<f64>((reinterpret<i64>(inv) & pick) | (reinterpret<i64>(dBg) & ~pick));
    // d loss / d logit = -s * d: -scale * d on foreground, scale * d on background (the
    // same bits: a product's sign does not change its magnitude).
    const g = reinterpret<i32>(<f32>(scale * d)) ^ (fg << 31);
    store<i32>(grad + ((<usize>(v & 0x7fffffff)) << 2), g);
    loss += (1 + <f64>m) * d;
    fgBefore += fg;
  }
  return loss;
}
