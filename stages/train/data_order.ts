/**
 * The order pairs are trained in: an endless concatenation of seeded permutations of the P
 * pairs of an epoch, one per epoch; step k takes positions [kB, (k + 1)B). The order is a pure
 * function of (seed, P, position) and of the epoch's pairs, so a resumed run needs only the
 * step count to continue exactly.
 *
 * An epoch's pairs are every pair ('all', `train.epoch_pairs`), or, with `pool`, the P pair
 * indices `pool(epoch)` gives: 'redraw' trains one pair per prompt per epoch, epoch e the
 * prompt's pair e mod k of its k (stages/train/pair_data.ts `epochPairs`).
 */
import { Rng } from "../../lib/rng.ts";

/**
 * Which pairs an epoch trains: 'all' every selected pair; 'redraw' one pair per prompt, a new
 * one each epoch while the prompt has more (the paper's FRS redraw, with
 * select.pairs_per_prompt = epochs independent seeded draws).
 */
export const EPOCH_PAIRS = ["all", "redraw"] as const;
export type EpochPairs = typeof EPOCH_PAIRS[number];

/** A key separating this stream from the per-step noise draws of the same seed. */
const ORDER_KEY = 0x0da7a;

export class DataOrder {
  readonly seed: number;
  readonly size: number;
  #pool: ((epoch: number) => readonly number[]) | null;
  #epoch = -1;
  #perm: number[] = [];

  /** `size` pairs per epoch; `pool(epoch)`: the epoch's pair indices (`size` of them). */
  constructor(seed: number, size: number, pool?: (epoch: number) => readonly number[]) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot construct DataOrder as size must be a positive integer: current value is ${size}`,
      );
    }
    this.seed = seed;
    this.size = size;
    this.#pool = pool ?? null;
  }

  /** The pair index at a position of the stream. */
  at(position: number): number {
    const epoch = Math.floor(position / this.size);
    if (epoch !== this.#epoch) {
      const rng = Rng.derive(this.seed, ORDER_KEY, epoch);
      const perm = rng.shuffle(Array.from({ length: this.size }, (_, i) => i));
      const pool = this.#pool?.(epoch);
      if (pool !== undefined && pool.length !== this.size) {
        throw new RangeError(
          `Cannot order epoch ${epoch} as its pool must hold ${this.size} pairs: current ` +
            `length is ${pool.length}`,
        );
      }
      this.#perm = pool === undefined ? perm : perm.map((i) => pool[i]!);
      this.#epoch = epoch;
    }
    return this.#perm[position - epoch * this.size]!;
  }

  /** The pair indices of step `step` with `batch` pairs per step. */
  batch(step: number, batch: number): number[] {
    return Array.from({ length: batch }, (_, j) => this.at(step * batch + j));
  }
}
