/**
 * A small PNG codec: encode RGB8; decode 8-bit gray, gray+alpha, RGB, RGBA and palette
 * images (all five row filters, no interlacing) into RGB8. Alpha is dropped, as PIL's
 * `convert("RGB")` does. Deflate is node:zlib's.
 */
import { deflateSync, inflateSync } from "node:zlib";
import { checkImagePixels, DEFAULT_MAX_IMAGE_PIXELS } from "./image_header.ts";

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function checkDims(what: string, width: number, height: number): void {
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v <= 0 || v > 2 ** 24) {
      throw new RangeError(
        `Cannot ${what} as ${name} must be a positive integer: current value is ${v}`,
      );
    }
  }
}

/** Encode RGB8 pixels (HWC, row-major) as PNG bytes. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  checkDims("encode PNG", width, height);
  if (rgb.length !== width * height * 3) {
    throw new RangeError(
      `Cannot encode PNG as RGB data must have width*height*3 = ${width * height * 3} bytes: ` +
        `current value is ${rgb.length}`,
    );
  }
  // Filter type 0 (None) on every row: these images are tiny, and zlib does well on them.
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return rgbPngFile(width, height, new Uint8Array(deflateSync(raw)));
}

/**
 * The bytes of an 8-bit RGB PNG declaring `width` x `height` whose one IDAT chunk is `idat` (a
 * zlib stream of filtered rows), taken as it is: the test fixtures build decompression bombs
 * with it (tests/pipeline/exchange/fixtures/bombs.ts).
 */
export function rgbPngFile(width: number, height: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive, no interlace
  const parts = [
    Uint8Array.from(SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undo the per-row filters in place; returns the unfiltered rows without filter bytes. */
function unfilter(raw: Uint8Array, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride, prev = (y - 1) * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp]! : 0;
      const r = raw[src + x]!;
      let v: number;
      switch (type) {
        case 0:
          v = r;
          break;
        case 1:
          v = r + a;
          break;
        case 2:
          v = r + b;
          break;
        case 3:
          v = r + ((a + b) >> 1);
          break;
        case 4:
          v = r + paeth(a, b, c);
          break;
        default:
          throw new RangeError(
            `Cannot decode PNG as row ${y} has filter type ${type}: expected 0-4`,
          );
      }
      out[row + x] = v & 0xff;
    }
  }
  return out;
}

export interface DecodedPng {
  width: number;
  height: number;
  /** RGB8 pixels, HWC row-major. */
  rgb: Uint8Array;
  /** Channels of the source: 1 gray, 2 gray+alpha, 3 RGB or palette, 4 RGBA. */
  channels: number;
}

export interface DecodePngOptions {
  /**
   * Refuse an image whose IHDR declares more pixels, before inflating anything (a
   * decompression bomb). @default {DEFAULT_MAX_IMAGE_PIXELS} (lib/image_header.ts: 4096x4096)
   */
  maxPixels?: number;
  /** Names the image in errors. @default {"PNG data"} */
  source?: string;
  /** The setting that raises `maxPixels`, named in the error. @default {"maxPixels"} */
  limitKey?: string;
}

/**
 * Decode PNG bytes into RGB8 pixels (HWC, row-major). The declared size is checked against
 * `maxPixels` from the header, and inflating stops at the size that header declares, so neither
 * a huge declared size nor image data that inflates past it costs more than the check.
 */
export function decodePng(bytes: Uint8Array, options: DecodePngOptions = {}): DecodedPng {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new TypeError("Cannot decode PNG as the data does not start with the PNG signature");
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, depth = 0, colourType = -1, interlace = 0;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const len = v.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > bytes.length) {
      throw new RangeError(`Cannot decode PNG as chunk ${type} runs past the end of the data`);
    }
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (crc32(bytes, pos + 4, pos + 8 + len) !== v.getUint32(pos + 8 + len)) {
      throw new RangeError(`Cannot decode PNG as chunk ${type} has a bad CRC`);
    }
    if (type === "IHDR") {
      width = v.getUint32(pos + 8);
      height = v.getUint32(pos + 12);
      // IHDR comes first: the size is checked before any other chunk is read or inflated.
      checkImagePixels(
        { format: "png", width, height },
        options.source ?? "PNG data",
        options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS,
        options.limitKey ?? "maxPixels",
      );
      depth = data[8]!;
      colourType = data[9]!;
      interlace = data[12]!;
    } else if (type === "PLTE") palette = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  checkDims("decode PNG", width, height);
  const channels = CHANNELS[colourType];
  if (channels === undefined) {
    throw new RangeError(
      `Cannot decode PNG as colour type must be 0, 2, 3, 4 or 6: current value is ${colourType}`,
    );
  }
  if (depth !== 8) {
    throw new RangeError(
      `Cannot decode PNG as only bit depth 8 is supported: current value is ${depth}`,
    );
  }
  if (interlace !== 0) {
    throw new RangeError("Cannot decode PNG as interlaced (Adam7) images are not supported");
  }
  if (colourType === 3 && palette === null) {
    throw new RangeError("Cannot decode PNG as a palette image has no PLTE chunk");
  }
  const total = idat.reduce((n, d) => n + d.length, 0);
  const joined = new Uint8Array(total);
  let o = 0;
  for (const d of idat) {
    joined.set(d, o);
    o += d.length;
  }
  const stride = width * channels;
  // Conforming data inflates to exactly (stride + 1) * height; one row of slack for lax encoders.
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(inflateSync(joined, { maxOutputLength: (stride + 1) * (height + 1) }));
  } catch (err) {
    if ((err as { code?: string }).code !== "ERR_BUFFER_TOO_LARGE") throw err;
    throw new RangeError(
      `Cannot decode PNG as its image data inflates past the ${width}x${height} its header ` +
        `declares (a decompression bomb?)`,
    );
  }
  if (raw.length < (stride + 1) * height) {
    throw new RangeError(
      `Cannot decode PNG as image data has ${raw.length} bytes: expected ${(stride + 1) * height}`,
    );
  }
  const px = unfilter(raw, stride, height, channels);
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    let r: number, g: number, b: number;
    switch (colourType) {
      case 0:
      case 4:
        r = g = b = px[p * channels]!;
        break;
      case 3: {
        const k = px[p]! * 3;
        if (k + 2 >= palette!.length) {
          throw new RangeError(
            `Cannot decode PNG as pixel ${p} uses palette index ${px[p]} beyond the palette`,
          );
        }
        r = palette![k]!;
        g = palette![k + 1]!;
        b = palette![k + 2]!;
        break;
      }
      default:
        r = px[p * channels]!;
        g = px[p * channels + 1]!;
        b = px[p * channels + 2]!;
    }
    rgb[3 * p] = r;
    rgb[3 * p + 1] = g;
    rgb[3 * p + 2] = b;
  }
  return { width, height, rgb, channels: colourType === 3 ? 3 : channels };
}
