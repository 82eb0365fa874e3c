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
  let k: i32 = 0;
  let total: i32 = 0;
  let bad: i32 = 0;
  if (hasIgnore) {
    for (let px = start; px < end; px++) {
      const at = (<usize>px) << 2;
      const y = load<i32>(labels + at);
      const bits = load<i32>(logits + at);
      bad |= i32((bits & 0x7f800000) == 0x7f800000);
      if (y == ign) continue;
      bad |= i32(<u32>y > 1);
      k = gather(k, px, y, bits, keys, vals);
      total += y;
    }
  } else {
    for (let px = start; px < end; px++) {
      const at = (<usize>px) << 2;
      const y = load<i32>(labels + at);
      const bits = load<i32>(logits + at);
      bad |= i32((bits & 0x7f800000) == 0x7f800000) | i32(<u32>y > 1);
      k = gather(k, px, y, bits, keys, vals);
      total += y;
    }
  }
  if (bad != 0) return NaN;
  if (k == 0) return 0;
  const sorted = sortDescending(k, keys, vals, keys2, vals2, counts);
  return hingeLoss(k, total, scale, sorted, sorted == keys ? vals : vals2, grad);
}

/**
 * Writes the key m = -s * logit (s = 2y - 1; exact in float32) and the payload
 * pixel | label << 31 at position k; returns k + 1 when the error 1 + m is positive, else k
 * (the next pixel overwrites the slot): no branch on data that is random pixel to pixel.
 */
// @ts-ignore: decorator
@inline
function gather(k: i32, px: i32, y: i32, bits: i32, keys: usize, vals: usize): i32 {
  const s: i32 = 1 - 2 * y;
  // + 0 turns -0 into +0, which the sort needs (the two are equal keys).
  const m: f32 = reinterpret<f32>(bits) * <f32>s + <f32>0;
  store<f32>(keys + ((<usize>k) << 2), m);
  store<i32>(vals + ((<usize>k) << 2), px | (y << 31));
  return k + i32(m > <f32>-1);
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
