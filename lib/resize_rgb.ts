/**
 * Resizing RGB8 images (HWC, row-major), for an import whose images are not the size the run's
 * model and rewards take and whose resize policy allows it. The sampling is the reward
 * runtime's (models/rewards/image_tensor.ts), so a resized import scores as the reward would
 * score the original under the same policy:
 *   "nearest"   each output pixel takes the source pixel whose centre is nearest
 *               (src = floor((dst + 0.5) * srcSize / dstSize));
 *   "bilinear"  half-pixel centres, clamped at the edges (PIL's and torch's
 *               align_corners=False), rounded to the nearest integer.
 */

export const RESIZE_POLICIES = ["error", "nearest", "bilinear"] as const;
export type ResizePolicy = typeof RESIZE_POLICIES[number];

/** `rgb` (w x h) resized to W x H. */
export function resizeRgb(
  rgb: Uint8Array,
  w: number,
  h: number,
  W: number,
  H: number,
  mode: "nearest" | "bilinear",
): Uint8Array {
  if (rgb.length !== w * h * 3) {
    throw new RangeError(
      `Cannot resize as RGB data must have ${w}x${h}x3 = ${
        w * h * 3
      } bytes: current value is ${rgb.length}`,
    );
  }
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      if (mode === "nearest") {
        const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / H));
        const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / W));
        out.set(rgb.subarray((sy * w + sx) * 3, (sy * w + sx) * 3 + 3), o);
        continue;
      }
      const cx = Math.min(Math.max(((x + 0.5) * w) / W - 0.5, 0), w - 1);
      const cy = Math.min(Math.max(((y + 0.5) * h) / H - 0.5, 0), h - 1);
      const x0 = Math.floor(cx), y0 = Math.floor(cy);
      const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
      const fx = cx - x0, fy = cy - y0;
      for (let c = 0; c < 3; c++) {
        const a = rgb[(y0 * w + x0) * 3 + c]!, b = rgb[(y0 * w + x1) * 3 + c]!;
        const d = rgb[(y1 * w + x0) * 3 + c]!, e = rgb[(y1 * w + x1) * 3 + c]!;
        out[o + c] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
  return out;
}
