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

/**
 * The Lovász hinge (relu, not symmetric) of `groups` groups of `per` pixels each.
 *
 * Memory (byte offsets, 4-byte aligned; `losses` 8-byte aligned):
 *   logits  f32[groups * per]   read
 *   labels  i32[groups * per]   read: 0, 1 or `ign` (when `hasIgnore`)
 *   grad    f32[groups * per]   written: d loss / d logit times `scale`, 0 where e <= 0
 *   losses  f64[groups]         written: the loss of each group
 *   work    (16 * per + 24576) bytes: two key/payload buffer pairs and the radix counters
 * Returns the sum of the group losses, or NaN when a logit is not finite as a float32 or a
 * label is not 0, 1 or `ign` (the caller then runs its own checks, which name the value).
 */
export function hinge(
  groups: i32,
  per: i32,
  ign: i32,
  hasIgnore: bool,
  scale: f64,
  logits: usize,
  labels: usize,
  grad: usize,
  losses: usize,
  work: usize,
): f64 {
  let sum: f64 = 0;
  for (let g = 0; g < groups; g++) {
    const loss = hingeGroup(g * per, (g + 1) * per, ign, hasIgnore, scale, logits, labels, grad, work, per);
    if (isNaN(loss)) return NaN;
    store<f64>(losses + ((<usize>g) << 3), loss);
    sum += loss;
  }
  return sum;
}

/** The hinge of pixels [start, end): gather the positive errors, sort them, one pass. */
function hingeGroup(
  start: i32,
  end: i32,
  ign: i32,
  hasIgnore: bool,
  scale: f64,
  logits: usize,
  labels: usize,
  grad: usize,
  work: usize,
  per: i32,
): f64 {
  const keys = work;
  const vals = keys + ((<usize>per) << 2);
  const keys2 = vals + ((<usize>per) << 2);
  const vals2 = keys2 + ((<usize>per) << 2);
  const counts = vals2 + ((<usize>per) << 2);
  // Zero the group's gradient, gather the positive errors, and fold the validity of every
  // logit (finite as a float32) and label (0, 1 or ign) into `bad`.
  memory.fill(grad + ((<usize>start) << 2), 0, (<usize>(end - start)) << 2);
  // Four pixels at a time with SIMD: most of a well-trained model's pixels have e <= 0, and a
  // group of four without a positive error costs a few vector operations and one branch.
  const ign4 = i32x4.splat(ign);
  const ignoring = i32x4.splat(hasIgnore ? -1 : 0);
  const exponent = i32x4.splat(0x7f800000);
  const one = i32x4.splat(1);
  const below = f32x4.splat(-1);
  const zero = f32x4.splat(0);
  let bad4 = i32x4.splat(0);
  let total4 = i32x4.splat(0);
  let k: i32 = 0;
  let px = start;
  for (const stop = start + ((end - start) & ~3); px < stop; px += 4) {
    const at = (<usize>px) << 2;
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
    if (keep == 0) continue;
    const v = v128.or(i32x4.shl(label, 31), i32x4.add(i32x4.splat(px), LANES));
    k = put(k, f32x4.extract_lane(m, 0), i32x4.extract_lane(v, 0), keep & 1, keys, vals);
    k = put(k, f32x4.extract_lane(m, 1), i32x4.extract_lane(v, 1), (keep >> 1) & 1, keys, vals);
    k = put(k, f32x4.extract_lane(m, 2), i32x4.extract_lane(v, 2), (keep >> 2) & 1, keys, vals);
    k = put(k, f32x4.extract_lane(m, 3), i32x4.extract_lane(v, 3), keep >> 3, keys, vals);
  }
  let bad = i32(v128.any_true(bad4));
  let total =
    i32x4.extract_lane(total4, 0) +
    i32x4.extract_lane(total4, 1) +
    i32x4.extract_lane(total4, 2) +
    i32x4.extract_lane(total4, 3);
  // The last (end - start) % 4 pixels, one at a time.
  for (; px < end; px++) {
    const at = (<usize>px) << 2;
    const y = load<i32>(labels + at);
    const bits = load<i32>(logits + at);
    const ignored = hasIgnore && y == ign;
    bad |= i32((bits & 0x7f800000) == 0x7f800000) | i32(<u32>y > 1 && !ignored);
    if (ignored) continue;
    const sign: i32 = 1 - 2 * y;
    const m: f32 = reinterpret<f32>(bits) * <f32>sign + <f32>0;
    k = put(k, m, px | (y << 31), i32(m > <f32>-1), keys, vals);
    total += y;
  }
  if (bad != 0) return NaN;
  if (k == 0) return 0;
  const sorted = sortDescending(k, keys, vals, keys2, vals2, counts);
  return hingeLoss(k, total, scale, sorted, sorted == keys ? vals : vals2, grad);
}

/**
 * Writes the key m = -s * logit (s = 2y - 1; exact in float32) and the payload
 * pixel | label << 31 at position k and returns k + keep: a key that is not kept (its error
 * 1 + m is not positive) is overwritten by the next one, so no branch depends on the data.
 */
// @ts-ignore: decorator
@inline
function put(k: i32, m: f32, v: i32, keep: i32, keys: usize, vals: usize): i32 {
  store<f32>(keys + ((<usize>k) << 2), m);
  store<i32>(vals + ((<usize>k) << 2), v);
  return k + keep;
}

/**
 * Stable LSD radix sort of the k float32 keys at `keys` (payloads at `vals`), decreasing,
 * three passes of 11, 11 and 10 bits over t, the order-reversing int32 image of the float
 * bits; a pass whose digit is the same for every key is skipped. Returns the address of the
 * sorted images t (keys or keys2); the payloads sit at the same offset in vals or vals2.
 */
function sortDescending(
  k: i32,
  keys: usize,
  vals: usize,
  keys2: usize,
  vals2: usize,
  counts: usize,
): usize {
  memory.fill(counts, 0, COUNTS_BYTES);
  for (let i = 0; i < k; i++) {
    const t = image(load<i32>(keys + ((<usize>i) << 2)));
    bump(counts + ((<usize>(t & 2047)) << 2));
    bump(counts + 8192 + ((<usize>((t >>> 11) & 2047)) << 2));
    bump(counts + 16384 + ((<usize>(t >>> 22)) << 2));
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
  // The keys are mapped to their images in place first, so every pass moves images.
  for (let i = 0; i < k; i++) {
    const at = keys + ((<usize>i) << 2);
    store<i32>(at, image(load<i32>(at)));
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
function bump(at: usize): void {
  store<i32>(at, load<i32>(at) + 1);
}

/**
 * Loss and gradient from the sorted positive errors, as hingeLoss in src/core/hinge.ts:
 * foreground step d = 1 / (G + b), background step d = (G - a) / ((G + b) (G + b + 1)).
 */
function hingeLoss(k: i32, total: i32, scale: f64, keys: usize, vals: usize, grad: usize): f64 {
  let loss: f64 = 0;
  let fgBefore: i32 = 0;
  let union: i32 = total;
  // With no foreground at all, the first (background) step takes J from 0 to 1.
  let inv: f64 = union == 0 ? 1 : 1 / <f64>union;
  let invNext: f64 = 1 / <f64>(union + 1);
  for (let r = 0; r < k; r++) {
    const at = (<usize>r) << 2;
    const v = load<i32>(vals + at);
    const m = unimage(load<i32>(keys + at));
    let d: f64;
    if (v < 0) {
      d = inv;
      fgBefore++;
      store<f32>(grad + ((<usize>(v & 0x7fffffff)) << 2), <f32>(-scale * d));
    } else {
      d = union == 0 ? 1 : <f64>(total - fgBefore) * inv * invNext;
      union++;
      inv = invNext;
      invNext = 1 / <f64>(union + 1);
      store<f32>(grad + ((<usize>v) << 2), <f32>(scale * d));
    }
    loss += (1 + <f64>m) * d;
  }
  return loss;
}
