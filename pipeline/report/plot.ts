/**
 * A tiny plotting library for the run report: a figure is a grid of panels, each one of a
 * closed set of kinds (histogram, scatter, bars with error bars, lines), drawn on a `Canvas`
 * and encoded as PNG. One switch dispatches over the kinds; adding a kind is one case.
 *
 *     const png = figurePng({ columns: 2, panels: [{ kind: "histogram", series: [...] }] });
 */
import { Axes, type AxesOptions, type LegendEntry } from "./axes.ts";
import { BLACK, Canvas, type Marker, type Rgb } from "./canvas.ts";
import { formatTick } from "./ticks.ts";

/** Series colours: blue, orange, green, purple, red, brown (colour-blind-friendlier first two). */
export const PALETTE: readonly Rgb[] = [
  [45, 105, 190],
  [235, 125, 25],
  [40, 150, 80],
  [140, 80, 170],
  [200, 50, 50],
  [130, 90, 60],
];

interface PanelBase {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Data ranges; @default {from the data} */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** Smallest x tick spacing (1 for steps). @default {0} */
  xMinStep?: number;
  /** Legend corner, "below" the x label, or "none". @default {"ne"} */
  legend?: "ne" | "nw" | "se" | "sw" | "below" | "none";
  /** A horizontal reference line, e.g. 50% on a win-rate chart. */
  refLine?: { y: number; label?: string };
}

export interface HistogramPanel extends PanelBase {
  kind: "histogram";
  series: readonly { label: string; values: ArrayLike<number>; colour?: Rgb }[];
  /** @default {20} */
  bins?: number;
  /** Dashed line at each series' mean. @default {true} */
  means?: boolean;
}

export interface ScatterSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** One colour, or one per point. */
  colour?: Rgb | readonly Rgb[];
  /** @default {"circle"} */
  marker?: Marker;
  /** Marker size in pixels. @default {10} */
  size?: number;
  /** Marker outline. */
  stroke?: Rgb;
  /** The legend swatch colour (for per-point colours). @default {the first point's colour} */
  legendColour?: Rgb;
}

export interface ScatterPanel extends PanelBase {
  kind: "scatter";
  /** Line segments drawn under the markers (e.g. joining a pair). */
  segments?: readonly { x0: number; y0: number; x1: number; y1: number; colour: Rgb }[];
  series: readonly ScatterSeries[];
  /** A vertical colour bar for per-point colours from `colourMap`. */
  colourBar?: { label: string; min: number; max: number };
}

export interface BarPanel extends PanelBase {
  kind: "bars";
  bars: readonly { label: string; value: number; low?: number; high?: number; colour?: Rgb }[];
}

export interface LinePanel extends PanelBase {
  kind: "lines";
  /** Non-finite and null y values break the line. */
  series: readonly {
    label: string;
    x: ArrayLike<number>;
    y: ArrayLike<number | null>;
    colour?: Rgb;
    /** @default {2} */
    width?: number;
    /** @default {1} */
    alpha?: number;
    /** Leave out of the legend. */
    hideLegend?: boolean;
  }[];
}

export type Panel = HistogramPanel | ScatterPanel | BarPanel | LinePanel;

export interface Figure {
  panels: readonly Panel[];
  /** @default {min(panels, 2)} */
  columns?: number;
  /** @default {520} */
  panelWidth?: number;
  /** @default {360} */
  panelHeight?: number;
  title?: string;
}

/** Viridis-like colour of t in [0, 1] (dark purple -> teal -> yellow); clamped. */
export function colourMap(t: number): Rgb {
  const stops: Rgb[] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [
    253,
    231,
    37,
  ]];
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u)), f = u - i;
  const a = stops[i]!, b = stops[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as unknown as Rgb;
}

const finite = (xs: ArrayLike<number | null>): number[] =>
  Array.from(xs).filter((v): v is number => v !== null && Number.isFinite(v));

/** [min, max] of the values with a margin of `pad` of the span. */
function extent(values: readonly number[], pad = 0.05): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const m = (hi - lo) * pad;
  return [lo - m, hi + m];
}

/** Draws a figure; the axes of each panel are returned (tests map data to pixels with them). */
export function renderFigure(fig: Figure): { canvas: Canvas; axes: Axes[] } {
  if (fig.panels.length === 0) {
    throw new RangeError("Cannot render a figure as panels is empty: current value is []");
  }
  const cols = fig.columns ?? Math.min(2, fig.panels.length);
  if (!Number.isInteger(cols) || cols < 1) {
    throw new RangeError(
      `Cannot render a figure as columns must be a positive integer: current value is ${cols}`,
    );
  }
  const pw = fig.panelWidth ?? 520, ph = fig.panelHeight ?? 360;
  const titleH = fig.title ? Canvas.textHeight(3) + 16 : 0;
  const rows = Math.ceil(fig.panels.length / cols);
  const canvas = new Canvas(cols * pw, titleH + rows * ph);
  if (fig.title) canvas.text(fig.title, (cols * pw) / 2, 10, BLACK, { scale: 3, align: "center" });
  const axes = fig.panels.map((panel, i) =>
    drawPanel(canvas, {
      x: (i % cols) * pw,
      y: titleH + Math.floor(i / cols) * ph,
      w: pw,
      h: ph,
    }, panel)
  );
  return { canvas, axes };
}

/** The figure as PNG bytes. */
export function figurePng(fig: Figure): Uint8Array {
  return renderFigure(fig).canvas.png();
}

function drawPanel(
  canvas: Canvas,
  rect: { x: number; y: number; w: number; h: number },
  panel: Panel,
): Axes {
  switch (panel.kind) {
    case "histogram":
      return drawHistogram(canvas, rect, panel);
    case "scatter":
      return drawScatter(canvas, rect, panel);
    case "bars":
      return drawBars(canvas, rect, panel);
    case "lines":
      return drawLines(canvas, rect, panel);
  }
}

type PanelRect = { x: number; y: number; w: number; h: number };

function axesFor(
  canvas: Canvas,
  rect: PanelRect,
  p: Panel,
  x: [number, number],
  y: [number, number],
  legend: readonly LegendEntry[],
  extra: Partial<AxesOptions> = {},
): Axes {
  const a = new Axes(canvas, rect, {
    x: p.xRange ?? x,
    y: p.yRange ?? y,
    ...(p.title === undefined ? {} : { title: p.title }),
    ...(p.xLabel === undefined ? {} : { xLabel: p.xLabel }),
    ...(p.yLabel === undefined ? {} : { yLabel: p.yLabel }),
    ...(p.xFormat === undefined ? {} : { xFormat: p.xFormat }),
    ...(p.yFormat === undefined ? {} : { yFormat: p.yFormat }),
    ...(p.xMinStep === undefined ? {} : { xMinStep: p.xMinStep }),
    ...(p.legend === "below" ? { legendBelow: legend.map((e) => e.label) } : {}),
    ...extra,
  });
  a.drawBackground();
  return a;
}

function finish(a: Axes, p: Panel, legend: LegendEntry[]): Axes {
  if (p.refLine !== undefined) {
    const y = a.py(p.refLine.y);
    a.canvas.line(a.plot.x, y, a.plot.x + a.plot.w, y, [90, 90, 90], 2, 6);
    if (p.refLine.label) {
      a.canvas.text(p.refLine.label, a.plot.x + 6, y - 18, [90, 90, 90], { scale: 2 });
    }
  }
  a.drawFrame();
  if (p.legend !== "none") a.legend(legend, p.legend ?? "ne");
  return a;
}

function drawHistogram(canvas: Canvas, rect: PanelRect, p: HistogramPanel): Axes {
  const bins = p.bins ?? 20;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(
      `Cannot draw a histogram as bins must be a positive integer: current value is ${bins}`,
    );
  }
  const all = p.series.flatMap((s) => finite(s.values));
  const [lo, hi] = p.xRange ?? extent(all, 0.02);
  const width = (hi - lo) / bins || 1;
  const counts = p.series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of finite(s.values)) {
      c[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
    }
    return c;
  });
  const top = Math.max(1, ...counts.flat());
  const colours = p.series.map((s, i) => s.colour ?? PALETTE[i % PALETTE.length]!);
  const showMeans = p.means ?? true;
  const means = p.series.map((s) => {
    const v = finite(s.values);
    return v.reduce((x, y) => x + y, 0) / Math.max(1, v.length);
  });
  const legend = p.series.map((s, i) => ({
    label: showMeans ? `${s.label} (mean ${formatTick(means[i]!, 0.001)})` : s.label,
    colour: colours[i]!,
  }));
  // Headroom over the tallest bin keeps a corner legend clear of the bars.
  const room = p.legend === "below" || p.legend === "none" ? 1.08 : 1.15 + 0.12 * legend.length;
  const a = axesFor(canvas, rect, p, [lo, hi], [0, top * room], legend);
  counts.forEach((c, i) => {
    const col = colours[i]!;
    c.forEach((n, b) => {
      if (n === 0) return;
      const x0 = a.px(lo + b * width), x1 = a.px(lo + (b + 1) * width);
      canvas.fillRect(x0, a.py(n), x1 - x0, a.py(0) - a.py(n), col, 0.35);
    });
    // step outline over the fill, so overlapping series stay distinguishable
    let prev = 0;
    c.forEach((n, b) => {
      const x0 = a.px(lo + b * width), x1 = a.px(lo + (b + 1) * width);
      canvas.line(x0, a.py(prev), x0, a.py(n), col, 2);
      canvas.line(x0, a.py(n), x1, a.py(n), col, 2);
      prev = n;
    });
    canvas.line(a.px(hi), a.py(prev), a.px(hi), a.py(0), col, 2);
  });
  if (showMeans) {
    means.forEach((m, i) => {
      if (Number.isFinite(m)) canvas.line(a.px(m), a.plot.y, a.px(m), a.py(0), colours[i]!, 2, 5);
    });
  }
  return finish(a, p, legend);
}

function drawScatter(canvas: Canvas, rect: PanelRect, p: ScatterPanel): Axes {
  const xs = p.series.flatMap((s) => finite(s.x)), ys = p.series.flatMap((s) => finite(s.y));
  const colourOf = (s: ScatterSeries, i: number) => (k: number): Rgb => {
    const fallback = PALETTE[i % PALETTE.length]!;
    if (s.colour === undefined) return fallback;
    if (isRgbList(s.colour)) return s.colour[k] ?? fallback;
    return s.colour;
  };
  const legend: LegendEntry[] = p.series.map((s, i) => ({
    label: s.label,
    colour: s.legendColour ?? colourOf(s, i)(0),
    kind: s.marker ?? "circle",
  }));
  const extra = p.colourBar ? { rightMargin: 116 } : {};
  const a = axesFor(canvas, rect, p, extent(xs), extent(ys), legend, extra);
  for (const s of p.segments ?? []) {
    canvas.line(a.px(s.x0), a.py(s.y0), a.px(s.x1), a.py(s.y1), s.colour, 3);
  }
  p.series.forEach((s, i) => {
    const colourAt = colourOf(s, i);
    const n = Math.min(s.x.length, s.y.length);
    for (let k = 0; k < n; k++) {
      const x = s.x[k]!, y = s.y[k]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      canvas.marker(s.marker ?? "circle", a.px(x), a.py(y), s.size ?? 10, colourAt(k), s.stroke);
    }
  });
  if (p.colourBar) drawColourBar(a, p.colourBar);
  return finish(a, p, legend);
}

function isRgbList(c: Rgb | readonly Rgb[]): c is readonly Rgb[] {
  return Array.isArray(c[0]);
}

function drawColourBar(a: Axes, bar: { label: string; min: number; max: number }): void {
  const c = a.canvas, x = a.plot.x + a.plot.w + 22, top = a.plot.y, h = a.plot.h;
  for (let y = 0; y < h; y++) c.fillRect(x, top + y, 16, 1, colourMap(1 - y / (h - 1)));
  c.strokeRect(x, top, 16, h, [70, 70, 70]);
  for (const t of [0, 0.5, 1]) {
    const y = top + (1 - t) * h;
    c.line(x + 16, y, x + 20, y, [70, 70, 70]);
    const v = bar.min + t * (bar.max - bar.min);
    c.text(formatTick(v, (bar.max - bar.min) / 10), x + 23, y - 7, [70, 70, 70], { scale: 2 });
  }
  c.text(bar.label, x + 78, top + h / 2, BLACK, { scale: 2, align: "center", vertical: true });
}

function drawBars(canvas: Canvas, rect: PanelRect, p: BarPanel): Axes {
  const n = p.bars.length;
  const tops = p.bars.flatMap((b) => [b.value, b.high ?? b.value, b.low ?? b.value]);
  const a = axesFor(canvas, rect, p, [-0.5, n - 0.5], extent([0, ...tops], 0.08), [], {
    xTickValues: p.bars.map((_, i) => i),
    xFormat: (v: number) => p.bars[Math.round(v)]?.label ?? "",
  });
  const half = 0.3; // bar half-width in category units
  p.bars.forEach((b, i) => {
    const col = b.colour ?? PALETTE[i % PALETTE.length]!;
    const x0 = a.px(i - half), x1 = a.px(i + half), y0 = a.py(0), y1 = a.py(b.value);
    canvas.fillRect(x0, Math.min(y0, y1), x1 - x0, Math.abs(y1 - y0), col, 0.75);
    if (b.low !== undefined && b.high !== undefined) {
      const cx = a.px(i), ylo = a.py(b.low), yhi = a.py(b.high);
      canvas.line(cx, ylo, cx, yhi, BLACK, 2);
      canvas.line(cx - 8, ylo, cx + 8, ylo, BLACK, 2);
      canvas.line(cx - 8, yhi, cx + 8, yhi, BLACK, 2);
    }
    const label = a.options.yFormat ? a.options.yFormat(b.value) : formatTick(b.value, 0.01);
    // beside the bar's top, clear of the error bar's caps
    canvas.text(label, x1 + 4, y1 - 7, BLACK, { scale: 2 });
  });
  return finish(a, { ...p, legend: "none" }, []);
}

function drawLines(canvas: Canvas, rect: PanelRect, p: LinePanel): Axes {
  const xs = p.series.flatMap((s) => finite(s.x));
  const ys = p.series.flatMap((s) => finite(s.y));
  if (p.refLine) ys.push(p.refLine.y);
  const colours = p.series.map((s, i) => s.colour ?? PALETTE[i % PALETTE.length]!);
  const legend: LegendEntry[] = p.series.flatMap((s, i) =>
    s.hideLegend ? [] : [{ label: s.label, colour: colours[i]!, kind: "line" as const }]
  );
  const a = axesFor(canvas, rect, p, extent(xs, 0), extent(ys), legend);
  p.series.forEach((s, i) => {
    const col = colours[i]!;
    let last: [number, number] | null = null;
    const n = Math.min(s.x.length, s.y.length);
    for (let k = 0; k < n; k++) {
      const x = s.x[k]!, y = s.y[k];
      if (y === null || y === undefined || !Number.isFinite(y) || !Number.isFinite(x)) {
        last = null;
        continue;
      }
      const pt: [number, number] = [a.px(x), a.py(y)];
      if (last) canvas.line(last[0], last[1], pt[0], pt[1], col, s.width ?? 2, 0, s.alpha ?? 1);
      const next = k + 1 < n ? s.y[k + 1] : null;
      const isolated = last === null &&
        (next === null || next === undefined || !Number.isFinite(next));
      // a point with no neighbour would be a single pixel: give it a dot
      if (isolated) canvas.marker("circle", pt[0], pt[1], 2 * (s.width ?? 2) + 4, col);
      last = pt;
    }
  });
  return finish(a, p, legend);
}
