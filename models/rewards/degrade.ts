/**
 * Graded degradations of ShapeWorld renders, the training signal of the aesthetic reward and
 * part of the hidden annotator's judgement (docs/method.md §8). Six kinds, each at levels 1-4
 * (0 is the clean render); a higher level is a worse image of the same kind:
 *
 *   kind          acts on  level l means
 *   blur          pixels   Gaussian blur, sigma = 0.4 l px (shapeworld/degrade.ts)
 *   noise         pixels   additive Gaussian noise, sigma = 7 l (0-255 units)
 *   colour_shift  pixels   a global colour cast: one random RGB direction, 16 l per unit
 *   blotches      pixels   l soft blobs of random colour, radius 1.5-3 px, opacity 0.8
 *   cutoff        scene    one object pushed over the image edge, 0.1 + 0.15 l of it outside
 *   merge         scene    one object pushed into another, boxes overlapping 0.1 + 0.15 l
 *
 * Scene kinds change object positions before rendering (the renderer clips at the edge and
 * paints later objects over earlier ones); pixel kinds change the rendered bytes.
 */
import type { Rng } from "../../lib/rng.ts";
import { addGaussianNoise, gaussianBlur } from "../../shapeworld/degrade.ts";
import { renderScene } from "../../shapeworld/render.ts";
import { IMAGE_SIZE, type Scene } from "../../shapeworld/scene.ts";

export const DEGRADATION_KINDS = [
  "blur",
  "noise",
  "colour_shift",
  "blotches",
  "cutoff",
  "merge",
] as const;
export type DegradationKind = typeof DEGRADATION_KINDS[number];

/** The highest level; levels are integers 0 (clean) to MAX_LEVEL. */
export const MAX_LEVEL = 4;

/** Whether `kind` can degrade `scene` (merging needs two objects, cutting off needs one). */
export function applicable(kind: DegradationKind, scene: Scene): boolean {
  if (kind === "merge") return scene.objects.length >= 2;
  if (kind === "cutoff") return scene.objects.length >= 1;
  return true;
}

function checkLevel(level: number): void {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) {
    throw new RangeError(
      `Cannot degrade as level must be an integer in [0, ${MAX_LEVEL}]: current value is ${level}`,
    );
  }
}

/** A copy of `scene` with the scene-level degradation applied (pixel kinds: unchanged). */
export function degradeScene(scene: Scene, kind: DegradationKind, level: number, rng: Rng): Scene {
  checkLevel(level);
  const objects = scene.objects.map((o) => ({ ...o }));
  if (level === 0 || (kind !== "cutoff" && kind !== "merge")) return { objects };
  if (!applicable(kind, scene)) {
    throw new RangeError(
      `Cannot apply degradation '${kind}' as the scene has ${scene.objects.length} object(s)`,
    );
  }
  const frac = 0.1 + 0.15 * level;
  if (kind === "cutoff") {
    // Push one object over a random edge so that `frac` of its extent lies outside.
    const o = rng.pick(objects);
    const inside = o.extent * (1 - frac);
    const edge = rng.int(4);
    if (edge === 0) o.x = inside - o.extent / 2;
    else if (edge === 1) o.x = IMAGE_SIZE - inside + o.extent / 2;
    else if (edge === 2) o.y = inside - o.extent / 2;
    else o.y = IMAGE_SIZE - inside + o.extent / 2;
    return { objects };
  }
  // merge: move b towards a along their centre line until the boxes overlap by `frac` of the
  // smaller extent (measured along the dominant axis of the direction).
  const i = rng.int(objects.length);
  let j = rng.int(objects.length - 1);
  if (j >= i) j++;
  const a = objects[i]!, b = objects[j]!;
  let dx = b.x - a.x, dy = b.y - a.y;
  const n = Math.hypot(dx, dy) || 1;
  dx /= n;
  dy /= n;
  const reach = (a.extent + b.extent) / 2 - frac * Math.min(a.extent, b.extent);
  const along = reach / Math.max(Math.abs(dx), Math.abs(dy));
  b.x = a.x + dx * along;
  b.y = a.y + dy * along;
  return { objects };
}

/** A copy of the rendered `rgb` with the pixel-level degradation applied (scene kinds: unchanged). */
export function degradePixels(
  rgb: Uint8Array,
  kind: DegradationKind,
  level: number,
  rng: Rng,
): Uint8Array {
  checkLevel(level);
  if (level === 0) return rgb.slice();
  switch (kind) {
    case "blur":
      return gaussianBlur(rgb, IMAGE_SIZE, IMAGE_SIZE, 0.4 * level);
    case "noise":
      return addGaussianNoise(rgb, 7 * level, rng);
    case "colour_shift":
      return colourCast(rgb, 16 * level, rng);
    case "blotches":
      return blotches(rgb, level, rng);
    case "cutoff":
    case "merge":
      return rgb.slice();
  }
}

/** Render `scene` degraded by `kind` at `level`: scene change, render, pixel change. */
export function renderDegraded(scene: Scene, kind: DegradationKind, level: number, rng: Rng): {
  scene: Scene;
  image: Uint8Array;
} {
  const s = degradeScene(scene, kind, level, rng);
  return { scene: s, image: degradePixels(renderScene(s), kind, level, rng) };
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Add `magnitude` times a random unit RGB direction to every pixel. */
function colourCast(rgb: Uint8Array, magnitude: number, rng: Rng): Uint8Array {
  const d = [rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(d[0]!, d[1]!, d[2]!) || 1;
  // Scale so the largest channel moves by `magnitude`: a cast of the stated strength.
  const m = Math.max(...d.map(Math.abs)) / n;
  const off = d.map((v) => (v / n) * (magnitude / m));
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = clampByte(rgb[i]! + off[i % 3]!);
  return out;
}

/** Paint `count` soft discs of random colour (opacity 0.8, a one-pixel soft rim). */
function blotches(rgb: Uint8Array, count: number, rng: Rng): Uint8Array {
  const out = rgb.slice();
  for (let k = 0; k < count; k++) {
    const cx = rng.uniform(2, IMAGE_SIZE - 2), cy = rng.uniform(2, IMAGE_SIZE - 2);
    const r = rng.uniform(1.5, 3);
    const paint = [rng.uniform(30, 220), rng.uniform(30, 220), rng.uniform(30, 220)];
    const x0 = Math.max(0, Math.floor(cx - r - 1)),
      x1 = Math.min(IMAGE_SIZE - 1, Math.ceil(cx + r + 1));
    const y0 = Math.max(0, Math.floor(cy - r - 1)),
      y1 = Math.min(IMAGE_SIZE - 1, Math.ceil(cy + r + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const a = 0.8 * Math.min(1, Math.max(0, r + 0.5 - d));
        if (a <= 0) continue;
        const p = 3 * (y * IMAGE_SIZE + x);
        for (let c = 0; c < 3; c++) out[p + c] = clampByte(out[p + c]! * (1 - a) + paint[c]! * a);
      }
    }
  }
  return out;
}
