import assert from "node:assert/strict";
import {
  type Colour,
  detectObjects,
  evalTable,
  evaluateImage,
  formatEvalTable,
  renderScene,
  type Shape,
  type Size,
} from "../../shapeworld/mod.ts";

// Hand-made scenes: every object placed by hand (centre x, y; extent from the size class).
type Obj = [Shape, Colour, Size, number, number];
function img(...objs: Obj[]): Uint8Array {
  return renderScene({
    objects: objs.map(([shape, colour, size, x, y]) => ({
      shape,
      colour,
      size,
      extent: size === "small" ? 7 : 11,
      x,
      y,
    })),
  });
}

function judge(caption: string, image: Uint8Array): boolean {
  return evaluateImage(caption, image).correct;
}

Deno.test("ShapeEval judges single_object images, and near misses as incorrect", () => {
  assert.ok(judge("a circle", img(["circle", "red", "large", 16, 16])));
  assert.ok(judge("a small triangle", img(["triangle", "blue", "small", 10, 22])));
  assert.ok(!judge("a circle", img(["square", "red", "large", 16, 16])), "wrong shape");
  assert.ok(!judge("a small triangle", img(["triangle", "blue", "large", 10, 20])), "wrong size");
  assert.ok(
    !judge(
      "a circle",
      img(["circle", "red", "large", 9, 9], ["triangle", "green", "small", 24, 24]),
    ),
    "extra object",
  );
  assert.ok(!judge("a circle", img()), "nothing drawn");
});

Deno.test("ShapeEval judges two_object images, and near misses as incorrect", () => {
  const ok = img(["circle", "red", "large", 9, 16], ["square", "cyan", "small", 24, 16]);
  assert.ok(judge("a circle and a square", ok));
  assert.ok(judge("a square and a large circle", ok));
  assert.ok(!judge("a circle and a small triangle", ok), "wrong second shape");
  assert.ok(!judge("a circle and a large square", ok), "wrong size");
  assert.ok(
    !judge(
      "a circle and a square",
      img(["circle", "red", "large", 9, 16], ["circle", "cyan", "small", 24, 16]),
    ),
    "two circles",
  );
  assert.ok(
    !judge(
      "a circle and a square",
      img(["circle", "red", "large", 9, 9], ["square", "cyan", "small", 24, 9], [
        "triangle",
        "blue",
        "small",
        16,
        25,
      ]),
    ),
    "extra object",
  );
});

Deno.test("ShapeEval judges counting images, and wrong counts as incorrect", () => {
  const g = (x: number, y: number): Obj => ["triangle", "green", "small", x, y];
  assert.ok(judge("three green triangles", img(g(6, 6), g(24, 8), g(14, 24))));
  assert.ok(judge("one green triangle", img(g(20, 12))));
  assert.ok(judge("four small triangles", img(g(6, 6), g(24, 6), g(6, 24), g(24, 24))));
  const r2 = evaluateImage("three green triangles", img(g(6, 6), g(24, 8)));
  assert.ok(!r2.correct);
  assert.match(r2.reason!, /expected 3 object\(s\).*found 2/);
  assert.ok(
    !judge("three green triangles", img(g(6, 6), g(24, 6), g(6, 24), g(24, 24))),
    "one too many",
  );
  assert.ok(
    !judge("three green triangles", img(g(6, 6), g(24, 8), ["triangle", "red", "small", 14, 24])),
    "one is red",
  );
  assert.ok(
    !judge(
      "two circles",
      img(["circle", "red", "small", 8, 8], ["square", "red", "small", 24, 24]),
    ),
    "wrong shape",
  );
});

Deno.test("ShapeEval judges colors images, and wrong colours as incorrect", () => {
  for (const c of ["red", "green", "blue", "yellow", "purple", "cyan"] as const) {
    assert.ok(judge(`a ${c} circle`, img(["circle", c, "large", 15, 17])), c);
  }
  assert.ok(!judge("a red circle", img(["circle", "purple", "large", 15, 17])));
  assert.ok(!judge("a yellow square", img(["square", "cyan", "small", 15, 17])));
  assert.ok(
    !judge("a red circle", img(["square", "red", "large", 15, 17])),
    "right colour, wrong shape",
  );
});

Deno.test("ShapeEval judges position images, and wrong relations as incorrect", () => {
  const left = img(["square", "yellow", "large", 8, 16], ["circle", "purple", "large", 24, 17]);
  assert.ok(judge("a yellow square to the left of a purple circle", left));
  assert.ok(judge("a purple circle to the right of a yellow square", left));
  const swapped = evaluateImage("a purple circle to the left of a yellow square", left);
  assert.ok(!swapped.correct);
  assert.match(
    swapped.reason!,
    /relation "left of" does not hold: the first object is right of the second/,
  );
  assert.ok(!judge("a yellow square above a purple circle", left), "wrong relation");
  const stacked = img(["square", "blue", "small", 15, 7], ["circle", "red", "large", 16, 22]);
  assert.ok(judge("a square above a circle", stacked));
  assert.ok(judge("a large circle below a small square", stacked));
  assert.ok(!judge("a square below a circle", stacked));
  assert.ok(!judge("a square to the left of a circle", stacked));
  assert.ok(
    !judge(
      "a square above a circle",
      img(["square", "blue", "small", 15, 7], ["circle", "red", "large", 16, 22], [
        "circle",
        "red",
        "small",
        6,
        26,
      ]),
    ),
    "extra object",
  );
});

Deno.test("ShapeEval judges color_attr images, and swapped colours as incorrect", () => {
  const ok = img(["circle", "red", "large", 9, 10], ["square", "blue", "large", 23, 22]);
  assert.ok(judge("a red circle and a blue square", ok));
  assert.ok(judge("a blue square and a red circle", ok));
  const swapped = evaluateImage("a blue circle and a red square", ok);
  assert.ok(!swapped.correct);
  assert.match(
    swapped.reason!,
    /objects do not match: expected blue circle, red square, found large red circle, large blue square/,
  );
  assert.ok(!judge("a red circle and a blue circle", ok));
  assert.ok(
    !judge(
      "a red circle and a blue square",
      img(["circle", "red", "large", 9, 10], ["square", "blue", "large", 23, 22], [
        "square",
        "blue",
        "small",
        8,
        25,
      ]),
    ),
    "extra object",
  );
});

// Pixel-drawn images, not from the renderer: hard edges, off-palette paint, off-white paper.
function drawn(
  paper: [number, number, number],
  draw: (x: number, y: number) => [number, number, number] | null,
): Uint8Array {
  const out = new Uint8Array(32 * 32 * 3);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const c = draw(x + 0.5, y + 0.5) ?? paper;
      out.set(c, 3 * (y * 32 + x));
    }
  }
  return out;
}

Deno.test("ShapeEval reads pixel-drawn shapes in slightly-off colours on off-white paper", () => {
  const image = drawn([250, 248, 245], (x, y) => {
    if (x >= 3 && x < 14 && y >= 10 && y < 21) return [205, 45, 35]; // an 11x11 reddish square
    if (Math.hypot(x - 24, y - 16) <= 5) return [50, 80, 215]; // a blue-ish disk, diameter 10
    if (y >= 24 && y < 30 && Math.abs(x - 24) <= (y - 24) / 2 + 0.5) return [230, 195, 20]; // a small triangle
    return null;
  });
  const found = detectObjects(image).map((d) => `${d.size} ${d.colour} ${d.shape}`).sort();
  assert.deepEqual(found, ["large blue circle", "large red square", "small yellow triangle"]);
  assert.ok(!judge("a red square and a blue circle", image), "the triangle is an extra object");
});

Deno.test("evaluateImage() says 'cannot evaluate' for captions outside the grammar", () => {
  const image = img(["circle", "red", "large", 16, 16]);
  assert.throws(
    () => evaluateImage("a photo of a dog", image),
    /^Error: cannot evaluate: "photo" is not in the vocabulary/,
  );
});

Deno.test("evaluateImage() and detectObjects() refuse images of the wrong size or channels", () => {
  assert.throws(
    () => evaluateImage("a circle", new Uint8Array(32 * 32 * 4)),
    /32x32 needs 3072 bytes: current value is 4096 bytes \(4.00 channels\)/,
  );
  assert.throws(() => detectObjects(new Uint8Array(64 * 64 * 3)), RangeError);
  assert.equal(detectObjects(new Uint8Array(64 * 64 * 3).fill(240), 64, 64).length, 0);
});

Deno.test("evalTable() averages per category and overall is the mean of categories", () => {
  const t = evalTable([
    { category: "counting", correct: true },
    { category: "counting", correct: false },
    { category: "counting", correct: false },
    { category: "counting", correct: true },
    { category: "colors", correct: true },
  ]);
  assert.deepEqual(t, { counting: 0.5, colors: 1, overall: 0.75 });
  assert.throws(() => evalTable([{ category: "style", correct: true }]), /current value is style/);
  const md = formatEvalTable([{ label: "base", table: t }]);
  assert.equal(
    md,
    "| Model | Overall | Single object | Two object | Counting | Colors | Position | Color attribution |\n" +
      "|---|---:|---:|---:|---:|---:|---:|---:|\n" +
      "| base | 0.75 | - | - | 0.50 | 1.00 | - | - |",
  );
});
