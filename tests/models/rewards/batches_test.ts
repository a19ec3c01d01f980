import assert from "node:assert/strict";
import { type BatchSource, mixAt, trainingBatch } from "../../../models/rewards/batches.ts";
import { parseRewardNetConfig } from "../../../models/rewards/net_config.ts";
import { CaptionPool } from "../../../models/rewards/world_sample.ts";
import { VOCABULARY } from "../../../shapeworld/vocab.ts";

const pool = new CaptionPool("train");
const textNet = parseRewardNetConfig({
  inputs: "image_text",
  width: 8,
  depth: 1,
  heads: 2,
  mlpRatio: 1,
  vocabulary: VOCABULARY,
});
const imageNet = parseRewardNetConfig({ ...textNet, inputs: "image" });

function source(name: BatchSource["name"], over: Partial<BatchSource> = {}): BatchSource {
  return {
    name,
    net: name === "aesthetic" ? imageNet : textNet,
    mix: {
      pMismatch: 0.3,
      pUnrelated: 0.2,
      mismatchWeights: {},
      levels: [0, 1, 2, 3, 4],
      kinds: ["blur", "noise", "merge"],
    },
    pool,
    annotator: { quality: 1, alignment: 1, taste: 0.35, noise: 0.25 },
    seed: 9,
    batchSize: 8,
    groupSize: 4,
    curriculumSteps: 0,
    ...over,
  };
}

Deno.test("trainingBatch() is a pure function of (seed, step)", () => {
  const a = trainingBatch(source("preference"), 3), b = trainingBatch(source("preference"), 3);
  assert.deepEqual(a, b);
  assert.notDeepEqual(trainingBatch(source("preference"), 4).images, a.images);
});

Deno.test("aesthetic batches: images in [-1, 1], no tokens, targets 1 - level / 4", () => {
  const b = trainingBatch(source("aesthetic", { batchSize: 16 }), 0);
  assert.equal(b.n, 16);
  assert.equal(b.images.length, 16 * 32 * 32 * 3);
  assert.equal(b.tokens, null);
  assert.ok(b.images.every((v) => v >= -1 && v <= 1));
  assert.ok([...b.targets].every((t) => [0, 0.25, 0.5, 0.75, 1].includes(t)));
});

Deno.test("alignment batches alternate a matched and a mismatched image of one caption", () => {
  const b = trainingBatch(source("alignment"), 0);
  assert.deepEqual([...b.targets], [1, 0, 1, 0, 1, 0, 1, 0]);
  const L = textNet.maxTokens;
  for (let i = 0; i < 8; i += 2) {
    assert.deepEqual(
      b.tokens!.slice(i * L, (i + 1) * L),
      b.tokens!.slice((i + 1) * L, (i + 2) * L),
    );
  }
});

Deno.test("preference batches judge every pair i < j of a group and only those", () => {
  const b = trainingBatch(source("preference"), 1);
  assert.equal(b.groupSize, 4);
  assert.equal(b.mask!.length, 2 * 16);
  for (let g = 0; g < 2; g++) {
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const at = (g * 4 + i) * 4 + j;
        assert.equal(b.mask![at], i < j ? 1 : 0);
        if (i >= j) assert.equal(b.targets[at], 0);
      }
    }
  }
  assert.throws(
    () => trainingBatch(source("preference", { groupSize: 3 }), 0),
    /groupSize must be an integer >= 2 dividing batchSize 8: current value is 3/,
  );
});

Deno.test("mixAt() fades unrelated negatives from 1 to the mix's share over the curriculum", () => {
  const src = source("alignment", { curriculumSteps: 100 });
  assert.equal(mixAt(src, 0).pUnrelated, 1);
  assert.ok(Math.abs(mixAt(src, 50).pUnrelated - 0.6) < 1e-12);
  assert.equal(mixAt(src, 100).pUnrelated, 0.2);
  assert.equal(mixAt(source("alignment"), 0).pUnrelated, 0.2);
});
