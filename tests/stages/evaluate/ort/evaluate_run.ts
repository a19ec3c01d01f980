import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { main as evaluateCli } from "../../../../cli/evaluate.ts";
import { EVALUATE, EVALUATE_COMMAND_DEFAULTS } from "../../../../stages/evaluate/eval_options.ts";
import { merge } from "../../../../lib/config_table.ts";
import { evaluateModelDirs, evaluationHook } from "../../../../stages/evaluate/run_eval.ts";
import type { FineTuneResult } from "../../../../stages/train/fine_tune.ts";
import { saveModel } from "../../../../models/weights.ts";
import { randomWeights, tinyConfig } from "../../../models/_tiny.ts";
import { scaledMean, writeReward } from "../../ort/tiny_models.ts";

// 32x32 so that ShapeEval can judge the images; patch 8 keeps the model tiny.
const cfg = tinyConfig("flow", { imageSize: 32, patchSize: 8 });

const rewardDirs: string[] = [];

async function setup(tmp: string) {
  await saveModel(join(tmp, "base"), cfg, randomWeights(cfg, 1, 0.1));
  await saveModel(join(tmp, "tuned"), cfg, randomWeights(cfg, 2, 0.1));
  const prompts = join(tmp, "eval.txt");
  await Deno.writeTextFile(prompts, "a red circle\ntwo blue circles\na blue square\n");
  const reward = await writeReward({
    name: "brightness",
    file: "b.onnx",
    inputs: { image: { name: "image", layout: "NCHW", size: [32, 32] } },
    output: { name: "out", kind: "scalar" },
  }, scaledMean(32, 32, 1));
  rewardDirs.push(dirname(reward));
  const options = merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, {
    prompts,
    seeds_per_prompt: 2,
    steps: 3,
    rewards: [reward],
    resamples: 100,
  }, "test");
  return { options, reward, prompts };
}

Deno.test("a model evaluated against itself ties every image: win-rate 50% [50, 50]", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const { options } = await setup(tmp);
    const r = await evaluateModelDirs(join(tmp, "base"), join(tmp, "base"), options, null);
    const c = r.rewards[0]!;
    assert.deepEqual([c.wins, c.ties, c.losses], [0, 6, 0]);
    assert.deepEqual([c.win_rate.low, c.win_rate.estimate, c.win_rate.high], [0.5, 0.5, 0.5]);
    assert.equal(c.mean_base, c.mean_tuned);
    assert.deepEqual(r.shapeeval!.base, r.shapeeval!.tuned);
  } finally {
    await Deno.remove(tmp, { recursive: true });
    for (const d of rewardDirs.splice(0)) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("evaluating two models writes eval.json and eval.md; the hook skips a done evaluation", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const { options } = await setup(tmp);
    const out = join(tmp, "run", "eval");
    const r = await evaluateModelDirs(join(tmp, "base"), join(tmp, "tuned"), options, out);
    const c = r.rewards[0]!;
    assert.equal(c.wins + c.ties + c.losses, 6);
    assert.ok(c.ties < 6, "different weights give different images");
    assert.notEqual(c.mean_base, c.mean_tuned);
    const json = JSON.parse(await Deno.readTextFile(join(out, "eval.json")));
    assert.equal(json.rewards[0].reward, "brightness");
    assert.equal(json.identity, r.identity);
    assert.match(await Deno.readTextFile(join(out, "eval.md")), /\| brightness \| \d+\.\d \[/);
    // the trainer's hook: same models, rewards and options -> nothing redone
    const before = (await Deno.stat(join(out, "eval.json"))).mtime;
    const result = { modelDir: join(tmp, "tuned"), baseDir: join(tmp, "base") } as FineTuneResult;
    const ctx = {
      runDir: join(tmp, "run"),
      stageDir: join(tmp, "run", "train"),
      worker: { index: 0, count: 1 },
      signal: new AbortController().signal,
    };
    await (await evaluationHook(options))(result, ctx);
    assert.deepEqual((await Deno.stat(join(out, "eval.json"))).mtime, before);
    // other options: evaluated again
    await (await evaluationHook({ ...options, seeds_per_prompt: 1 }))(result, ctx);
    const again = JSON.parse(await Deno.readTextFile(join(out, "eval.json")));
    assert.equal(again.images, 3);
    assert.equal(again.per_image.base.brightness.length, 3);
    // an eval.json from before per-image scores were kept: evaluated again to get them
    delete again.per_image;
    await Deno.writeTextFile(join(out, "eval.json"), JSON.stringify(again));
    await (await evaluationHook({ ...options, seeds_per_prompt: 1 }))(result, ctx);
    const redone = JSON.parse(await Deno.readTextFile(join(out, "eval.json")));
    assert.deepEqual(redone.per_image.seeds, [1_000_000, 1_000_001, 1_000_002]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
    for (const d of rewardDirs.splice(0)) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("the evaluation hook checks its prompts and rewards when built, before any work", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const { options, reward } = await setup(tmp);
    await assert.rejects(
      evaluationHook({ ...options, prompts: join(tmp, "none.txt") }),
      /Cannot read the eval prompts '.*none.txt': no such file/,
    );
    await assert.rejects(
      evaluationHook({ ...options, rewards: [join(tmp, "none.json")] }),
      /Cannot read reward manifest '.*none.json': no such file/,
    );
    await Deno.remove(join(dirname(reward), "b.onnx"));
    await assert.rejects(evaluationHook(options), /no model file '.*b.onnx'/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
    for (const d of rewardDirs.splice(0)) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("capo evaluate prints the section and writes the files; bad flags exit 2", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const { reward, prompts } = await setup(tmp);
    const args = ["--base", join(tmp, "base"), "--tuned", join(tmp, "tuned"), "--prompts", prompts];
    const code = await evaluateCli([
      ...args,
      "--reward",
      reward,
      "--seeds",
      "1",
      "--steps",
      "2",
      "--no-shapeeval",
      "--out",
      join(tmp, "out"),
    ]);
    assert.equal(code, 0);
    const json = JSON.parse(await Deno.readTextFile(join(tmp, "out", "eval.json")));
    assert.equal(json.images, 3);
    assert.equal(json.shapeeval, null);
    assert.equal(await evaluateCli([...args, "--seeds", "0"]), 2);
    assert.equal(await evaluateCli(["--base", "x"]), 2);
  } finally {
    await Deno.remove(tmp, { recursive: true });
    for (const d of rewardDirs.splice(0)) await Deno.remove(d, { recursive: true });
  }
});
