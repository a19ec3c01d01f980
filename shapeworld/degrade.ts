/**
 * Image degradations for ShapeEval's robustness curve: additive Gaussian noise and Gaussian
 * blur, applied to RGB8 images (HWC, row-major), results clamped and rounded to bytes.
 */
import type { Rng } from "../lib/rng.ts";

/** A copy of `rgb` with N(0, sigma^2) noise (in 0-255 units) added to every channel value. */
export function addGaussianNoise(rgb: Uint8Array, sigma: number, rng: Rng): Uint8Array {
  if (!(sigma >= 0)) {
    throw new RangeError(`Cannot add noise as sigma must be >= 0: current value is ${sigma}`);
  }
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) {
    const v = Math.round(rgb[i]! + sigma * rng.normal());
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** Normalised 1-D Gaussian kernel of standard deviation sigma, truncated at 3 sigma. */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * A copy of `rgb` blurred by a Gaussian of standard deviation `sigma` pixels (the "blur
 * radius"), separable, with edges extended by clamping (so a plain background stays plain).
 */
export function gaussianBlur(
  rgb: Uint8Array,
  width: number,
  height: number,
  sigma: number,
): Uint8Array {
  if (!(sigma >= 0)) {
    throw new RangeError(`Cannot blur as sigma must be >= 0: current value is ${sigma}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new RangeError(
      `Cannot blur as an RGB image of ${width}x${height} needs ${width * height * 3} bytes: ` +
        `current value is ${rgb.length}`,
    );
  }
  if (sigma === 0) return rgb.slice();
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float64Array(rgb.length);
  // 1. horizontal pass
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) {
          const xx = Math.min(width - 1, Math.max(0, x + i));
          s += k[i + r]! * rgb[3 * (y * width + xx) + c]!;
        }
        tmp[3 * (y * width + x) + c] = s;
      }
    }
  }
  // 2. vertical pass
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) {
          const yy = Math.min(height - 1, Math.max(0, y + i));
          s += k[i + r]! * tmp[3 * (yy * width + x) + c]!;
        }
        out[3 * (y * width + x) + c] = Math.min(255, Math.max(0, Math.round(s)));
      }
    }
  }
  return out;
}
