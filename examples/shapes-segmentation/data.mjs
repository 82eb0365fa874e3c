// The synthetic data set: grayscale images of random shapes (four classes: circles, squares,
// triangles, thin bars) over textured, noisy backgrounds, with their label masks. Everything
// comes from a seeded generator, so a seed always gives the same images.

/** Class names, by label value (0 = background). */
export const CLASSES = ['background', 'circle', 'square', 'triangle', 'bar'];

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box-Muller). */
function gauss(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * A texture in [-1, 1]-ish: a sum of a few random gratings (orientation, frequency, phase), so
 * that backgrounds and shapes have stripes and blotches rather than flat intensities, and an
 * edge is not enough to find a shape.
 */
function texture(rand, size, waves, maxFreq) {
  const g = [];
  for (let k = 0; k < waves; k++) {
    const angle = rand() * Math.PI;
    const freq = (0.02 + rand() * maxFreq) * 2 * Math.PI;
    g.push([Math.cos(angle) * freq, Math.sin(angle) * freq, rand() * 2 * Math.PI, 0.3 + rand()]);
  }
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let v = 0;
      for (const [fx, fy, phase, amp] of g) v += amp * Math.sin(fx * x + fy * y + phase);
      out[y * size + x] = v / waves;
    }
  }
  return out;
}

/** Whether (x, y) is inside shape `s` (centre cx, cy; size r; rotation a). */
function inside(s, x, y) {
  const dx = x - s.cx;
  const dy = y - s.cy;
  // Coordinates in the shape's frame.
  const u = dx * Math.cos(s.a) + dy * Math.sin(s.a);
  const v = -dx * Math.sin(s.a) + dy * Math.cos(s.a);
  switch (s.cls) {
    case 1: // circle of radius r
      return dx * dx + dy * dy <= s.r * s.r;
    case 2: // square of half-side r
      return Math.abs(u) <= s.r && Math.abs(v) <= s.r;
    case 3: {
      // equilateral triangle of circumradius 1.3 r: inside its three half-planes
      const R = 1.3 * s.r;
      for (let k = 0; k < 3; k++) {
        const t = s.a + (2 * Math.PI * k) / 3;
        if (dx * Math.cos(t) + dy * Math.sin(t) > R / 2) return false;
      }
      return true;
    }
    default: // thin bar: length 4 r, width s.w
      return Math.abs(u) <= 2 * s.r && Math.abs(v) <= s.w / 2;
  }
}

/**
 * `count` images of size x size pixels: `images` Float32Array [count, size, size] (values
 * roughly in [0, 1]) and `labels` Int32Array [count, size, size] in [0, CLASSES.length).
 * Each image: a textured background of random brightness, 2-5 shapes of random classes, sizes,
 * rotations, brightness and textures (later shapes occlude earlier ones), gaussian noise.
 * @example
 *   const { images, labels } = makeShapes(256, 64, 1);
 */
export function makeShapes(count, size, seed) {
  const rand = rng(seed);
  const images = new Float32Array(count * size * size);
  const labels = new Int32Array(count * size * size);
  const scale = size / 64;
  for (let n = 0; n < count; n++) {
    const off = n * size * size;
    const bgLevel = 0.3 + 0.4 * rand();
    const bg = texture(rand, size, 3, 0.12);
    const bgAmp = 0.04 + 0.08 * rand();
    for (let i = 0; i < size * size; i++) images[off + i] = bgLevel + bgAmp * bg[i];
    const shapes = 2 + Math.floor(rand() * 4);
    for (let k = 0; k < shapes; k++) {
      const cls = 1 + Math.floor(rand() * 4);
      const s = {
        cls,
        cx: 6 + rand() * (size - 12),
        cy: 6 + rand() * (size - 12),
        r: (cls === 4 ? 6 + rand() * 4 : 6 + rand() * 6) * scale,
        a: rand() * Math.PI * 2,
        w: (2 + rand() * 1.5) * scale,
      };
      // Brighter or darker than the background by a random contrast.
      const level = bgLevel + (rand() < 0.5 ? -1 : 1) * (0.25 + 0.25 * rand());
      const tex = texture(rand, size, 2, 0.25);
      const texAmp = 0.05 + 0.1 * rand();
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (!inside(s, x + 0.5, y + 0.5)) continue;
          images[off + y * size + x] = level + texAmp * tex[y * size + x];
          labels[off + y * size + x] = cls;
        }
      }
    }
    const noise = 0.04 + 0.05 * rand();
    for (let i = 0; i < size * size; i++) images[off + i] += noise * gauss(rand);
  }
  return { images, labels };
}
