/**
 * An image's declared pixel size, read from its header before any decoding, so a decompression
 * bomb (a small file declaring a huge image) is refused before a byte of it is inflated.
 *
 * - PNG: the IHDR chunk, which the format requires first (bytes 16..23: width, height).
 * - JPEG: the first SOFn marker segment (baseline, progressive, lossless...; bytes 3..6 of its
 *   payload: height, width), found by walking the marker segments from SOI; entropy-coded data
 *   only follows SOS, which must come after the frame header.
 */

/** The largest image capo decodes by default, in pixels. */
export const DEFAULT_MAX_IMAGE_PIXELS = 4096 * 4096;
// 16.8 MP: 4x the 2048x2048 of the largest common text-to-image outputs (SDXL 1024^2, SD3 up to
// 2048^2) and 16,384x ShapeWorld's 32x32, so no real sample is refused; decoded as RGBA it is
// 64 MiB, so a refused bomb never costs more than the header read.

export interface ImageHeader {
  format: "png" | "jpeg";
  width: number;
  height: number;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The declared size of PNG or JPEG bytes; null if neither; a RangeError if the header is broken. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  if (PNG.every((b, i) => bytes[i] === b)) return pngHeader(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegHeader(bytes);
  return null;
}

function pngHeader(bytes: Uint8Array): ImageHeader {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || type !== "IHDR") {
    throw new RangeError("Cannot read the PNG header as its first chunk is not a whole IHDR");
  }
  return { format: "png", width: v.getUint32(16), height: v.getUint32(20) };
}

// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegHeader(bytes: Uint8Array): ImageHeader {
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) {
      throw new RangeError(`Cannot read the JPEG header as byte ${pos} is not a marker`);
    }
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) { // fill byte
      pos++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // TEM, RSTn: no length
      pos += 2;
      continue;
    }
    const len = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (isSof(marker)) {
      if (len < 8 || pos + 9 > bytes.length) break;
      const height = (bytes[pos + 5]! << 8) | bytes[pos + 6]!;
      const width = (bytes[pos + 7]! << 8) | bytes[pos + 8]!;
      if (height === 0) {
        throw new RangeError(
          "Cannot read the JPEG header as its height is 0 (set later by a DNL marker), " +
            "which capo does not accept",
        );
      }
      return { format: "jpeg", width, height };
    }
    if (marker === 0xda || marker === 0xd9) break; // SOS or EOI before any frame header
    pos += 2 + len;
  }
  throw new RangeError(
    "Cannot read the JPEG header as it has no frame header (SOF) before its data",
  );
}

/**
 * Throws a RangeError naming `source` and its declared size if `header` is above `maxPixels`;
 * `key` names the setting that raises the limit.
 */
export function checkImagePixels(
  header: ImageHeader,
  source: string,
  maxPixels: number,
  key: string,
): void {
  const { width, height } = header;
  if (width * height > maxPixels || width === 0 || height === 0) {
    const mp = (n: number) => `${(n / 1e6).toFixed(1)} MP`;
    throw new RangeError(
      `Cannot accept image ${source} as its ${header.format.toUpperCase()} header declares ` +
        `${width}x${height} pixels (${mp(width * height)}), ${
          width === 0 || height === 0 ? "an empty image" : `above the limit of ${mp(maxPixels)}`
        } (${key}); it was not decoded`,
    );
  }
}
