/** Test fixture: a reference PNG writer (any 8-bit colour type, a chosen filter per row). */
import { deflateSync } from "node:zlib";

// A reference PNG writer for tests: any 8-bit colour type, a chosen filter per row.
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): number[] {
  const td = new Uint8Array([...new TextEncoder().encode(type), ...data]);
  const len = data.length, crc = crc32(td);
  return [
    len >>> 24,
    (len >>> 16) & 255,
    (len >>> 8) & 255,
    len & 255,
    ...td,
    crc >>> 24,
    (crc >>> 16) & 255,
    (crc >>> 8) & 255,
    crc & 255,
  ];
}
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
export function writePng(
  px: Uint8Array,
  w: number,
  h: number,
  colourType: number,
  channels: number,
  filters: number[],
  palette?: number[],
): Uint8Array {
  const stride = w * channels;
  const raw: number[] = [];
  for (let y = 0; y < h; y++) {
    const f = filters[y % filters.length]!;
    raw.push(f);
    for (let x = 0; x < stride; x++) {
      const v = px[y * stride + x]!;
      const a = x >= channels ? px[y * stride + x - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels]! : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]!;
      raw.push((v - pred) & 255);
    }
  }
  const ihdr = [
    w >>> 24,
    (w >>> 16) & 255,
    (w >>> 8) & 255,
    w & 255,
    h >>> 24,
    (h >>> 16) & 255,
    (h >>> 8) & 255,
    h & 255,
    8,
    colourType,
    0,
    0,
    0,
  ];
  return new Uint8Array([
    137,
    80,
    78,
    71,
    13,
    10,
    26,
    10,
    ...chunk("IHDR", new Uint8Array(ihdr)),
    ...(palette ? chunk("PLTE", new Uint8Array(palette)) : []),
    ...chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(raw)))),
    ...chunk("IEND", new Uint8Array(0)),
  ]);
}
