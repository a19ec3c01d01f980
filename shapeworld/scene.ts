/**
 * Scenes and their random layout (docs/method.md §8): which objects, where, how big.
 *
 * Coordinates are continuous pixels: pixel (i, j) covers [i, i+1) x [j, j+1); an object is
 * described by the centre (x, y) and side `extent` of its square bounding box. Objects never
 * overlap: bounding boxes keep a gap of at least MIN_GAP pixels, and a border of BORDER
 * pixels to the image edge, so ShapeEval's connected components are exact on clean renders.
 */
import type { Meaning, ObjectSpec } from "./meaning.ts";
import { objectsOf } from "./meaning.ts";
import { trainColoursFor } from "./heldout.ts";
import { type Box, clearlyRelated } from "./relation.ts";
import type { Rng } from "../lib/rng.ts";
import { type Colour, COLOURS, type Shape, type Size, SIZE_RANGE, SIZES } from "./vocab.ts";

export const IMAGE_SIZE = 32;
/** Minimum gap between two objects' bounding boxes, in pixels. */
export const MIN_GAP = 2;
/** Minimum distance from a bounding box to the image edge, in pixels. */
export const BORDER = 1;

export interface SceneObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  /** Side of the bounding box in pixels, within SIZE_RANGE[size]. */
  extent: number;
  /** Centre of the bounding box, in pixels from the left edge. */
  x: number;
  /** Centre of the bounding box, in pixels from the top edge. */
  y: number;
}

export interface Scene {
  objects: SceneObject[];
}

/** The bounding box [x0, y0, x1, y1] of an object. */
export function boxOf(o: SceneObject): Box {
  const h = o.extent / 2;
  return [o.x - h, o.y - h, o.x + h, o.y + h];
}

function apart(a: Box, b: Box): boolean {
  return a[2] + MIN_GAP <= b[0] || b[2] + MIN_GAP <= a[0] ||
    a[3] + MIN_GAP <= b[1] || b[3] + MIN_GAP <= a[1];
}

/** Fill in a spec's free attributes: size, extent, colour (never a held-out pair). */
function concretise(spec: ObjectSpec, rng: Rng): Omit<SceneObject, "x" | "y"> {
  const size = spec.size ?? rng.pick(SIZES);
  const [lo, hi] = SIZE_RANGE[size];
  const colour = spec.colour ?? rng.pick(trainColoursFor(spec.shape, COLOURS));
  return { shape: spec.shape, colour, size, extent: rng.uniform(lo, hi) };
}

function randomCentre(extent: number, rng: Rng): [number, number] {
  const lo = BORDER + extent / 2;
  const hi = IMAGE_SIZE - BORDER - extent / 2;
  return [rng.uniform(lo, hi), rng.uniform(lo, hi)];
}

/** Whether placed objects satisfy the meaning's layout constraints (only position has any). */
function satisfies(m: Meaning, objs: readonly SceneObject[]): boolean {
  if (m.category !== "position") return true;
  return clearlyRelated(boxOf(objs[0]!), boxOf(objs[1]!), m.relation);
}

/** Uniform rejection sampling of centres: exact distribution, used while it succeeds. */
function placeRandomly(
  m: Meaning,
  parts: Omit<SceneObject, "x" | "y">[],
  rng: Rng,
): SceneObject[] | null {
  const placed: SceneObject[] = [];
  for (const p of parts) {
    let ok = false;
    for (let t = 0; t < 60 && !ok; t++) {
      const [x, y] = randomCentre(p.extent, rng);
      const o = { ...p, x, y };
      const box = boxOf(o);
      if (placed.every((q) => apart(box, boxOf(q)))) {
        placed.push(o);
        ok = true;
      }
    }
    if (!ok) return null;
  }
  return satisfies(m, placed) ? placed : null;
}

/**
 * Fallback for crowded scenes (four large objects): one object per cell of a 2x2 grid, with
 * jitter; cells are far enough apart that any extents fit.
 */
function placeInGrid(
  m: Meaning,
  parts: Omit<SceneObject, "x" | "y">[],
  rng: Rng,
): SceneObject[] | null {
  const cells = rng.shuffle([[0, 0], [1, 0], [0, 1], [1, 1]]);
  const half = IMAGE_SIZE / 2;
  // A centre's range along one axis of a cell: the box stays BORDER from the image edge and
  // MIN_GAP / 2 from the cell's inner edge, so boxes in different cells are MIN_GAP apart.
  const range = (cell: number, e: number): [number, number] =>
    cell === 0
      ? [BORDER + e / 2, half - MIN_GAP / 2 - e / 2]
      : [half + MIN_GAP / 2 + e / 2, IMAGE_SIZE - BORDER - e / 2];
  const placed = parts.map((p, i) => {
    const [cx, cy] = cells[i]!;
    const [x0, x1] = range(cx!, p.extent);
    const [y0, y1] = range(cy!, p.extent);
    return { ...p, x: rng.uniform(x0, x1), y: rng.uniform(y0, y1) };
  });
  return satisfies(m, placed) ? placed : null;
}

/**
 * A random scene satisfying the meaning: exactly its objects (free colours and sizes drawn at
 * random, free colours never forming a held-out pair), non-overlapping, and for position
 * captions placed so the relation clearly holds (as GenEval judges it). "Two objects" with no
 * relation are placed anywhere. Deterministic given the Rng's state.
 */
export function layoutFor(m: Meaning, rng: Rng): Scene {
  const specs = objectsOf(m);
  for (let attempt = 0; attempt < 200; attempt++) {
    const parts = specs.map((s) => concretise(s, rng));
    const objs = attempt < 100 ? placeRandomly(m, parts, rng) : placeInGrid(m, parts, rng);
    if (objs !== null) return { objects: objs };
  }
  throw new RangeError(`Cannot lay out a scene for ${JSON.stringify(m)}: no placement found`);
}
