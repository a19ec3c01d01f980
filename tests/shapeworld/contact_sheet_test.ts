import assert from "node:assert/strict";
import {
  contactSheet,
  decodePng,
  glyph,
  hasGlyph,
  renderScene,
  wrapText,
} from "../../shapeworld/mod.ts";

const red = renderScene({
  objects: [{ shape: "square", colour: "red", size: "large", extent: 11, x: 16, y: 16 }],
});

Deno.test("contactSheet() lays images out in a grid, upscaled, with captions and scores", () => {
  const items = Array.from({ length: 5 }, (_, i) => ({
    rgb: red,
    caption: `a red square number ${i}`,
    ...(i % 2 === 0 ? { score: `score 0.${i}` } : {}),
  }));
  const png = decodePng(contactSheet(items, { columns: 3, scale: 4 }));
  // 3 columns of 128 px images, 2 rows
  assert.ok(png.width >= 3 * 128 && png.width < 3 * 128 + 60, `width ${png.width}`);
  assert.ok(png.height > 2 * 128, `height ${png.height}`);
  // the top-left image is upscaled: its centre pixel is paint, corner is background
  const at = (
    x: number,
    y: number,
  ) => [...png.rgb.subarray(3 * (y * png.width + x), 3 * (y * png.width + x) + 3)];
  assert.deepEqual(at(6 + 64, 6 + 64), [220, 30, 30]);
  assert.deepEqual(at(6 + 1, 6 + 1), [240, 240, 240]);
  // caption ink below the first image
  let ink = 0;
  for (let y = 6 + 128; y < 6 + 128 + 20; y++) {
    for (let x = 6; x < 6 + 128; x++) if (at(x, y)[0]! < 100) ink++;
  }
  assert.ok(ink > 30, `ink ${ink}`);
});

Deno.test("contactSheet() names a wrongly sized item and refuses an empty list", () => {
  assert.throws(
    () =>
      contactSheet([{ rgb: red, caption: "ok" }, { rgb: new Uint8Array(10), caption: "bad one" }]),
    /item 1 \("bad one"\) must have 32x32x3 = 3072 bytes: current value is 10/,
  );
  assert.throws(() => contactSheet([]), /items is empty/);
  assert.throws(
    () => contactSheet([{ rgb: red, caption: "x" }], { scale: 0 }),
    /scale must be a positive integer: current value is 0/,
  );
});

Deno.test("wrapText() wraps on words and cuts words longer than a line", () => {
  assert.deepEqual(wrapText("a red circle to the left of a square", 12), [
    "a red circle",
    "to the left",
    "of a square",
  ]);
  assert.deepEqual(wrapText("abcdefghij", 4), ["abcd", "efgh", "ij"]);
  assert.deepEqual(wrapText("", 4), []);
});

Deno.test("the font has every character captions and scores use", () => {
  for (const ch of "abcdefghijklmnopqrstuvwxyz0123456789 .,:;-+=_/%()[]'\"!?#*<>|@&") {
    assert.ok(hasGlyph(ch), ch);
  }
  assert.ok(!hasGlyph("~"));
  assert.equal(glyph("a").length, 35);
  assert.ok(glyph("a").some((v) => v === 1));
  assert.deepEqual(glyph("A"), glyph("a"));
});
