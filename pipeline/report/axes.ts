/**
 * One plot panel on a canvas: maps data coordinates to pixels inside a rectangle, and draws
 * the frame, grid, tick labels, axis labels, title and legend around it.
 *
 * Layout of a panel's outer rectangle (pixels):
 *
 *     | pad | y label | y tick labels | plot area | pad |     title above, x ticks + label below
 */
import { BLACK, Canvas, type Marker, type Rgb } from "./canvas.ts";
import { formatTick, niceTicks, type Ticks } from "./ticks.ts";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface AxesOptions {
  x: readonly [number, number];
  y: readonly [number, number];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Label of a tick value. @default {formatTick} */
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** Tick positions instead of nice ones (e.g. one per bar of a bar chart). */
  xTickValues?: readonly number[];
  /** Smallest x tick spacing (1: integer ticks only). @default {0} */
  xMinStep?: number;
  /** Widen the ranges to whole tick steps. @default {false} */
  expand?: boolean;
  /** Extra room on the right, e.g. for a colour bar. @default {0} */
  rightMargin?: number;
  /** Labels of a legend drawn below the x label (room is kept for it). */
  legendBelow?: readonly string[];
}

export interface LegendEntry {
  label: string;
  colour: Rgb;
  /** How the entry's swatch is drawn. @default {"box"} */
  kind?: "box" | "line" | Marker;
}

const GRID: Rgb = [228, 228, 228];
const TICK_INK: Rgb = [70, 70, 70];
const FS = 2; // text scale: 10 x 14 pixel glyphs
const CH = Canvas.textHeight(FS);

export class Axes {
  readonly canvas: Canvas;
  /** The plot area (inside the frame). */
  readonly plot: Rect;
  readonly xTicks: Ticks;
  readonly yTicks: Ticks;
  readonly options: AxesOptions;
  #belowRows: number;

  constructor(canvas: Canvas, outer: Rect, options: AxesOptions) {
    this.canvas = canvas;
    this.options = options;
    const wide = Math.max(3, Math.round(outer.w / 110));
    this.xTicks = options.xTickValues
      ? { values: [...options.xTickValues], step: 1, min: options.x[0], max: options.x[1] }
      : niceTicks(options.x[0], options.x[1], wide, options.expand ?? false, options.xMinStep);
    this.yTicks = niceTicks(options.y[0], options.y[1], 5, options.expand ?? false);
    const yLabels = this.yTicks.values.map((v) => this.#yLabel(v));
    const left = 8 + (options.yLabel ? CH + 10 : 0) +
      Math.max(...yLabels.map((s) => Canvas.textWidth(s, FS))) + 8;
    const top = 12 + (options.title ? CH + 10 : 4);
    this.#belowRows = options.legendBelow
      ? legendRows(options.legendBelow, outer.w - 20).length
      : 0;
    const bottom = 12 + CH + 8 + (options.xLabel ? CH + 8 : 0) + this.#belowRows * LEGEND_ROW;
    const right = 28 + (options.rightMargin ?? 0); // half an x tick label fits
    this.plot = {
      x: outer.x + left,
      y: outer.y + top,
      w: Math.max(10, outer.w - left - right),
      h: Math.max(10, outer.h - top - bottom),
    };
  }

  #xLabel(v: number): string {
    return (this.options.xFormat ?? ((x) => formatTick(x, this.xTicks.step)))(v);
  }
  #yLabel(v: number): string {
    return (this.options.yFormat ?? ((y) => formatTick(y, this.yTicks.step)))(v);
  }

  /** Pixel column of data x. */
  px(x: number): number {
    const { min, max } = this.xTicks;
    return this.plot.x + ((x - min) / (max - min)) * this.plot.w;
  }
  /** Pixel row of data y (up is larger y). */
  py(y: number): number {
    const { min, max } = this.yTicks;
    return this.plot.y + this.plot.h - ((y - min) / (max - min)) * this.plot.h;
  }
  /** Whether a pixel lies in the plot area. */
  inside(x: number, y: number): boolean {
    const p = this.plot;
    return x >= p.x && x <= p.x + p.w && y >= p.y && y <= p.y + p.h;
  }

  /** Grid lines and the frame; call before drawing data. */
  drawBackground(): void {
    const c = this.canvas, p = this.plot;
    for (const v of this.xTicks.values) c.line(this.px(v), p.y, this.px(v), p.y + p.h, GRID);
    for (const v of this.yTicks.values) c.line(p.x, this.py(v), p.x + p.w, this.py(v), GRID);
  }

  /** Frame, ticks, labels and title; call after drawing data so they stay on top. */
  drawFrame(): void {
    const c = this.canvas, p = this.plot, o = this.options;
    c.strokeRect(p.x, p.y, p.w, p.h, TICK_INK);
    for (const v of this.xTicks.values) {
      const x = this.px(v);
      c.line(x, p.y + p.h, x, p.y + p.h + 4, TICK_INK);
      c.text(this.#xLabel(v), x, p.y + p.h + 7, TICK_INK, { scale: FS, align: "center" });
    }
    for (const v of this.yTicks.values) {
      const y = this.py(v);
      c.line(p.x - 4, y, p.x, y, TICK_INK);
      c.text(this.#yLabel(v), p.x - 7, y - CH / 2, TICK_INK, { scale: FS, align: "right" });
    }
    if (o.xLabel) {
      c.text(o.xLabel, p.x + p.w / 2, p.y + p.h + 7 + CH + 8, BLACK, {
        scale: FS,
        align: "center",
      });
    }
    if (o.yLabel) {
      const widest = Math.max(
        ...this.yTicks.values.map((v) => Canvas.textWidth(this.#yLabel(v), FS)),
      );
      c.text(o.yLabel, p.x - 7 - widest - 10 - CH, p.y + p.h / 2, BLACK, {
        scale: FS,
        align: "center",
        vertical: true,
      });
    }
    if (o.title) {
      c.text(fit(o.title, p.w + 40), p.x + p.w / 2, p.y - CH - 10, BLACK, {
        scale: FS,
        align: "center",
      });
    }
  }

  /** A legend box in a corner of the plot area, or in rows below the x label. */
  legend(
    entries: readonly LegendEntry[],
    corner: "ne" | "nw" | "se" | "sw" | "below" = "ne",
  ): void {
    if (entries.length === 0) return;
    const c = this.canvas, p = this.plot;
    if (corner === "below") {
      const rows = legendRows(entries.map((e) => e.label), p.w + 40);
      let y = p.y + p.h + 7 + CH + 8 + (this.options.xLabel ? CH + 8 : 0) + 4;
      let i = 0;
      for (const row of rows) {
        const width = row.reduce((a, w) => a + w, 0);
        let x = p.x + p.w / 2 - width / 2;
        for (const w of row) {
          swatch(c, entries[i]!, x, y + CH / 2);
          c.text(entries[i]!.label, x + 26, y, BLACK, { scale: FS });
          x += w;
          i++;
        }
        y += LEGEND_ROW;
      }
      return;
    }
    const row = CH + 6;
    const w = 34 + Math.max(...entries.map((e) => Canvas.textWidth(e.label, FS))) + 10;
    const h = entries.length * row + 8;
    const x = corner.endsWith("e") ? p.x + p.w - w - 6 : p.x + 6;
    const y = corner.startsWith("n") ? p.y + 6 : p.y + p.h - h - 6;
    c.fillRect(x, y, w, h, [255, 255, 255], 0.85);
    c.strokeRect(x, y, w, h, [180, 180, 180]);
    entries.forEach((e, i) => {
      const cy = y + 4 + i * row + row / 2 - 3;
      swatch(c, e, x + 8, cy);
      c.text(e.label, x + 34, cy - CH / 2 + 1, BLACK, { scale: FS });
    });
  }
}

const LEGEND_ROW = CH + 8;

/** The swatch of a legend entry, 20 pixels wide from x, centred on row y. */
function swatch(c: Canvas, e: LegendEntry, x: number, y: number): void {
  const kind = e.kind ?? "box";
  if (kind === "box") c.fillRect(x, y - 5, 18, 10, e.colour, 0.8);
  else if (kind === "line") c.line(x - 2, y, x + 20, y, e.colour, 3);
  else c.marker(kind, x + 9, y, 12, e.colour, [40, 40, 40]);
}

/** Entry widths (swatch + label + gap) packed greedily into rows at most `width` wide. */
function legendRows(labels: readonly string[], width: number): number[][] {
  const rows: number[][] = [];
  let row: number[] = [], used = 0;
  for (const l of labels) {
    const w = 26 + Canvas.textWidth(l, FS) + 22;
    if (row.length > 0 && used + w > width) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(w);
    used += w;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** `text` cut to fit `width` pixels, ending in ".." when cut. */
export function fit(text: string, width: number): string {
  const max = Math.floor((width + FS) / (Canvas.textWidth("a", FS) + FS));
  return text.length <= max ? text : text.slice(0, Math.max(1, max - 2)).trimEnd() + "..";
}
