/** Pair groups with PNG images for the trainer tests (tiny 16x16 renders, seeded). */
import type { FlowGroup } from "../../../schemas/flow.ts";
import { Rng } from "../../../lib/rng.ts";
import type { Pair } from "../../../schemas/pair.ts";
import { encodePng } from "../../../lib/png.ts";

const PROMPTS = ["a red circle", "two blue circles", "a blue square", "a red square"];

/** A coloured square on gray at a seeded place. */
export function squareImage(size: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const img = new Uint8Array(size * size * 3).fill(200);
  const k = Math.max(2, size >> 2);
  const r0 = rng.int(size - k), c0 = rng.int(size - k);
  const colour = [rng.int(256), rng.int(256), rng.int(256)];
  for (let r = r0; r < r0 + k; r++) {
    for (let c = c0; c < c0 + k; c++) img.set(colour, (r * size + c) * 3);
  }
  return img;
}

/**
 * `groups` prompt groups with `pairsPer` pairs each (0 gives empty groups); group g's pair p
 * has winner sample 2p and loser 2p + 1, dR_ca in (0, 1) from the seed, and two rewards' Rca.
 */
export function pairGroups(
  groups: number,
  pairsPer: number,
  size: number,
  seed = 1,
): FlowGroup<Pair>[] {
  const rng = new Rng(seed);
  return Array.from({ length: groups }, (_, g) => {
    const prompt_id = `p${String(g).padStart(3, "0")}`;
    const prompt = PROMPTS[g % PROMPTS.length]!;
    const images = new Map<string, { bytes: Uint8Array; path: string | null }>();
    const rows: Pair[] = [];
    for (let p = 0; p < pairsPer; p++) {
      const w = `${prompt_id}:${2 * p}`, l = `${prompt_id}:${2 * p + 1}`;
      images.set(w, {
        bytes: encodePng(squareImage(size, seed * 1000 + g * 10 + 2 * p), size, size),
        path: null,
      });
      images.set(l, {
        bytes: encodePng(squareImage(size, seed * 1000 + g * 10 + 2 * p + 1), size, size),
        path: null,
      });
      const a = [0.5 + 0.5 * rng.next(), 0.5 * rng.next()];
      const b = [0.5 + 0.4 * rng.next(), 0.5 * rng.next()];
      const tw = (a[0]! + b[0]!) / 2, tl = (a[1]! + b[1]!) / 2;
      rows.push({
        pair_id: `${prompt_id}:${p}`,
        prompt_id,
        prompt,
        pair_index: p,
        winner_id: w,
        loser_id: l,
        winner_index: 2 * p,
        loser_index: 2 * p + 1,
        target_winner: tw,
        target_loser: tl,
        delta: tw - tl,
        method: "sum-calibrated",
        rca_winner_a: a[0]!,
        rca_loser_a: a[1]!,
        rca_winner_b: b[0]!,
        rca_loser_b: b[1]!,
      } as Pair);
    }
    return { prompt_id, prompt, rows, images };
  });
}
