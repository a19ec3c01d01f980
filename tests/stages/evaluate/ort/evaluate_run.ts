import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { main as evaluateCli } from "../../../../cli/evaluate.ts";
import { EVALUATE, EVALUATE_COMMAND_DEFAULTS } from "../../../../stages/evaluate/eval_options.ts";
import { merge } from "../../../../lib/config_table.ts";
import { evaluateModelDirs, evaluationHook } from "../../../../stages/evaluate/run_eval.ts";
import type { FineTuneResult } from "../../../../stages/train/fine_tune.ts";
import { evalInputs } from "./eval_fixture.ts";

const rewardDirs: string[] = [];

async function setup(tmp: string) {
  const models = [["base", 1], ["tuned", 2]] as const;
  const { prompts, reward } = await evalInputs(tmp, models, "eval.txt");
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

/**
 * Runs `body` in a fresh temp folder with setup()'s models, prompts and reward, then removes the
 * folder and the reward's.
 */
async function withSetup(
  body: (tmp: string, inputs: Awaited<ReturnType<typeof setup>>) => Promise<void>,
): Promise<void> {
  const tmp = await Deno.makeTempDir();
  try {
    await body(tmp, await setup(tmp));
  } finally {
    await Deno.remove(tmp, { recursive: true });
    for (const d of rewardDirs.splice(0)) await Deno.remove(d, { recursive: true });
  }
}

Deno.test("a model evaluated against itself ties every image: win-rate 50% [50, 50]", async () => {
  await withSetup(async (tmp, { options }) => {
    const r = await evaluateModelDirs(join(tmp, "base"), join(tmp, "base"), options, null);
    const c = r.rewards[0]!;
    assert.deepEqual([c.wins, c.ties, c.losses], [0, 6, 0]);
    assert.deepEqual([c.win_rate.low, c.win_rate.estimate, c.win_rate.high], [0.5, 0.5, 0.5]);
    assert.equal(c.mean_base, c.mean_tuned);
    assert.deepEqual(r.shapeeval!.base, r.shapeeval!.tuned);
  });
});

Deno.test("evaluating two models writes eval.json and eval.md; the hook skips a done evaluation", async () => {
  await withSetup(async (tmp, { options }) => {
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
  });
});

Deno.test("the evaluation hook checks its prompts and rewards when built, before any work", async () => {
  await withSetup(async (tmp, { options, reward }) => {
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
  });
});

Deno.test("capo evaluate prints the section and writes the files; bad flags exit 2", async () => {
  await withSetup(async (tmp, { reward, prompts }) => {
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
  });
});
