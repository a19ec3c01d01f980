/**
 * A small seeded random number generator (xoshiro128**, seeded by splitmix32).
 *
 * Every random choice in capo (scene layout, FRS draws, noise, weight init) goes through this,
 * so a run is reproducible from its config's seed, and the state can be saved in a checkpoint
 * and restored to resume exactly.
 */
export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  #s: Uint32Array;
  #spareNormal: number | null = null;

  /** @param seed any finite number; non-integers are truncated. */
  constructor(seed: number | RngState) {
    this.#s = new Uint32Array(4);
    if (Array.isArray(seed)) {
      this.#s.set(seed);
    } else {
      if (!Number.isFinite(seed)) {
        throw new RangeError(
          `Cannot construct Rng as seed must be finite: current value is ${seed}`,
        );
      }
      // Fold a 53-bit integer seed into the 32-bit splitmix seed.
      const hi = Math.floor(seed / 2 ** 32) >>> 0;
      const next = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
      for (let i = 0; i < 4; i++) this.#s[i] = next();
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1;
  }

  /** Derive an independent stream, e.g. one per prompt: `rng.fork(promptIndex)`. */
  static derive(seed: number, ...keys: number[]): Rng {
    let h = seed >>> 0;
    for (const k of keys) h = (Math.imul(h ^ (k >>> 0), 0x9e3779b1) + 0x7f4a7c15) >>> 0;
    return new Rng(h + Math.floor(seed / 2 ** 32) * 2 ** 32);
  }

  /** The state, for checkpoints. */
  state(): RngState {
    const s = this.#s;
    return [s[0]!, s[1]!, s[2]!, s[3]!];
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(
        `Cannot draw Rng.int(n) as n must be a positive integer: current value is ${n}`,
      );
    }
    return Math.floor(this.next() * n);
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Pick one element of a non-empty array. */
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError("Cannot pick from an empty array");
    return xs[this.int(xs.length)]!;
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const v = this.#spareNormal;
      this.#spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fill a Float32Array with standard normals. */
  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
