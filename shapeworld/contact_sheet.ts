/**
 * Contact sheets for reports: a PNG grid of images, each upscaled (nearest neighbour) with its
 * caption, word-wrapped, and an optional score line underneath, in the built-in 5x7 font.
 */
import { drawText, GLYPH_H, GLYPH_W } from "./font.ts";
import { encodePng } from "../lib/png.ts";

export interface ContactSheetItem {
  /** RGB8 pixels, HWC row-major, imageWidth x imageHeight. */
  rgb: Uint8Array;
  caption: string;
  /** A short line under the caption, e.g. "shapeeval 1  vqa 0.83". */
  score?: string;
}

export interface ContactSheetOptions {
  /** Images per row. @default {min(8, number of items)} */
  columns?: number;
  /** Upscaling factor of each image. @default {4} */
  scale?: number;
  /** Width of every item's image in pixels. @default {32} */
  imageWidth?: number;
  /** Height of every item's image in pixels. @default {32} */
  imageHeight?: number;
  /** A title line at the top of the sheet. @default {none} */
  title?: string;
}

const PAD = 6;
const LINE = GLYPH_H + 3;
const ADVANCE = GLYPH_W + 1;
const PAPER: readonly [number, number, number] = [255, 255, 255];
const INK: readonly [number, number, number] = [20, 20, 20];
const SCORE_INK: readonly [number, number, number] = [30, 90, 170];

/** Greedy word wrap to at most `width` characters per line (long words are cut). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    let w = word;
    while (w.length > width) {
      if (line) lines.push(line);
      line = "";
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) {
      line = w;
    } else if (line.length + 1 + w.length <= width) {
      line += " " + w;
    } else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) {
    throw new RangeError(
      `Cannot build a contact sheet as ${name} must be a positive integer: current value is ${v}`,
    );
  }
  return v;
}

/** A grid of images with captions (and optional scores), as PNG bytes. */
export function contactSheet(
  items: readonly ContactSheetItem[],
  opts: ContactSheetOptions = {},
): Uint8Array {
  if (items.length === 0) {
    throw new RangeError("Cannot build a contact sheet as items is empty: current value is []");
  }
  const iw = positiveInt("imageWidth", opts.imageWidth ?? 32);
  const ih = positiveInt("imageHeight", opts.imageHeight ?? 32);
  const scale = positiveInt("scale", opts.scale ?? 4);
  const cols = positiveInt("columns", opts.columns ?? Math.min(8, items.length));
  items.forEach((it, i) => {
    if (it.rgb.length !== iw * ih * 3) {
      throw new RangeError(
        `Cannot build a contact sheet as item ${i} ("${it.caption}") must have ${iw}x${ih}x3 = ` +
          `${iw * ih * 3} bytes: current value is ${it.rgb.length}`,
      );
    }
  });
  // Layout: every cell is as tall as the tallest caption, so rows line up.
  const cellW = Math.max(iw * scale, 8 * ADVANCE);
  const chars = Math.floor(cellW / ADVANCE);
  const texts = items.map((it) => [
    ...wrapText(it.caption, chars),
    ...(it.score === undefined ? [] : wrapText(it.score, chars)),
  ]);
  const captionLines = items.map((it) => wrapText(it.caption, chars).length);
  const maxLines = Math.max(...texts.map((t) => t.length));
  const cellH = ih * scale + 4 + maxLines * LINE;
  const rows = Math.ceil(items.length / cols);
  const titleH = opts.title === undefined ? 0 : LINE + PAD;
  const W = PAD + cols * (cellW + PAD);
  const H = PAD + titleH + rows * (cellH + PAD);
  const canvas = new Uint8Array(W * H * 3).fill(PAPER[0]);
  if (opts.title !== undefined) drawText(canvas, W, H, opts.title, PAD, PAD, INK);
  items.forEach((it, n) => {
    const ox = PAD + (n % cols) * (cellW + PAD);
    const oy = PAD + titleH + Math.floor(n / cols) * (cellH + PAD);
    // nearest-neighbour upscale
    for (let y = 0; y < ih * scale; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < iw * scale; x++) {
        const s = 3 * (sy * iw + Math.floor(x / scale));
        const d = 3 * ((oy + y) * W + ox + x);
        canvas[d] = it.rgb[s]!;
        canvas[d + 1] = it.rgb[s + 1]!;
        canvas[d + 2] = it.rgb[s + 2]!;
      }
    }
    texts[n]!.forEach((line, k) => {
      const colour = k < captionLines[n]! ? INK : SCORE_INK;
      drawText(canvas, W, H, line, ox, oy + ih * scale + 4 + k * LINE, colour);
    });
  });
  return encodePng(canvas, W, H);
}
