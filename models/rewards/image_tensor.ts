/**
 * Decoded RGB images -> the float32 image input of an ONNX reward model, as its manifest says:
 * layout NCHW or NHWC, size [H, W], x = (pixel * scale - mean[c]) / std[c].
 *
 * An image of another size is an error unless the manifest's `resize` allows it:
 *   "nearest"   each output pixel takes the source pixel whose centre is nearest
 *               (src = floor((dst + 0.5) * srcSize / dstSize));
 *   "bilinear"  half-pixel centres, clamped at the edges (PIL's and torch's
 *               align_corners=False), interpolated in float before normalisation.
 */
import type { ImageInputSpec } from "./reward_manifest.ts";
import type { RgbImage } from "./reward_model.ts";

/** [B, 3, H, W] or [B, H, W, 3] float32; `label(i)` names item i in errors. */
export function imageTensor(
  images: readonly RgbImage[],
  spec: ImageInputSpec,
  label: (i: number) => string,
): { data: Float32Array; dims: number[] } {
  const [H, W] = spec.size;
  const B = images.length;
  const data = new Float32Array(B * 3 * H * W);
  const mul = [0, 1, 2].map((c) => spec.scale / spec.std[c]!);
  const add = [0, 1, 2].map((c) => -spec.mean[c]! / spec.std[c]!);
  const nchw = spec.layout === "NCHW";
  const px = new Float64Array(3);
  images.forEach((img, b) => {
    const { width: w, height: h, rgb } = img;
    if (rgb.length !== w * h * 3) {
      throw new RangeError(
        `Cannot use the image of ${label(b)} as its RGB data must hold ${w}x${h}x3 = ${
          w * h * 3
        } bytes: current length is ${rgb.length}`,
      );
    }
    const same = w === W && h === H;
    if (!same && spec.resize === "error") {
      throw new RangeError(
        `Cannot use the image of ${label(b)} as the model expects ${W}x${H} (width x height): ` +
          `current size is ${w}x${h} (set inputs.image.resize to 'nearest' or 'bilinear' to resize)`,
      );
    }
    const base = b * 3 * H * W;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (same) {
          const o = (y * w + x) * 3;
          px[0] = rgb[o]!;
          px[1] = rgb[o + 1]!;
          px[2] = rgb[o + 2]!;
        } else if (spec.resize === "nearest") {
          const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / H));
          const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / W));
          const o = (sy * w + sx) * 3;
          px[0] = rgb[o]!;
          px[1] = rgb[o + 1]!;
          px[2] = rgb[o + 2]!;
        } else {
          bilinear(rgb, w, h, ((x + 0.5) * w) / W - 0.5, ((y + 0.5) * h) / H - 0.5, px);
        }
        for (let c = 0; c < 3; c++) {
          const v = px[c]! * mul[c]! + add[c]!;
          data[nchw ? base + (c * H + y) * W + x : base + (y * W + x) * 3 + c] = v;
        }
      }
    }
  });
  return { data, dims: nchw ? [B, 3, H, W] : [B, H, W, 3] };
}

function bilinear(
  rgb: Uint8Array,
  w: number,
  h: number,
  sx: number,
  sy: number,
  out: Float64Array,
): void {
  const cx = Math.min(Math.max(sx, 0), w - 1);
  const cy = Math.min(Math.max(sy, 0), h - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  for (let c = 0; c < 3; c++) {
    const a = rgb[(y0 * w + x0) * 3 + c]!;
    const b = rgb[(y0 * w + x1) * 3 + c]!;
    const d = rgb[(y1 * w + x0) * 3 + c]!;
    const e = rgb[(y1 * w + x1) * 3 + c]!;
    out[c] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
  }
}
