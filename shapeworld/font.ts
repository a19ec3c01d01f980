/**
 * A 5x7 bitmap font for contact sheets: lowercase letters, digits and the punctuation used in
 * captions and scores. Uppercase letters draw as lowercase; unknown characters as a box.
 * Each glyph is 7 rows of 5 cells, "#" inked. There is no row below the baseline, so g, p, q
 * and y start at the x-height (row 2) like the other lowercase letters, with a short tail, so
 * they do not read as G, P, 9.
 */

export const GLYPH_W = 5;
export const GLYPH_H = 7;

// deno-fmt-ignore
const GLYPHS: Readonly<Record<string, string>> = {
  "a": ".....|.....|.###.|....#|.####|#...#|.####",
  "b": "#....|#....|####.|#...#|#...#|#...#|####.",
  "c": ".....|.....|.####|#....|#....|#....|.####",
  "d": "....#|....#|.####|#...#|#...#|#...#|.####",
  "e": ".....|.....|.###.|#...#|#####|#....|.###.",
  "f": "..##.|.#...|####.|.#...|.#...|.#...|.#...",
  "g": ".....|.....|.####|#...#|.####|....#|.###.",
  "h": "#....|#....|####.|#...#|#...#|#...#|#...#",
  "i": "..#..|.....|.##..|..#..|..#..|..#..|.###.",
  "j": "...#.|.....|..##.|...#.|...#.|#..#.|.##..",
  "k": "#....|#....|#..#.|#.#..|##...|#.#..|#..#.",
  "l": ".##..|..#..|..#..|..#..|..#..|..#..|.###.",
  "m": ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#",
  "n": ".....|.....|####.|#...#|#...#|#...#|#...#",
  "o": ".....|.....|.###.|#...#|#...#|#...#|.###.",
  "p": ".....|.....|####.|#...#|####.|#....|#....",
  "q": ".....|.....|.####|#...#|.####|....#|....#",
  "r": ".....|.....|#.##.|##..#|#....|#....|#....",
  "s": ".....|.....|.####|#....|.###.|....#|####.",
  "t": ".#...|.#...|####.|.#...|.#...|.#..#|..##.",
  "u": ".....|.....|#...#|#...#|#...#|#..##|.##.#",
  "v": ".....|.....|#...#|#...#|#...#|.#.#.|..#..",
  "w": ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#.",
  "x": ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#",
  "y": ".....|.....|#...#|#...#|.####|....#|.###.",
  "z": ".....|.....|#####|...#.|..#..|.#...|#####",
  "0": ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
  "1": "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
  "2": ".###.|#...#|....#|...#.|..#..|.#...|#####",
  "3": "####.|....#|....#|.###.|....#|....#|####.",
  "4": "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
  "5": "#####|#....|####.|....#|....#|#...#|.###.",
  "6": "..##.|.#...|#....|####.|#...#|#...#|.###.",
  "7": "#####|....#|...#.|..#..|.#...|.#...|.#...",
  "8": ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
  "9": ".###.|#...#|#...#|.####|....#|...#.|.##..",
  " ": ".....|.....|.....|.....|.....|.....|.....",
  ".": ".....|.....|.....|.....|.....|.##..|.##..",
  ",": ".....|.....|.....|.....|.##..|..#..|.#...",
  ":": ".....|.##..|.##..|.....|.##..|.##..|.....",
  ";": ".....|.##..|.##..|.....|.##..|..#..|.#...",
  "-": ".....|.....|.....|#####|.....|.....|.....",
  "+": ".....|..#..|..#..|#####|..#..|..#..|.....",
  "=": ".....|.....|#####|.....|#####|.....|.....",
  "_": ".....|.....|.....|.....|.....|.....|#####",
  "/": "....#|....#|...#.|..#..|.#...|#....|#....",
  "%": "##...|##..#|...#.|..#..|.#...|#..##|...##",
  "(": "...#.|..#..|.#...|.#...|.#...|..#..|...#.",
  ")": ".#...|..#..|...#.|...#.|...#.|..#..|.#...",
  "[": ".###.|.#...|.#...|.#...|.#...|.#...|.###.",
  "]": ".###.|...#.|...#.|...#.|...#.|...#.|.###.",
  "'": "..#..|..#..|.#...|.....|.....|.....|.....",
  "\"": ".#.#.|.#.#.|.....|.....|.....|.....|.....",
  "!": "..#..|..#..|..#..|..#..|..#..|.....|..#..",
  "?": ".###.|#...#|....#|...#.|..#..|.....|..#..",
  "#": ".#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.",
  "*": ".....|..#..|#.#.#|.###.|#.#.#|..#..|.....",
  "<": "...#.|..#..|.#...|#....|.#...|..#..|...#.",
  ">": ".#...|..#..|...#.|....#|...#.|..#..|.#...",
  "|": "..#..|..#..|..#..|..#..|..#..|..#..|..#..",
  "@": ".###.|#...#|#.###|#.#.#|#.###|#....|.####",
  "&": ".##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#",
};

const UNKNOWN = "#####|#...#|#...#|#...#|#...#|#...#|#####";

const BITMAPS = new Map<string, Uint8Array>();

function bitmapOf(spec: string): Uint8Array {
  const rows = spec.split("|");
  const out = new Uint8Array(GLYPH_W * GLYPH_H);
  rows.forEach((row, y) => {
    for (let x = 0; x < GLYPH_W; x++) out[y * GLYPH_W + x] = row[x] === "#" ? 1 : 0;
  });
  return out;
}

/** The 5x7 bitmap (row-major, 1 = ink) of one character. */
export function glyph(ch: string): Uint8Array {
  const key = ch.toLowerCase();
  let g = BITMAPS.get(key);
  if (g === undefined) {
    g = bitmapOf(GLYPHS[key] ?? UNKNOWN);
    BITMAPS.set(key, g);
  }
  return g;
}

/** Whether the font has a glyph for a character (else it draws as a box). */
export function hasGlyph(ch: string): boolean {
  return ch.toLowerCase() in GLYPHS;
}

/**
 * Every inked pixel of `text` at `scale` pixels per font cell, as offsets (u right, v down) from
 * the text's top-left corner; glyphs advance by (GLYPH_W + 1) * scale.
 */
export function* textPixels(text: string, scale = 1): Generator<[number, number]> {
  let pen = 0;
  for (const ch of text) {
    const g = glyph(ch);
    for (let gy = 0; gy < GLYPH_H; gy++) {
      for (let gx = 0; gx < GLYPH_W; gx++) {
        if (g[gy * GLYPH_W + gx] === 0) continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) yield [pen + gx * scale + sx, gy * scale + sy];
        }
      }
    }
    pen += (GLYPH_W + 1) * scale;
  }
}

/**
 * Draw text into an RGB canvas at (x, y) with `scale` pixels per font cell. Ink outside the
 * canvas is clipped.
 */
export function drawText(
  canvas: Uint8Array,
  width: number,
  height: number,
  text: string,
  x: number,
  y: number,
  colour: readonly [number, number, number],
  scale = 1,
): void {
  for (const [u, v] of textPixels(text, scale)) {
    const px = x + u, py = y + v;
    if (px < 0 || py < 0 || px >= width || py >= height) continue;
    const k = 3 * (py * width + px);
    canvas[k] = colour[0];
    canvas[k + 1] = colour[1];
    canvas[k + 2] = colour[2];
  }
}
