import assert from "node:assert/strict";
import type { Group } from "../../../schemas/group.ts";
import type { Sample } from "../../../schemas/sample.ts";
import { sampleGroup } from "../fixtures.ts";
import type { RgbImage } from "../../../models/rewards/reward_model.ts";
import { TsReward } from "../../../models/rewards/ts_reward.ts";
import { type ScoreOptions, ScoreStream } from "../../../stages/score/score.ts";
import { endlessSource, failingSource } from "../../lib/streams/helpers.ts";

const grey = new TsReward("grey", (img: RgbImage) => img.rgb[0]!);
const promptLen = new TsReward("plen", (_img: RgbImage, prompt: string) => prompt.length);

async function score(groups: Group<Sample>[], options: ScoreOptions) {
  return await Array.fromAsync(ReadableStream.from(groups).pipeThrough(new ScoreStream(options)));
}

Deno.test("ScoreStream() writes one reward_<name> column per model, groups in order", async () => {
  const out = await score([sampleGroup("a", 3), sampleGroup("b", 2, (i) => 100 + i)], {
    rewards: [grey, promptLen],
    batchSize: 2,
  });
  assert.deepEqual(out.map((g) => g.prompt_id), ["a", "b"]);
  assert.deepEqual(out[0]!.rows.map((r) => r.reward_grey), [0, 10, 20]);
  assert.deepEqual(out[1]!.rows.map((r) => r.reward_grey), [100, 101]);
  assert.deepEqual(out[1]!.rows.map((r) => r.reward_plen), [10, 10]);
  const r = out[0]!.rows[1]!;
  assert.deepEqual(
    { id: r.sample_id, p: r.prompt_id, i: r.sample_index, seed: r.seed },
    { id: "a:1", p: "a", i: 1, seed: 7 },
  );
  assert.equal("image" in r, false);
});

Deno.test("ScoreStream() batches across groups and scores the remainder on close", async () => {
  const sizes: number[] = [];
  const counting = TsReward.batch("count", (images) => {
    sizes.push(images.length);
    return images.map(() => 1);
  });
  const out = await score([sampleGroup("a", 3), sampleGroup("b", 3), sampleGroup("c", 3)], {
    rewards: [counting],
    batchSize: 4,
  });
  assert.deepEqual(sizes, [4, 4, 1]);
  assert.deepEqual(out.map((g) => g.rows.length), [3, 3, 3]);
});

Deno.test("ScoreStream() errors on infinite scores or a wrong count, naming the model", async () => {
  const inf = new TsReward("inf", (img) => (img.rgb[0] === 10 ? Infinity : 0));
  await assert.rejects(
    score([sampleGroup("a", 3)], { rewards: [grey, inf] }),
    /reward model 'inf' for sample 'a:1' as it must be finite: current value is Infinity/,
  );
  const short = TsReward.batch("short", (images) => images.slice(1).map(() => 0));
  await assert.rejects(
    score([sampleGroup("a", 3)], { rewards: [short] }),
    /reward model 'short' as it returned 2 scores for a batch of 3 samples \(first 'a:0'\)/,
  );
});

Deno.test("ScoreStream() adds the batch's sample ids to an error the model throws", async () => {
  const failing = TsReward.batch("failing", () => {
    throw new RangeError("Cannot read the output 'out' of reward model 'failing' as it is bad");
  });
  await assert.rejects(
    score([sampleGroup("a", 5)], { rewards: [failing], batchSize: 8 }),
    /model 'failing' as it is bad \(while scoring 5 samples: 'a:0', 'a:1', 'a:2' and 2 more\)/,
  );
});

Deno.test("ScoreStream() errors on a sample without a decodable image, naming it", async () => {
  const g = sampleGroup("a", 2);
  g.rows[1]!.image = { bytes: new Uint8Array(), path: "runs/x.png" };
  await assert.rejects(
    score([g], { rewards: [grey] }),
    /Cannot score sample 'a:1' as it has no image bytes \(path: runs\/x\.png\)/,
  );
  g.rows[1]!.image = { bytes: Uint8Array.of(1, 2, 3), path: null };
  await assert.rejects(score([g], { rewards: [grey] }), /Cannot decode the image of sample 'a:1'/);
});

Deno.test("ScoreStream() rejects duplicate reward names and a bad batch size", () => {
  assert.throws(() => new ScoreStream({ rewards: [grey, grey] }), /reward name 'grey' twice/);
  assert.throws(
    () => new ScoreStream({ rewards: [grey], batchSize: 0 }),
    /batchSize must be a positive integer/,
  );
});

Deno.test("ScoreStream() emits nothing for empty input", async () => {
  assert.deepEqual(await score([], { rewards: [grey] }), []);
});

Deno.test("ScoreStream() propagates an upstream error", async () => {
  const err = new Error("generator died");
  await assert.rejects(
    Array.fromAsync(
      failingSource([sampleGroup("a", 2)], err).pipeThrough(new ScoreStream({ rewards: [grey] })),
    ),
    (e) => e === err,
  );
});

Deno.test("ScoreStream() cancels upstream when downstream cancels", async () => {
  const { stream, cancelled } = endlessSource((i) => sampleGroup(`p${i}`, 2));
  const reader = stream.pipeThrough(new ScoreStream({ rewards: [grey], batchSize: 2 })).getReader();
  assert.equal((await reader.read()).value?.prompt_id, "p0");
  await reader.cancel("stop");
  assert.equal(await cancelled, "stop");
});
