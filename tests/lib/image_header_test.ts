import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { checkImagePixels, readImageHeader } from "../../lib/image_header.ts";
import { encodePng } from "../../lib/png.ts";
import { resizeRgb } from "../../lib/resize_rgb.ts";

const jpg = (w: number, h: number) =>
  new Uint8Array(jpeg.encode({ data: new Uint8Array(w * h * 4), width: w, height: h }, 80).data);

Deno.test("readImageHeader() reads a PNG's size from IHDR and a JPEG's from its frame header", () => {
  assert.deepEqual(readImageHeader(encodePng(new Uint8Array(7 * 5 * 3), 7, 5)), {
    format: "png",
    width: 7,
    height: 5,
  });
  // jpeg-js writes APP0 and quantisation tables before SOF0: the walk skips them.
  assert.deepEqual(readImageHeader(jpg(24, 8)), { format: "jpeg", width: 24, height: 8 });
  assert.equal(readImageHeader(new TextEncoder().encode("GIF89a...")), null);
});

Deno.test("readImageHeader() finds a progressive frame header (SOF2) after fill bytes", () => {
  const bytes = [0xff, 0xd8, 0xff, 0xff, 0xe1, 0x00, 0x04, 0x00, 0x00]; // SOI, fill, APP1
  bytes.push(0xff, 0xc2, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x02, 0x58, 0x03); // SOF2 300 x 600
  assert.deepEqual(readImageHeader(Uint8Array.from(bytes)), {
    format: "jpeg",
    width: 600,
    height: 300,
  });
});

Deno.test("readImageHeader() names a broken header: no IHDR, no SOF before the scan, a DNL height", () => {
  const png = encodePng(new Uint8Array(3), 1, 1);
  png[12] = 0x58; // IHDR -> XHDR
  assert.throws(() => readImageHeader(png), /first chunk is not a whole IHDR/);
  const noSof = Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00, 0x00]);
  assert.throws(() => readImageHeader(noSof), /no frame header \(SOF\) before its data/);
  const dnl = Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x00, 0x00, 0x10]);
  assert.throws(() => readImageHeader(dnl), /height is 0 \(set later by a DNL marker\)/);
});

Deno.test("checkImagePixels() refuses a size above the limit or empty, naming the image, size and key", () => {
  const h = { format: "png" as const, width: 5000, height: 4000 };
  assert.throws(
    () => checkImagePixels(h, "x.png", 16_777_216, "import.max_image_pixels"),
    /^RangeError: Cannot accept image x\.png as its PNG header declares 5000x4000 pixels \(20\.0 MP\), above the limit of 16\.8 MP \(import\.max_image_pixels\); it was not decoded$/,
  );
  assert.throws(() => checkImagePixels({ ...h, height: 0 }, "y.png", 100, "k"), /an empty image/);
  checkImagePixels({ ...h, width: 4096, height: 4096 }, "z.png", 4096 * 4096, "k");
});

Deno.test("resizeRgb() keeps a same-size image, picks nearest centres, and interpolates bilinearly", () => {
  const rgb = Uint8Array.from([0, 0, 0, 100, 100, 100, 200, 200, 200, 250, 250, 250]); // 2x2
  assert.deepEqual(resizeRgb(rgb, 2, 2, 2, 2, "bilinear"), rgb);
  assert.deepEqual(resizeRgb(rgb, 2, 2, 1, 1, "nearest"), Uint8Array.from([250, 250, 250]));
  // 2x2 -> 1x1 bilinear: the centre is the mean of the four pixels.
  assert.deepEqual(resizeRgb(rgb, 2, 2, 1, 1, "bilinear"), Uint8Array.from([138, 138, 138]));
  assert.equal(resizeRgb(rgb, 2, 2, 4, 3, "nearest").length, 4 * 3 * 3);
  assert.throws(() => resizeRgb(rgb, 3, 2, 1, 1, "nearest"), /must have 3x2x3 = 18 bytes/);
});
