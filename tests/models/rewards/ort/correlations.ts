import assert from "node:assert/strict";
import { join } from "node:path";
import { correlate, proxySet, samplesSet } from "../../../../models/rewards/correlations.ts";
import { encodePng } from "../../../../lib/png.ts";
import { parseCaption } from "../../../../shapeworld/grammar.ts";
import { layoutFor } from "../../../../shapeworld/scene.ts";
import { renderScene } from "../../../../shapeworld/render.ts";
import { Rng } from "../../../../lib/rng.ts";
import { TsReward } from "../../../../models/rewards/ts_reward.ts";

const mix = {
  pMismatch: 0.5,
  pUnrelated: 0,
  mismatchWeights: {},
  levels: [0, 2],
  kinds: ["noise" as const],
};

Deno.test("correlate() ranks rewards against each other and ShapeEval, flagging the most alike pair", async () => {
  const set = proxySet(mix, 5, 60);
  assert.equal(set.items.length, 60);
  assert.match(
    set.source,
    /^proxy: 60 ShapeWorld renders of eval prompts, mismatched with p = 0.5/,
  );
  const mean = (img: { rgb: Uint8Array }) => img.rgb.reduce((a, b) => a + b, 0);
  const bright = new TsReward("bright", mean);
  const bright2 = new TsReward("bright_sq", (img) => mean(img) ** 2); // same ranking
  const words = new TsReward("words", (_img, prompt) => prompt.length);
  const c = await correlate([bright, bright2, words], set);
  assert.deepEqual(c.names, ["bright", "bright_sq", "words", "shapeeval"]);
  assert.equal(c.rho[0]![1], 1);
  assert.deepEqual(c.maxRewardPair, { a: "bright", b: "bright_sq", rho: 1 });
  for (let i = 0; i < 4; i++) assert.equal(c.rho[i]![i], 1);
  assert.equal(c.rho[2]![3], c.rho[3]![2]);
});

Deno.test("samplesSet() reads base-model samples from a PNG folder with their captions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capo-samples-" });
  try {
    for (const [i, caption] of ["a red circle", "two blue squares"].entries()) {
      const rgb = renderScene(layoutFor(parseCaption(caption), new Rng(i)));
      await Deno.writeFile(
        join(dir, `${caption.replaceAll(" ", "_")}.${i}.png`),
        encodePng(rgb, 32, 32),
      );
    }
    const set = await samplesSet(dir);
    assert.deepEqual(set.items.map((x) => x.caption), ["a red circle", "two blue squares"]);
    assert.match(set.source, /^base-model samples: 2 images from /);
    const empty = await Deno.makeTempDir({ prefix: "capo-samples-" });
    await assert.rejects(samplesSet(empty), /holds no samples/);
    await Deno.remove(empty);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
