import assert from "node:assert/strict";
import { judge, tasteOf, utilityOf } from "../../../models/rewards/annotator.ts";
import type { WorldSample } from "../../../models/rewards/world_sample.ts";
import { Rng } from "../../../lib/rng.ts";
import { parseCaption } from "../../../shapeworld/grammar.ts";
import type { SceneObject } from "../../../shapeworld/scene.ts";

const cfg = { quality: 1, alignment: 1, taste: 0.35, noise: 0.25 };

function sample(extent: number, level: number, mismatch: WorldSample["mismatch"]): WorldSample {
  const o: SceneObject = {
    shape: "circle",
    colour: "red",
    size: extent > 9.25 ? "large" : "small",
    extent,
    x: 16,
    y: 16,
  };
  return {
    caption: "a red circle",
    meaning: parseCaption("a red circle"),
    scene: { objects: [o] },
    image: new Uint8Array(32 * 32 * 3),
    mismatch,
    degradation: level === 0 ? null : "noise",
    level,
  };
}

Deno.test("tasteOf() prefers larger shapes and more saturated colours", () => {
  const o = (colour: SceneObject["colour"], extent: number): SceneObject => ({
    shape: "square",
    colour,
    size: "large",
    extent,
    x: 16,
    y: 16,
  });
  assert.ok(tasteOf({ objects: [o("red", 12)] }) > tasteOf({ objects: [o("red", 7)] }));
  assert.ok(tasteOf({ objects: [o("yellow", 10)] }) > tasteOf({ objects: [o("purple", 10)] }));
  assert.equal(tasteOf({ objects: [] }), 0);
});

Deno.test("utilityOf() is w_q q + w_a a + w_t t", () => {
  const s = sample(11, 2, null);
  assert.ok(Math.abs(utilityOf(s, cfg) - (0.5 + 1 + 0.35 * tasteOf(s.scene))) < 1e-12);
  assert.ok(
    Math.abs(utilityOf(sample(11, 2, "shape"), cfg) - (0.5 + 0.35 * tasteOf(s.scene))) < 1e-12,
  );
});

Deno.test("judge() follows the utility without noise and flips some close calls with it", () => {
  const good = sample(10, 0, null), worse = sample(10, 1, null);
  const quiet = { ...cfg, noise: 0 };
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(judge(good, worse, quiet, new Rng(i)), {
      preferA: true,
      noiseFreePreferA: true,
    });
  }
  let flips = 0;
  for (let i = 0; i < 400; i++) if (!judge(good, worse, cfg, new Rng(i)).preferA) flips++;
  // u differs by 0.25 = sigma; P(flip) = Phi(-0.25 / (sigma sqrt 2)) ~ 0.24
  assert.ok(flips > 60 && flips < 130, `flips ${flips} of 400`);
});
