/**
 * ShapeEval's detector: the objects in an RGB image, found by colour segmentation, connected
 * components and template matching (docs/method.md §8; independent of every reward model).
 *
 * Notation: p a pixel's RGB, b the background, c_k the paint of colour k, d_k = c_k - b.
 *   1. b = per-channel median of the image's outer frame (scenes keep a border free).
 *   2. Each pixel is explained as a blend b + alpha * d_k (how the renderer anti-aliases):
 *      alpha_k = <p - b, d_k> / |d_k|^2, residual_k = |p - b - clamp(alpha_k) d_k|^2;
 *      its colour is argmin_k residual_k, and it is foreground when that alpha_k >= 1/2.
 *   3. Foreground pixels of one colour form objects by 8-connected components.
 *   4. Per component: mass A = sum of alpha over the component and the ring around it
 *      (unclamped, so noise averages out and blur, which preserves mass, does not change it);
 *      components lighter than MIN_MASS are noise and dropped.
 *   5. Shape: for each shape, the template of area A centred on the alpha-weighted centroid is
 *      rendered and compared (L1) with the observed alpha; the closest shape wins.
 *   6. Size: the winning template's extent against SIZE_THRESHOLD; box: the foreground
 *      pixels' bounding box (as a detector's box, used for relations as GenEval does).
 */
import { type Box } from "./relation.ts";
import { fitShape } from "./shape_fit.ts";
import { type Colour, COLOURS, PALETTE, type Shape, type Size, SIZE_THRESHOLD } from "./vocab.ts";

export interface DetectedObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  /** Estimated side of the object's bounding box (pixels), from its mass and shape. */
  extent: number;
  /** Centre of `box`, pixels. */
  x: number;
  y: number;
  /** Bounding box [x0, y0, x1, y1] of the foreground pixels. */
  box: Box;
  /** Mass: the object's area in pixels, anti-aliased edges counted fractionally. */
  area: number;
  /** Mean absolute difference between the best template and the observed alpha (0 = exact). */
  mismatch: number;
}

export interface DetectOptions {
  /** Components lighter than this (pixels of mass) are noise. @default {10} */
  minMass?: number;
}

const MIN_MASS = 10;
/** Pixels within this (8-neighbour) distance of a component count towards its mass. */
const RING = 3;
/** Components whose own pixels hold less mass than this are specks of noise. */
const CORE_MIN = 4;

function median(xs: number[]): number {
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}

/** Step 1: the background, from the image's outer frame. */
function estimateBackground(rgb: Uint8Array, W: number, H: number): [number, number, number] {
  const ch: number[][] = [[], [], []];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (x !== 0 && y !== 0 && x !== W - 1 && y !== H - 1) continue;
      const k = 3 * (y * W + x);
      for (let c = 0; c < 3; c++) ch[c]!.push(rgb[k + c]!);
    }
  }
  return [median(ch[0]!), median(ch[1]!), median(ch[2]!)];
}

function checkImage(rgb: Uint8Array, W: number, H: number): void {
  if (!(rgb instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot detect objects as the image must be a Uint8Array: current value is ${typeof rgb}`,
    );
  }
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 3 || H < 3) {
    throw new RangeError(
      `Cannot detect objects as the size must be at least 3x3 integers: current value is ${W}x${H}`,
    );
  }
  if (rgb.length !== W * H * 3) {
    throw new RangeError(
      `Cannot detect objects as an RGB image of ${W}x${H} needs ${W * H * 3} bytes: ` +
        `current value is ${rgb.length} bytes (${(rgb.length / (W * H)).toFixed(2)} channels)`,
    );
  }
}

/** Find the objects in an RGB image (HWC, row-major; 32x32 by default). */
export function detectObjects(
  rgb: Uint8Array,
  width = 32,
  height = 32,
  options: DetectOptions = {},
): DetectedObject[] {
  const W = width, H = height, N = W * H;
  checkImage(rgb, W, H);
  const minMass = options.minMass ?? MIN_MASS;
  // 1. background
  const bg = estimateBackground(rgb, W, H);
  // 2. per-pixel colour and alpha
  const K = COLOURS.length;
  const dirs = COLOURS.map((c) => PALETTE[c].map((v, i) => v - bg[i]!));
  const norms = dirs.map((d) => d[0]! * d[0]! + d[1]! * d[1]! + d[2]! * d[2]!);
  const label = new Int8Array(N).fill(-1); // colour index of foreground pixels, -1 elsewhere
  const alphas = new Float32Array(N * K); // alpha_k of every pixel, for mass and templates
  for (let p = 0; p < N; p++) {
    const r = rgb[3 * p]! - bg[0], g = rgb[3 * p + 1]! - bg[1], b = rgb[3 * p + 2]! - bg[2];
    let best = -1, bestRes = Infinity, bestAlpha = 0;
    for (let k = 0; k < K; k++) {
      const d = dirs[k]!;
      const a = (r * d[0]! + g * d[1]! + b * d[2]!) / norms[k]!;
      alphas[p * K + k] = a;
      const ac = a < 0 ? 0 : a > 1 ? 1 : a;
      const er = r - ac * d[0]!, eg = g - ac * d[1]!, eb = b - ac * d[2]!;
      const res = er * er + eg * eg + eb * eb;
      if (res < bestRes) {
        bestRes = res;
        best = k;
        bestAlpha = a;
      }
    }
    if (bestAlpha >= 0.5) label[p] = best;
  }
  // 3. 8-connected components of equal colour
  const comp = new Int32Array(N).fill(-1);
  const stack: number[] = [];
  const members: number[][] = [];
  for (let p = 0; p < N; p++) {
    if (label[p] === -1 || comp[p] !== -1) continue;
    const id = members.length;
    const list: number[] = [];
    comp[p] = id;
    stack.push(p);
    while (stack.length > 0) {
      const q = stack.pop()!;
      list.push(q);
      const qx = q % W, qy = (q - qx) / W;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = qx + dx, ny = qy + dy;
          if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
          const n = ny * W + nx;
          if (comp[n] === -1 && label[n] === label[p]) {
            comp[n] = id;
            stack.push(n);
          }
        }
      }
    }
    members.push(list);
  }
  // 3b. drop specks (noise) before they claim any ring pixels: a component whose own pixels
  // hold less than CORE_MIN of mass cannot be an object (the smallest holds about 14).
  const kept: number[][] = [];
  for (const list of members) {
    const k = label[list[0]!]!;
    let core = 0;
    for (const q of list) core += Math.min(1, alphas[q * K + k]!);
    if (core >= CORE_MIN) {
      for (const q of list) comp[q] = kept.length;
      kept.push(list);
    } else {
      for (const q of list) comp[q] = -1;
    }
  }
  // 4a. each pixel within RING of a component belongs to the nearest one (multi-source BFS),
  // so blurred edges count towards their object's mass without being shared.
  const owner = Int32Array.from(comp);
  let frontier: number[] = [];
  for (let p = 0; p < N; p++) if (comp[p] !== -1) frontier.push(p);
  for (let d = 0; d < RING && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const q of frontier) {
      const qx = q % W, qy = (q - qx) / W;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = qx + dx, ny = qy + dy;
          if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
          const n = ny * W + nx;
          if (owner[n] === -1) {
            owner[n] = owner[q]!;
            next.push(n);
          }
        }
      }
    }
    frontier = next;
  }
  const out: DetectedObject[] = [];
  for (let id = 0; id < kept.length; id++) {
    const obj = describe(kept[id]!, id, owner, label, alphas, W, H, K, minMass);
    if (obj !== null) out.push(obj);
  }
  // Reading order (top to bottom, left to right) so results are stable.
  return out.sort((a, b) => a.y - b.y || a.x - b.x);
}

/** Steps 4-6 for one component; `owner` maps each pixel to the component it counts for. */
function describe(
  list: number[],
  id: number,
  owner: Int32Array,
  label: Int8Array,
  alphas: Float32Array,
  W: number,
  H: number,
  K: number,
  minMass: number,
): DetectedObject | null {
  const k = label[list[0]!]!;
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (const q of list) {
    const qx = q % W, qy = (q - qx) / W;
    if (qx < x0) x0 = qx;
    if (qx > x1) x1 = qx;
    if (qy < y0) y0 = qy;
    if (qy > y1) y1 = qy;
  }
  // 4. mass and centroid over the pixels this component owns (unclamped alpha)
  const rx0 = Math.max(0, x0 - RING), ry0 = Math.max(0, y0 - RING);
  const rx1 = Math.min(W - 1, x1 + RING), ry1 = Math.min(H - 1, y1 + RING);
  let mass = 0, mx = 0, my = 0;
  for (let y = ry0; y <= ry1; y++) {
    for (let x = rx0; x <= rx1; x++) {
      const p = y * W + x;
      if (owner[p] !== id) continue;
      const a = alphas[p * K + k]!;
      mass += a;
      mx += a * (x + 0.5);
      my += a * (y + 0.5);
    }
  }
  if (mass < minMass) return null;
  const cx = mx / mass, cy = my / mass;
  // 5. template matching over the owned pixels (clamped alpha; NaN marks pixels not owned)
  const rw = rx1 - rx0 + 1, rh = ry1 - ry0 + 1;
  const observed = new Float64Array(rw * rh).fill(NaN);
  for (let y = ry0; y <= ry1; y++) {
    for (let x = rx0; x <= rx1; x++) {
      const p = y * W + x;
      if (owner[p] !== id) continue;
      const a = alphas[p * K + k]!;
      observed[(y - ry0) * rw + (x - rx0)] = a < 0 ? 0 : a > 1 ? 1 : a;
    }
  }
  const best = fitShape({ observed, x0: rx0, y0: ry0, width: rw, height: rh, mass, cx, cy });
  // 6. size class and box
  const box: Box = [x0, y0, x1 + 1, y1 + 1];
  return {
    shape: best.shape,
    colour: COLOURS[k]!,
    size: best.extent < SIZE_THRESHOLD ? "small" : "large",
    extent: best.extent,
    x: (box[0] + box[2]) / 2,
    y: (box[1] + box[3]) / 2,
    box,
    area: mass,
    mismatch: best.mismatch,
  };
}
