// @ts-check
/**
 * Seeded benchmark inputs, so that two runs (and two machines) time the same numbers.
 * Generation is kept out of every timed region by the caller.
 */

/**
 * mulberry32: a tiny 32-bit PRNG, good enough for benchmark data and identical everywhere.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal samples (Box-Muller; the second value is dropped to keep the code short).
 * @param {() => number} rand
 */
export function gaussian(rand) {
  let u = rand();
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * NHWC probabilities [B, H, W, C] and labels [B, H, W], built like radix_limit.c:
 * uniform positive values (+1e-3 so no pixel is all zero) normalised per pixel, labels
 * uniform in [0, C). Random labels make every class present, the worst case for 'present'.
 * @param {number[]} size [B, C, H, W] (the order the issue and radix_limit.c use)
 * @param {number} seed
 */
export function softmaxInput([B, C, H, W], seed) {
  const rand = mulberry32(seed);
  const pixels = B * H * W;
  if (C === 1) return sigmoidInput(B, H, W, rand);
  const probas = new Float32Array(pixels * C);
  const labels = new Int32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const v = rand() + 1e-3;
      probas[i * C + c] = v;
      sum += v;
    }
    for (let c = 0; c < C; c++) probas[i * C + c] /= sum;
    labels[i] = Math.floor(rand() * C);
  }
  return { probas, labels, shape: [B, H, W, C] };
}

/**
 * Probabilities of a confident, mostly right model: the label's probability is uniform in
 * [0.5, 1] for 90% of pixels and in [0, 0.5] otherwise, the rest spread over the other classes.
 * Foreground and background errors then overlap over most of [0, 1], so the core's exact cuts
 * leave most pixels to sort: the kernel's worst case, unlike the uniform input above.
 * @param {number[]} size [B, C, H, W]
 * @param {number} seed
 */
export function confidentSoftmaxInput([B, C, H, W], seed) {
  const rand = mulberry32(seed);
  const pixels = B * H * W;
  const probas = new Float32Array(pixels * C);
  const labels = new Int32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const y = Math.floor(rand() * C);
    labels[i] = y;
    const py = rand() < 0.9 ? 0.5 + 0.5 * rand() : 0.5 * rand();
    let sum = 0;
    for (let c = 0; c < C; c++) {
      if (c === y) continue;
      const v = rand() + 1e-3;
      probas[i * C + c] = v;
      sum += v;
    }
    for (let c = 0; c < C; c++)
      probas[i * C + c] = c === y ? py : ((1 - py) * probas[i * C + c]) / sum;
  }
  return { probas, labels, shape: [B, H, W, C] };
}

/**
 * One channel (Lovász-Sigmoid, radix_limit.c with C = 1): probabilities uniform in [0, 1)
 * against fair 0/1 labels; shape [B, H, W] as the core expects for one channel.
 * @param {number} B
 * @param {number} H
 * @param {number} W
 * @param {() => number} rand
 */
function sigmoidInput(B, H, W, rand) {
  const pixels = B * H * W;
  const probas = new Float32Array(pixels);
  const labels = new Int32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    probas[i] = rand();
    labels[i] = rand() < 0.5 ? 1 : 0;
  }
  return { probas, labels, shape: [B, H, W] };
}

/**
 * Logits [B, H, W] and 0/1 labels for the Lovász hinge.
 * - 'random': logits N(0, 1), labels fair coin flips (about 84% of errors are positive).
 * - 'trained': 90% of pixels get logit = s * (1 + |N|), s = 2y - 1, so their error
 *   e = 1 - s * logit = -|N| <= 0 (a well-trained model); the other 10% are random.
 * @param {number[]} size [B, H, W]
 * @param {'random' | 'trained'} kind
 * @param {number} seed
 */
export function hingeInput([B, H, W], kind, seed) {
  const rand = mulberry32(seed);
  const n = B * H * W;
  const logits = new Float32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = rand() < 0.5 ? 1 : 0;
    labels[i] = y;
    const z = gaussian(rand);
    logits[i] = kind === 'trained' && rand() < 0.9 ? (2 * y - 1) * (1 + Math.abs(z)) : z;
  }
  return { logits, labels, shape: [B, H, W] };
}

/**
 * Fraction of pixels whose hinge error 1 - s * logit is positive (reported next to the rows).
 * @param {Float32Array} logits
 * @param {Int32Array} labels
 */
export function positiveErrorFraction(logits, labels) {
  let k = 0;
  for (let i = 0; i < logits.length; i++) {
    if (1 - (2 * labels[i] - 1) * logits[i] > 0) k++;
  }
  return k / logits.length;
}
