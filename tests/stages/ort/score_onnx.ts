/** ScoreStream with ONNX rewards (run from tests/stages/ort_test.ts, see there). */
import assert from "node:assert/strict";
import { OnnxReward } from "../../../models/rewards/onnx_reward.ts";
import { ScoreStream } from "../../../stages/score/score.ts";
import type { Group } from "../../../schemas/group.ts";
import type { Sample } from "../../../schemas/sample.ts";
import { sampleGroup } from "../fixtures.ts";
import { scaledMean, twoLogits, writeReward } from "./tiny_models.ts";

async function score(groups: Group<Sample>[], reward: OnnxReward, batchSize = 64) {
  return await Array.fromAsync(
    ReadableStream.from(groups).pipeThrough(new ScoreStream({ rewards: [reward], batchSize })),
  );
}

/** Reward `name`: `model` on a 4x4 NCHW RGB image, its output 'out' as it is. */
async function load4x4(name: string, model: Uint8Array): Promise<OnnxReward> {
  const path = await writeReward({
    name,
    file: "m.onnx",
    inputs: { image: { name: "image", layout: "NCHW", size: [4, 4], channels: 3 } },
    output: { name: "out" },
  }, model);
  return await OnnxReward.load(path);
}

Deno.test("ScoreStream() runs an ONNX reward from its manifest", async () => {
  const bright = await load4x4("bright", scaledMean(4, 4, 2));
  try {
    const [g] = await score([sampleGroup("a", 3)], bright, 8);
    const got = g!.rows.map((r) => r.reward_bright);
    [0, 20 / 255, 40 / 255].forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-6));
  } finally {
    await bright.close();
  }
});

Deno.test("ScoreStream() errors on a NaN score from ONNX, naming the model and sample", async () => {
  const broken = await load4x4("broken", scaledMean(4, 4, NaN));
  try {
    await assert.rejects(
      score([sampleGroup("a", 2)], broken),
      /score of reward model 'broken' for sample 'a:0' as it must be finite: current value is NaN/,
    );
  } finally {
    await broken.close();
  }
});

Deno.test("ScoreStream() errors on an ONNX output of the wrong shape, naming model and samples", async () => {
  // A [B, 2] output read as kind 'identity' (which needs [B] or [B, 1]).
  const wide = await load4x4("wide", twoLogits(4, 4));
  try {
    await assert.rejects(
      score([sampleGroup("a", 2)], wide),
      /reward model 'wide' as it must be \[B\] or \[B, 1\].*while scoring 2 samples: 'a:0', 'a:1'/,
    );
  } finally {
    await wide.close();
  }
});
