/**
 * The order pairs are trained in: an endless concatenation of seeded permutations of the P
 * pairs, one per epoch; step k takes positions [kB, (k + 1)B). The order is a pure function of
 * (seed, P, position), so a resumed run needs only the step count to continue exactly.
 */
import { Rng } from "../../lib/rng.ts";

/** A key separating this stream from the per-step noise draws of the same seed. */
const ORDER_KEY = 0x0da7a;

export class DataOrder {
  readonly seed: number;
  readonly size: number;
  #epoch = -1;
  #perm: number[] = [];

  constructor(seed: number, size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot construct DataOrder as size must be a positive integer: current value is ${size}`,
      );
    }
    this.seed = seed;
    this.size = size;
  }

  /** The pair index at a position of the stream. */
  at(position: number): number {
    const epoch = Math.floor(position / this.size);
    if (epoch !== this.#epoch) {
      const rng = Rng.derive(this.seed, ORDER_KEY, epoch);
      this.#perm = rng.shuffle(Array.from({ length: this.size }, (_, i) => i));
      this.#epoch = epoch;
    }
    return this.#perm[position - epoch * this.size]!;
  }

  /** The pair indices of step `step` with `batch` pairs per step. */
  batch(step: number, batch: number): number[] {
    return Array.from({ length: batch }, (_, j) => this.at(step * batch + j));
  }
}
