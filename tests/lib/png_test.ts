import assert from "node:assert/strict";
import { decodePng, encodePng } from "../../shapeworld/mod.ts";
import { Rng } from "../../lib/rng.ts";
import { writePng } from "../shapeworld/png_fixture.ts";

function randomBytes(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

Deno.test("encodePng() and decodePng() round-trip RGB8 exactly", () => {
  const rgb = randomBytes(7 * 5 * 3, 1);
  const png = encodePng(rgb, 7, 5);
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const back = decodePng(png);
  assert.equal(back.width, 7);
  assert.equal(back.height, 5);
  assert.deepEqual(back.rgb, rgb);
});

Deno.test("decodePng() undoes all five row filters", () => {
  const rgb = randomBytes(9 * 10 * 3, 2);
  for (const filters of [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]]) {
    const back = decodePng(writePng(rgb, 9, 10, 2, 3, filters));
    assert.deepEqual(back.rgb, rgb, `filters ${filters}`);
  }
});

Deno.test("decodePng() converts RGBA, gray, gray+alpha and palette images to RGB", () => {
  const w = 6, h = 4, n = w * h;
  const rgba = randomBytes(n * 4, 3);
  const fromRgba = decodePng(writePng(rgba, w, h, 6, 4, [4, 1, 3]));
  assert.deepEqual(
    fromRgba.rgb,
    Uint8Array.from({ length: n * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]!),
  );
  const gray = randomBytes(n, 4);
  const expectGray = Uint8Array.from({ length: n * 3 }, (_, i) => gray[Math.floor(i / 3)]!);
  assert.deepEqual(decodePng(writePng(gray, w, h, 0, 1, [2, 4])).rgb, expectGray);
  const ga = Uint8Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? gray[i / 2]! : 128));
  assert.deepEqual(decodePng(writePng(ga, w, h, 4, 2, [3])).rgb, expectGray);
  const palette = [10, 20, 30, 200, 100, 0, 0, 255, 9];
  const idx = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const expectPal = Uint8Array.from(
    { length: n * 3 },
    (_, i) => palette[idx[Math.floor(i / 3)]! * 3 + (i % 3)]!,
  );
  assert.deepEqual(decodePng(writePng(idx, w, h, 3, 1, [1], palette)).rgb, expectPal);
});

Deno.test("decodePng() names what is wrong with bad input", () => {
  assert.throws(() => decodePng(new Uint8Array([1, 2, 3])), /PNG signature/);
  const png = encodePng(new Uint8Array(12), 2, 2);
  const corrupt = png.slice();
  corrupt[20] = corrupt[20]! ^ 1; // inside IHDR
  assert.throws(() => decodePng(corrupt), /IHDR has a bad CRC/);
  assert.throws(() => encodePng(new Uint8Array(11), 2, 2), /12 bytes: current value is 11/);
  assert.throws(
    () => encodePng(new Uint8Array(0), 0, 2),
    /width must be a positive integer: current value is 0/,
  );
});
