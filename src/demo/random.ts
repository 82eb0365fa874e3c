/**
 * A small seeded random generator: mulberry32 for uniforms, Box-Muller for normals.
 *
 * Deterministic across platforms (32-bit integer arithmetic and IEEE doubles only), so a demo
 * run is reproducible from its seed alone. Not for cryptography; its period is 2^32.
 * @example
 *   const rng = new Random(42);
 *   rng.uniform();      // in [0, 1)
 *   rng.int(200);       // integer in [0, 200)
 *   rng.normal(1, 2.5); // mean 1, standard deviation 2.5
 */
export class Random {
  private state: number;
  /** The second normal of the last Box-Muller pair, not yet returned. */
  private spare: number | null = null;

  /** `seed`: any integer; only its low 32 bits matter. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform double in [0, 1) with 32 random bits (mulberry32). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A normal draw with the given mean and standard deviation (Box-Muller, pairs cached). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return mean + std * r * Math.cos(theta);
  }

  /**
   * An independent generator for one purpose (e.g. 'binary-data'), so that the draws of one
   * part of a demo do not shift when another part changes.
   */
  static derive(seed: number, purpose: string): Random {
    // FNV-1a of the purpose, mixed with the seed.
    let h = 0x811c9dc5 ^ (seed >>> 0);
    for (let i = 0; i < purpose.length; i++) {
      h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193);
    }
    return new Random(h >>> 0);
  }
}
