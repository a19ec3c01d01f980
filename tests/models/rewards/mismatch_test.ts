import assert from "node:assert/strict";
import { mismatchedScene, mismatchKinds, sceneShows } from "../../../models/rewards/mismatch.ts";
import { CaptionPool, drawSample } from "../../../models/rewards/world_sample.ts";
import { Rng } from "../../../lib/rng.ts";
import { evaluateImage } from "../../../shapeworld/evaluate.ts";
import { parseCaption } from "../../../shapeworld/grammar.ts";
import { isHeldOutPair, isHeldOutRelation } from "../../../shapeworld/heldout.ts";
import { relationsBetween } from "../../../shapeworld/relation.ts";
import { boxOf, type SceneObject } from "../../../shapeworld/scene.ts";
import { renderScene } from "../../../shapeworld/render.ts";

Deno.test("mismatchKinds() lists only the changes a caption's category allows", () => {
  assert.deepEqual(mismatchKinds(parseCaption("a circle")), ["shape"]);
  assert.deepEqual(mismatchKinds(parseCaption("three red squares")), ["colour", "count", "shape"]);
  assert.deepEqual(mismatchKinds(parseCaption("a red circle above a square")), [
    "colour",
    "shape",
    "relation",
    "missing",
  ]);
  assert.throws(
    () => mismatchedScene(parseCaption("a circle"), "relation", new Rng(1), "eval"),
    /Cannot apply mismatch 'relation' to a single_object caption: it applies to shape/,
  );
});

Deno.test("ShapeEval judges clean matched renders correct and every mismatched one incorrect", () => {
  const pool = new CaptionPool("eval");
  const mix = { pMismatch: 0.6, pUnrelated: 0.2, mismatchWeights: {}, levels: [0], kinds: [] };
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const s = drawSample(pool, mix, Rng.derive(42, i));
    seen.add(s.mismatch ?? "match");
    const r = evaluateImage(s.caption, renderScene(s.scene));
    assert.equal(
      r.correct,
      s.mismatch === null,
      `${s.caption} (${s.mismatch}): ${r.reason ?? "correct"}`,
    );
    assert.equal(sceneShows(s.meaning, s.scene), s.mismatch === null);
  }
  assert.deepEqual([...seen].sort(), [
    "colour",
    "count",
    "match",
    "missing",
    "relation",
    "shape",
    "unrelated",
  ]);
});

Deno.test("train-split mismatches never draw a held-out colour-shape pair or spatial fact", () => {
  const pool = new CaptionPool("train");
  const mix = { pMismatch: 1, pUnrelated: 0, mismatchWeights: {}, levels: [0], kinds: [] };
  let relations = 0;
  for (let i = 0; i < 600; i++) {
    const s = drawSample(pool, mix, Rng.derive(7, i));
    for (const o of s.scene.objects) {
      assert.ok(
        !isHeldOutPair(o.colour, o.shape),
        `${s.caption} (${s.mismatch}) drew a ${o.colour} ${o.shape}`,
      );
    }
    if (s.mismatch === "relation") {
      relations++;
      const [a, b] = s.scene.objects as [SceneObject, SceneObject];
      for (const r of relationsBetween(boxOf(a), boxOf(b))) {
        assert.ok(
          !isHeldOutRelation(a.shape, r, b.shape),
          `${s.caption} drew a ${a.shape} ${r} a ${b.shape}`,
        );
      }
    }
  }
  assert.ok(relations > 20, `only ${relations} relation mismatches drawn`);
});
