/**
 * A raster canvas for the report's plots: RGB8 pixels with alpha-blended drawing (so overlaid
 * series stay visible through each other), thick and dashed lines, markers, and text in
 * ShapeWorld's 5x7 bitmap font (shapeworld/font.ts), upright or turned 90 degrees for a
 * y-axis label. `png()` encodes it with ShapeWorld's PNG encoder.
 */
import { GLYPH_H, GLYPH_W, textPixels } from "../../shapeworld/font.ts";
import { encodePng } from "../../lib/png.ts";

export type Rgb = readonly [number, number, number];
export type Marker = "circle" | "square" | "triangle" | "diamond";

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [20, 20, 20];

export interface TextOptions {
  /** Pixels per font cell. @default {2} */
  scale?: number;
  /** Horizontal anchor of (x, y). @default {"left"} */
  align?: "left" | "center" | "right";
  /** Turned 90 degrees counter-clockwise (reads bottom to top); anchors then apply along y. */
  vertical?: boolean;
}

export class Canvas {
  readonly width: number;
  readonly height: number;
  /** RGB8, HWC row-major. */
  readonly rgb: Uint8Array;

  constructor(width: number, height: number, background: Rgb = WHITE) {
    for (const [name, v] of [["width", width], ["height", height]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 16384) {
        throw new RangeError(
          `Cannot construct Canvas as ${name} must be an integer in [1, 16384]: current value is ${v}`,
        );
      }
    }
    this.width = width;
    this.height = height;
    this.rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.rgb.set(background, 3 * i);
  }

  /** Blends colour `c` with opacity `alpha` into pixel (x, y); outside the canvas is clipped. */
  blend(x: number, y: number, c: Rgb, alpha = 1): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const k = 3 * (y * this.width + x);
    for (let i = 0; i < 3; i++) {
      this.rgb[k + i] = Math.round(this.rgb[k + i]! * (1 - alpha) + c[i]! * alpha);
    }
  }

  /** The colour of pixel (x, y). */
  at(x: number, y: number): Rgb {
    const k = 3 * (Math.round(y) * this.width + Math.round(x));
    return [this.rgb[k]!, this.rgb[k + 1]!, this.rgb[k + 2]!];
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x)), x1 = Math.min(this.width, Math.round(x + w));
    const y0 = Math.max(0, Math.round(y)), y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) this.blend(px, py, c, alpha);
  }

  strokeRect(x: number, y: number, w: number, h: number, c: Rgb, width = 1): void {
    this.line(x, y, x + w, y, c, width);
    this.line(x + w, y, x + w, y + h, c, width);
    this.line(x + w, y + h, x, y + h, c, width);
    this.line(x, y + h, x, y, c, width);
  }

  /**
   * A line `width` pixels thick; `dash` > 0 draws dashes and gaps of that many pixels. Each
   * pixel is painted once (a set), so a translucent line does not darken where stamps overlap.
   */
  line(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    c: Rgb,
    width = 1,
    dash = 0,
    alpha = 1,
  ): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(len * 2));
    const r = (width - 1) / 2;
    const painted = new Set<number>();
    for (let s = 0; s <= steps; s++) {
      const d = (s / steps) * len;
      if (dash > 0 && Math.floor(d / dash) % 2 === 1) continue;
      const x = x0 + (x1 - x0) * (s / steps), y = y0 + (y1 - y0) * (s / steps);
      for (let py = Math.round(y - r); py <= Math.round(y + r); py++) {
        for (let px = Math.round(x - r); px <= Math.round(x + r); px++) {
          const key = py * this.width + px;
          if (painted.has(key)) continue;
          painted.add(key);
          this.blend(px, py, c, alpha);
        }
      }
    }
  }

  /** A filled marker of `size` pixels across centred on (x, y), with an optional outline. */
  marker(kind: Marker, x: number, y: number, size: number, fill: Rgb, stroke?: Rgb): void {
    const r = size / 2;
    const inside = (dx: number, dy: number, rr: number): boolean => {
      switch (kind) {
        case "circle":
          return dx * dx + dy * dy <= rr * rr;
        case "square":
          return Math.abs(dx) <= rr && Math.abs(dy) <= rr;
        case "diamond":
          return Math.abs(dx) + Math.abs(dy) <= rr * 1.2;
        case "triangle": // pointing up; dy grows downwards
          return dy <= rr * 0.8 && dy >= -rr * 1.1 + 2 * Math.abs(dx) * 1.05;
      }
    };
    const R = Math.ceil(r * 1.3) + 1;
    for (let dy = -R; dy <= R; dy++) {
      for (let dx = -R; dx <= R; dx++) {
        if (!inside(dx, dy, r)) continue;
        const edge = stroke !== undefined && !inside(dx, dy, r - 1.5);
        this.blend(x + dx, y + dy, edge ? stroke : fill);
      }
    }
  }

  /** The width in pixels of `text` at `scale`. */
  static textWidth(text: string, scale = 2): number {
    return text.length === 0 ? 0 : ([...text].length * (GLYPH_W + 1) - 1) * scale;
  }

  /** The height in pixels of one line of text at `scale`. */
  static textHeight(scale = 2): number {
    return GLYPH_H * scale;
  }

  /** Draws `text` with its top-left (or anchored) corner at (x, y). */
  text(text: string, x: number, y: number, c: Rgb, opts: TextOptions = {}): void {
    const scale = opts.scale ?? 2;
    const w = Canvas.textWidth(text, scale);
    const shift = opts.align === "center" ? w / 2 : opts.align === "right" ? w : 0;
    for (const [px, v] of textPixels(text, scale)) {
      const u = px - shift;
      // Vertical: the text's x axis runs up the canvas, its y axis to the right.
      if (opts.vertical) this.blend(Math.round(x) + v, Math.round(y) - u, c);
      else this.blend(Math.round(x) + u, Math.round(y) + v, c);
    }
  }

  png(): Uint8Array {
    return encodePng(this.rgb, this.width, this.height);
  }
}
