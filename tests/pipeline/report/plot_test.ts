import assert from "node:assert/strict";
import { Canvas, type Rgb, WHITE } from "../../../pipeline/report/canvas.ts";
import { colourMap, type Figure, figurePng, renderFigure } from "../../../pipeline/report/plot.ts";
import { decodePng } from "../../../lib/png.ts";

const RED: Rgb = [220, 20, 20];
const BLUE: Rgb = [20, 20, 220];
const isWhite = (c: Rgb) => c[0] === 255 && c[1] === 255 && c[2] === 255;
/** Reddish: red clearly above green and blue (a translucent red over white counts). */
const reddish = (c: Rgb) => c[0] > c[1] + 40 && c[0] > c[2] + 40;
const bluish = (c: Rgb) => c[2] > c[0] + 40 && c[2] > c[1] + 40;

Deno.test("figurePng() gives a PNG of columns x panel width by rows x panel height", () => {
  const fig: Figure = {
    columns: 2,
    panelWidth: 300,
    panelHeight: 200,
    panels: [0, 1, 2].map(() => ({
      kind: "lines",
      series: [{ label: "y", x: [0, 1, 2], y: [0, 1, 4] }],
    })),
  };
  const png = decodePng(figurePng(fig));
  assert.deepEqual([png.width, png.height], [600, 400]);
  const titled = decodePng(figurePng({ ...fig, title: "a title" }));
  assert.equal(titled.width, 600);
  assert.ok(titled.height > 400, "the title adds a band at the top");
});

Deno.test("a histogram fills the bins that hold data and leaves empty bins blank", () => {
  const { canvas, axes } = renderFigure({
    panels: [{
      kind: "histogram",
      bins: 10,
      xRange: [0, 10],
      means: false,
      legend: "none",
      series: [{ label: "r", values: [1.5, 1.5, 1.5, 1.5, 8.5], colour: RED }],
    }],
  });
  const a = axes[0]!;
  // bin [1, 2) holds 4 values: its middle at height 2 is red; bin [5, 6) is empty
  assert.ok(reddish(canvas.at(a.px(1.5), a.py(2))), String(canvas.at(a.px(1.5), a.py(2))));
  assert.ok(reddish(canvas.at(a.px(8.5), a.py(0.5))));
  assert.ok(!reddish(canvas.at(a.px(5.3), a.py(0.5))));
  assert.ok(!reddish(canvas.at(a.px(1.5), a.py(4.4))), "nothing above the tallest bin");
});

Deno.test("a scatter draws each point's marker in its own colour where the point is", () => {
  const { canvas, axes } = renderFigure({
    panels: [{
      kind: "scatter",
      xRange: [0, 1],
      yRange: [0, 1],
      legend: "none",
      segments: [{ x0: 0.2, y0: 0.2, x1: 0.8, y1: 0.2, colour: [0, 0, 0] }],
      series: [{ label: "p", x: [0.2, 0.8], y: [0.8, 0.5], colour: [RED, BLUE], size: 12 }],
      colourBar: { label: "third", min: 0, max: 1 },
    }],
  });
  const a = axes[0]!;
  assert.ok(reddish(canvas.at(a.px(0.2), a.py(0.8))));
  assert.ok(bluish(canvas.at(a.px(0.8), a.py(0.5))));
  assert.deepEqual(canvas.at(a.px(0.5), a.py(0.2)), [0, 0, 0], "the segment");
  assert.ok(isWhite(canvas.at(a.px(0.5), a.py(0.65))), "no data there");
});

Deno.test("bars reach their value, error bars their interval, and the reference line is drawn", () => {
  const { canvas, axes } = renderFigure({
    panels: [{
      kind: "bars",
      yRange: [0, 1],
      refLine: { y: 0.5 },
      bars: [
        { label: "a", value: 0.8, low: 0.7, high: 0.9, colour: RED },
        { label: "b", value: 0.3, colour: BLUE },
      ],
    }],
  });
  const a = axes[0]!;
  assert.ok(reddish(canvas.at(a.px(0) - 10, a.py(0.6))));
  assert.ok(!reddish(canvas.at(a.px(0) - 10, a.py(0.85))), "the bar stops at 0.8");
  assert.ok(bluish(canvas.at(a.px(1) - 10, a.py(0.2))));
  const err = canvas.at(a.px(0), a.py(0.88));
  assert.ok(err[0] < 60 && err[1] < 60 && err[2] < 60, `error bar at 0.88: ${err}`);
  // the dashed 50% line crosses the gap between the bars somewhere
  const gap = Array.from({ length: 30 }, (_, k) => canvas.at(a.px(0.5) - 15 + k, a.py(0.5)));
  assert.ok(gap.some((c) => c[0] < 120 && c[0] === c[1] && c[1] === c[2]));
});

Deno.test("a line chart follows its points and breaks at a missing value", () => {
  const { canvas, axes } = renderFigure({
    panels: [{
      kind: "lines",
      xRange: [0, 4],
      yRange: [0, 4],
      legend: "none",
      series: [{ label: "y", x: [0, 1, 2, 3, 4], y: [0, 1, null, 3, 3], colour: RED, width: 3 }],
    }],
  });
  const a = axes[0]!;
  assert.ok(reddish(canvas.at(a.px(0.5), a.py(0.5))), "on the segment 0 -> 1");
  assert.ok(reddish(canvas.at(a.px(3.5), a.py(3))), "on the segment 3 -> 4");
  assert.ok(!reddish(canvas.at(a.px(1.5), a.py(1.5))), "no segment across the null");
  assert.ok(!reddish(canvas.at(a.px(2.5), a.py(2))), "no segment across the null");
});

Deno.test("text is inked in the bitmap font, also turned for a y-axis label", () => {
  const c = new Canvas(80, 80, WHITE);
  c.text("ab", 2, 2, [0, 0, 0]);
  c.text("ab", 40, 70, [0, 0, 0], { vertical: true });
  const inked = (x0: number, y0: number, w: number, h: number) => {
    let n = 0;
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) n += +!isWhite(c.at(x, y));
    return n;
  };
  assert.ok(inked(2, 2, Canvas.textWidth("ab"), Canvas.textHeight()) > 20);
  // vertical: the text runs upwards from (40, 70), 14 pixels wide
  assert.ok(
    inked(40, 70 - Canvas.textWidth("ab"), Canvas.textHeight(), Canvas.textWidth("ab")) > 20,
  );
  assert.equal(inked(2, 30, 30, 30), 0);
});

Deno.test("renderFigure() rejects no panels, bad columns and bad bins, naming them", () => {
  assert.throws(() => renderFigure({ panels: [] }), /panels is empty/);
  assert.throws(
    () => renderFigure({ columns: 0, panels: [{ kind: "bars", bars: [] }] }),
    /columns must be a positive integer: current value is 0/,
  );
  assert.throws(
    () => renderFigure({ panels: [{ kind: "histogram", bins: 0, series: [] }] }),
    /bins must be a positive integer: current value is 0/,
  );
  assert.throws(() => new Canvas(0, 5), /width must be an integer/);
});

Deno.test("colourMap() runs from dark purple to yellow and clamps", () => {
  assert.deepEqual(colourMap(0), [68, 1, 84]);
  assert.deepEqual(colourMap(1), [253, 231, 37]);
  assert.deepEqual(colourMap(-3), colourMap(0));
  assert.deepEqual(colourMap(7), colourMap(1));
});
