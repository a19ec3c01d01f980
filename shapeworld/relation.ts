/**
 * Relative position of two boxes, exactly as GenEval judges it (its `relative_position`,
 * POSITION_THRESHOLD = 0.1), so "left of" means the same here as in the paper's benchmark.
 *
 * Notation: boxes are [x0, y0, x1, y1] in pixels, y grows downwards (image rows).
 *   1. offset = centre(A) - centre(B)
 *   2. revised = sign(offset) * max(|offset| - 0.1 * (dim(A) + dim(B)), 0)   (per axis)
 *   3. if revised is ~0 on both axes, no relation holds
 *   4. (dx, dy) = revised / |offset|; left of: dx < -0.5, right of: dx > 0.5,
 *      above: dy < -0.5, below: dy > 0.5 (several may hold at once).
 */
import type { Relation } from "./vocab.ts";

export type Box = readonly [number, number, number, number];

export const POSITION_THRESHOLD = 0.1;

/** The normalised revised offset (dx, dy) of A relative to B, or null when they coincide. */
export function revisedOffset(a: Box, b: Box): [number, number] | null {
  // 1. centre offset
  const ox = (a[0] + a[2]) / 2 - (b[0] + b[2]) / 2;
  const oy = (a[1] + a[3]) / 2 - (b[1] + b[3]) / 2;
  // 2. shrink by a tenth of the summed dimensions, so touching neighbours are not "left of"
  const rx = Math.sign(ox) *
    Math.max(Math.abs(ox) - POSITION_THRESHOLD * ((a[2] - a[0]) + (b[2] - b[0])), 0);
  const ry = Math.sign(oy) *
    Math.max(Math.abs(oy) - POSITION_THRESHOLD * ((a[3] - a[1]) + (b[3] - b[1])), 0);
  // 3. no relation when both revised offsets vanish
  if (Math.abs(rx) < 1e-3 && Math.abs(ry) < 1e-3) return null;
  // 4. normalise by the raw offset's length
  const n = Math.hypot(ox, oy);
  return [rx / n, ry / n];
}

/** The set of relations A stands in to B. */
export function relationsBetween(a: Box, b: Box): Set<Relation> {
  const out = new Set<Relation>();
  const d = revisedOffset(a, b);
  if (d === null) return out;
  const [dx, dy] = d;
  if (dx < -0.5) out.add("left of");
  if (dx > 0.5) out.add("right of");
  if (dy < -0.5) out.add("above");
  if (dy > 0.5) out.add("below");
  return out;
}

/**
 * Whether A stands clearly in `r` to B: the relation's component is beyond `strong` and the
 * other axis' component below `weak`, so only `r` holds and small perturbations keep it.
 * The layout uses this to make captions unambiguous.
 */
export function clearlyRelated(a: Box, b: Box, r: Relation, strong = 0.75, weak = 0.35): boolean {
  const d = revisedOffset(a, b);
  if (d === null) return false;
  const [dx, dy] = d;
  switch (r) {
    case "left of":
      return dx < -strong && Math.abs(dy) < weak;
    case "right of":
      return dx > strong && Math.abs(dy) < weak;
    case "above":
      return dy < -strong && Math.abs(dx) < weak;
    case "below":
      return dy > strong && Math.abs(dx) < weak;
  }
}
