/**
 * Imported image bytes -> the PNG bytes a Sample row holds.
 *
 * Sample rows hold PNG (schemas/sample.ts) and capo's scorer decodes them with
 * lib/png.ts, so a JPEG is decoded (jpeg-js) and stored as a lossless PNG of its pixels;
 * a PNG is checked by decoding it and kept byte for byte. Anything else, or bytes that do not
 * decode, is an error naming the image's source.
 */
import jpeg from "jpeg-js";
import { decodePng, encodePng } from "../../lib/png.ts";

export interface ImportedImage {
  png: Uint8Array;
  width: number;
  height: number;
  format: "png" | "jpeg";
}

const PNG = [0x89, 0x50, 0x4e, 0x47];
const JPEG = [0xff, 0xd8, 0xff];

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

/** Decodes `bytes` (PNG or JPEG) into PNG bytes; throws a TypeError naming `source`. */
export function importImage(bytes: Uint8Array, source: string): ImportedImage {
  const fail = (why: string) => new TypeError(`Cannot import image ${source} as ${why}`);
  if (bytes.length === 0) throw fail("it is empty (0 bytes)");
  if (startsWith(bytes, PNG)) {
    try {
      const p = decodePng(bytes);
      return { png: bytes, width: p.width, height: p.height, format: "png" };
    } catch (err) {
      throw fail(`it is not a readable PNG: ${(err as Error).message}`);
    }
  }
  if (startsWith(bytes, JPEG)) {
    let img;
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
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
    };
  }
  const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw fail(`it is neither PNG nor JPEG: its first bytes are ${head}`);
}

function dropAlpha(rgba: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) out.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
  return out;
}
