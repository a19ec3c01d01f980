import assert from "node:assert/strict";
import { degradePixels, degradeScene, renderDegraded } from "../../../models/rewards/degrade.ts";
import { Rng } from "../../../lib/rng.ts";
import { boxOf, layoutFor, type Scene } from "../../../shapeworld/scene.ts";
import { parseCaption } from "../../../shapeworld/grammar.ts";
import { renderScene } from "../../../shapeworld/render.ts";

const scene: Scene = layoutFor(parseCaption("a red circle and a blue square"), new Rng(1));
const clean = renderScene(scene);

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

Deno.test("degradations at level 0 leave the render unchanged", () => {
  for (const kind of ["blur", "noise", "colour_shift", "blotches", "cutoff", "merge"] as const) {
    assert.deepEqual(renderDegraded(scene, kind, 0, new Rng(2)).image, clean, kind);
  }
});

Deno.test("pixel degradations change the image more at every higher level", () => {
  for (const kind of ["blur", "noise", "colour_shift", "blotches"] as const) {
    const diffs = [1, 2, 3, 4].map((l) =>
      meanAbsDiff(degradePixels(clean, kind, l, new Rng(3)), clean)
    );
    for (let l = 1; l < 4; l++) {
      assert.ok(diffs[l]! > diffs[l - 1]!, `${kind}: ${diffs.join(", ")}`);
    }
    assert.ok(diffs[0]! > 0, kind);
  }
});

Deno.test("cutoff pushes 0.1 + 0.15 * level of one object's extent over the edge", () => {
  for (const level of [1, 4]) {
    const out = degradeScene(scene, "cutoff", level, new Rng(level));
    const moved = out.objects.find((o, i) =>
      o.x !== scene.objects[i]!.x || o.y !== scene.objects[i]!.y
    )!;
    const [x0, y0, x1, y1] = boxOf(moved);
    const outside = Math.max(-x0, -y0, x1 - 32, y1 - 32) / moved.extent;
    assert.ok(Math.abs(outside - (0.1 + 0.15 * level)) < 1e-9, `level ${level}: ${outside}`);
  }
});

Deno.test("merge makes two objects' boxes overlap", () => {
  const out = degradeScene(scene, "merge", 2, new Rng(5));
  const a = boxOf(out.objects[0]!), b = boxOf(out.objects[1]!);
  const ox = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const oy = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  assert.ok(ox > 0 && oy > 0, `boxes ${a} and ${b} should overlap`);
  assert.deepEqual(
    scene.objects.map((o) => o.x),
    layoutFor(parseCaption("a red circle and a blue square"), new Rng(1)).objects.map((o) => o.x),
    "the input scene is not modified",
  );
});

Deno.test("degradations reject a bad level and a merge of one object", () => {
  assert.throws(
    () => degradePixels(clean, "noise", 5, new Rng(1)),
    /level must be an integer in \[0, 4\]: current value is 5/,
  );
  const one = layoutFor(parseCaption("a red circle"), new Rng(1));
  assert.throws(
    () => degradeScene(one, "merge", 1, new Rng(1)),
    /'merge' as the scene has 1 object/,
  );
});
