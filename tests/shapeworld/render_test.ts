import assert from "node:assert/strict";
import {
  BACKGROUND,
  boxOf,
  CATEGORIES,
  clearlyRelated,
  enumerateCategory,
  IMAGE_SIZE,
  isHeldOutPair,
  layoutFor,
  MIN_GAP,
  objectsOf,
  PALETTE,
  parseCaption,
  renderScene,
  type Scene,
  SIZE_RANGE,
} from "../../shapeworld/mod.ts";
import { Rng } from "../../lib/rng.ts";

Deno.test("renderScene() gives 32x32x3 bytes on a plain background, deterministic from the seed", () => {
  const m = parseCaption("a red circle and a blue square");
  const a = renderScene(layoutFor(m, new Rng(5)));
  const b = renderScene(layoutFor(m, new Rng(5)));
  const c = renderScene(layoutFor(m, new Rng(6)));
  assert.equal(a.length, IMAGE_SIZE * IMAGE_SIZE * 3);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(
    renderScene({ objects: [] }),
    new Uint8Array(32 * 32 * 3).map((_, i) => BACKGROUND[i % 3]!),
  );
});

Deno.test("renderScene() anti-aliases edges with blends of paint and background", () => {
  const scene: Scene = {
    objects: [{ shape: "circle", colour: "blue", size: "large", extent: 11, x: 16.3, y: 15.7 }],
  };
  const img = renderScene(scene);
  const [r0, g0, b0] = BACKGROUND, [r1, g1, b1] = PALETTE.blue;
  let full = 0, partial = 0;
  for (let p = 0; p < 32 * 32; p++) {
    const px = [img[3 * p]!, img[3 * p + 1]!, img[3 * p + 2]!];
    if (px[0] === r1 && px[1] === g1 && px[2] === b1) full++;
    else if (!(px[0] === r0 && px[1] === g0 && px[2] === b0)) {
      partial++;
      // a blend lies between background and paint on every channel
      for (const [c, lo, hi] of [[0, r0, r1], [1, g0, g1], [2, b0, b1]] as const) {
        assert.ok(px[c]! >= Math.min(lo, hi) && px[c]! <= Math.max(lo, hi));
      }
    }
  }
  // area pi * 5.5^2 = 95: interior pixels plus a ring of partial ones
  assert.ok(full > 60 && full < 95, `full ${full}`);
  assert.ok(partial > 20 && partial < 50, `partial ${partial}`);
});

Deno.test("layoutFor() satisfies every meaning: objects, sizes, colours, gaps, relations", () => {
  const rng = new Rng(11);
  for (const c of CATEGORIES) {
    const all = enumerateCategory(c);
    for (let t = 0; t < 150; t++) {
      const m = rng.pick(all);
      const scene = layoutFor(m, rng);
      const specs = objectsOf(m);
      assert.equal(scene.objects.length, specs.length);
      scene.objects.forEach((o, i) => {
        const s = specs[i]!;
        assert.equal(o.shape, s.shape);
        if (s.colour) assert.equal(o.colour, s.colour);
        else {assert.ok(
            !isHeldOutPair(o.colour, o.shape),
            "free colour never forms a held-out pair",
          );}
        if (s.size) assert.equal(o.size, s.size);
        const [lo, hi] = SIZE_RANGE[o.size];
        assert.ok(o.extent >= lo && o.extent < hi);
        const [x0, y0, x1, y1] = boxOf(o);
        assert.ok(x0 >= 1 && y0 >= 1 && x1 <= 31 && y1 <= 31, "inside the border");
      });
      for (let i = 0; i < scene.objects.length; i++) {
        for (let j = i + 1; j < scene.objects.length; j++) {
          const a = boxOf(scene.objects[i]!), b = boxOf(scene.objects[j]!);
          const gap = Math.max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3]);
          assert.ok(gap >= MIN_GAP - 1e-9, `gap ${gap}`);
        }
      }
      if (m.category === "position") {
        assert.ok(clearlyRelated(boxOf(scene.objects[0]!), boxOf(scene.objects[1]!), m.relation));
      }
    }
  }
});

Deno.test("layoutFor() fits four large objects", () => {
  const m = parseCaption("four large squares");
  for (let s = 0; s < 50; s++) assert.equal(layoutFor(m, new Rng(s)).objects.length, 4);
});
