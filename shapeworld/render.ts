/**
 * The ShapeWorld renderer: a scene to 32x32 RGB bytes (HWC, row-major), anti-aliased.
 *
 * Each pixel's colour is background * (1 - a) + paint * a, where a is the fraction of the
 * pixel the shape covers: exact for squares (product of the overlaps on each axis), and from
 * a SUPERSAMPLE x SUPERSAMPLE grid for circles and triangles on boundary pixels only (pixels
 * wholly inside or outside are decided from their corners). Objects never overlap, so the
 * order of painting does not matter.
 */
import { boxOf, IMAGE_SIZE, type Scene, type SceneObject } from "./scene.ts";
import { BACKGROUND, PALETTE } from "./vocab.ts";

const SUPERSAMPLE = 4;

/** Whether point (px, py) lies inside the object's shape. */
function inside(o: SceneObject, px: number, py: number): boolean {
  const h = o.extent / 2;
  switch (o.shape) {
    case "circle": {
      const dx = px - o.x, dy = py - o.y;
      return dx * dx + dy * dy <= h * h;
    }
    case "square":
      return Math.abs(px - o.x) <= h && Math.abs(py - o.y) <= h;
    case "triangle": {
      // Upright isosceles: apex (x, y - h), base from (x - h, y + h) to (x + h, y + h).
      // Half-width at height py grows linearly from 0 at the apex to h at the base.
      if (py < o.y - h || py > o.y + h) return false;
      const halfWidth = (py - (o.y - h)) / 2;
      return Math.abs(px - o.x) <= halfWidth;
    }
  }
}

/** Fraction of pixel (i, j) covered by the object, in [0, 1]. */
export function coverage(o: SceneObject, i: number, j: number): number {
  if (o.shape === "square") {
    const h = o.extent / 2;
    const wx = Math.max(0, Math.min(i + 1, o.x + h) - Math.max(i, o.x - h));
    const wy = Math.max(0, Math.min(j + 1, o.y + h) - Math.max(j, o.y - h));
    return wx * wy;
  }
  // Convex shapes: all four corners inside means fully covered. A circle is fully outside
  // when the pixel's centre is farther than r + sqrt(1/2) from the circle's centre.
  const c00 = inside(o, i, j), c10 = inside(o, i + 1, j);
  const c01 = inside(o, i, j + 1), c11 = inside(o, i + 1, j + 1);
  if (c00 && c10 && c01 && c11) return 1;
  if (o.shape === "circle" && !(c00 || c10 || c01 || c11)) {
    const d = Math.hypot(i + 0.5 - o.x, j + 0.5 - o.y);
    if (d > o.extent / 2 + Math.SQRT1_2) return 0;
  }
  let n = 0;
  const step = 1 / SUPERSAMPLE;
  for (let sy = 0; sy < SUPERSAMPLE; sy++) {
    for (let sx = 0; sx < SUPERSAMPLE; sx++) {
      if (inside(o, i + (sx + 0.5) * step, j + (sy + 0.5) * step)) n++;
    }
  }
  return n / (SUPERSAMPLE * SUPERSAMPLE);
}

/** Render a scene: IMAGE_SIZE * IMAGE_SIZE * 3 bytes, RGB, HWC row-major. */
export function renderScene(scene: Scene): Uint8Array {
  const W = IMAGE_SIZE, H = IMAGE_SIZE;
  const out = new Uint8Array(W * H * 3);
  const [br, bg, bb] = BACKGROUND;
  for (let p = 0; p < W * H; p++) {
    out[3 * p] = br;
    out[3 * p + 1] = bg;
    out[3 * p + 2] = bb;
  }
  for (const o of scene.objects) {
    const [x0, y0, x1, y1] = boxOf(o);
    const [r, g, b] = PALETTE[o.colour];
    const i0 = Math.max(0, Math.floor(x0)), i1 = Math.min(W - 1, Math.ceil(x1) - 1);
    const j0 = Math.max(0, Math.floor(y0)), j1 = Math.min(H - 1, Math.ceil(y1) - 1);
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const a = coverage(o, i, j);
        if (a <= 0) continue;
        const k = 3 * (j * W + i);
        out[k] = Math.round(br + (r - br) * a);
        out[k + 1] = Math.round(bg + (g - bg) * a);
        out[k + 2] = Math.round(bb + (b - bb) * a);
      }
    }
  }
  return out;
}
