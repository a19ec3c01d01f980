/**
 * Imported image bytes -> the PNG bytes a Sample row holds.
 *
 * Sample rows hold PNG (schemas/sample.ts) and capo's scorer decodes them with
 * lib/png.ts, so a JPEG is decoded (jpeg-js) and stored as a lossless PNG of its pixels;
 * a PNG is checked by decoding it and kept byte for byte. Anything else, or bytes that do not
 * decode, is an error naming the image's source.
 *
 * Hostile input: the declared size is read from the header first (lib/image_header.ts) and an
 * image above `maxPixels` is refused before anything is decoded; jpeg-js gets the same limit
 * (`maxResolutionInMP`) and a memory cap sized from it (`maxMemoryUsageInMB`), and PNG inflation
 * stops at the declared size (lib/png.ts).
 */
import jpeg from "jpeg-js";
import {
  checkImagePixels,
  DEFAULT_MAX_IMAGE_PIXELS,
  readImageHeader,
} from "../../lib/image_header.ts";
import { decodePng, encodePng } from "../../lib/png.ts";

export interface ImportedImage {
  png: Uint8Array;
  width: number;
  height: number;
  format: "png" | "jpeg";
  /** The decoded pixels, RGB8 HWC (for a resize). */
  rgb: Uint8Array;
}

export interface ImageLimits {
  /** Refuse images declaring more pixels. @default {DEFAULT_MAX_IMAGE_PIXELS} */
  maxPixels?: number;
  /** The setting that raises the limit, named in the error. @default {"--max-image-pixels"} */
  limitKey?: string;
}

/** jpeg-js's memory cap for `maxPixels`: three Int16 component planes (6 B/px) + RGB output (3 B/px) + slack. */
export function jpegMemoryMb(maxPixels: number): number {
  return Math.ceil((maxPixels * 12) / 2 ** 20) + 16;
}

/** Decodes `bytes` (PNG or JPEG) into PNG bytes; throws a TypeError or RangeError naming `source`. */
export function importImage(
  bytes: Uint8Array,
  source: string,
  limits: ImageLimits = {},
): ImportedImage {
  const fail = (why: string) => new TypeError(`Cannot import image ${source} as ${why}`);
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const limitKey = limits.limitKey ?? "--max-image-pixels";
  if (bytes.length === 0) throw fail("it is empty (0 bytes)");
  let header;
  try {
    header = readImageHeader(bytes);
  } catch (err) {
    throw fail(`its header is unreadable: ${(err as Error).message}`);
  }
  if (header === null) {
    const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    throw fail(`it is neither PNG nor JPEG: its first bytes are ${head}`);
  }
  // Before any decoding: a bomb costs the header read, nothing more.
  checkImagePixels(header, source, maxPixels, limitKey);
  if (header.format === "png") {
    try {
      const p = decodePng(bytes, { maxPixels, source, limitKey });
      return { png: bytes, width: p.width, height: p.height, format: "png", rgb: p.rgb };
    } catch (err) {
      throw fail(`it is not a readable PNG: ${(err as Error).message}`);
    }
  }
  let img;
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: jpegMemoryMb(maxPixels),
    });
  } catch (err) {
    throw fail(`it is not a readable JPEG: ${(err as Error).message}`);
  }
  const rgb = img.data.length === img.width * img.height * 3
    ? img.data
    : dropAlpha(img.data, img.width * img.height);
  return {
    png: encodePng(rgb, img.width, img.height),
    width: img.width,
    height: img.height,
    format: "jpeg",
    rgb,
  };
}

function dropAlpha(rgba: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) out.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
  return out;
}
