/**
 * The whole method as `capo run` builds it (pipeline/method.ts on the run config), on a tiny
 * randomly initialised 32x32 base model and the shipped ONNX rewards of data/rewards/: every
 * stage's shards with the right row counts, the trainer's summary and the evaluation report.
 * (Run from tests/ort_test.ts: it loads onnxruntime.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULTS, mergeConfig } from "../../../pipeline/config.ts";
import { buildPlan } from "../../../pipeline/method.ts";
import { readParquetFile } from "../../../lib/parquet.ts";
import { runPipeline } from "../../../pipeline/runner.ts";
import { readManifest } from "../../../pipeline/stage_store.ts";
import { SampleSchema } from "../../../schemas/sample.ts";
import { sampleSeed } from "../../../stages/generate/generate.ts";
import { tinyConfig } from "../../models/_tiny.ts";
import { writeModel } from "../../stages/train/ort/_sink_run.ts";

const PROMPTS = [
  "a red circle",
  "a blue square",
  "two red circles",
  "a red square and a blue circle",
  "a blue circle above a red square",
  "two blue circles",
  "a red circle above a blue circle",
  "a blue square and a red square",
];
const W = { index: 0, count: 1 };

async function setup(tmp: string) {
  // 32x32 like the shipped rewards expect; patch 8 and depth 1 keep the model tiny.
  const model = await writeModel(
    join(tmp, "base"),
    tinyConfig("eps", { imageSize: 32, patchSize: 8, depth: 1 }),
    5,
  );
  await Deno.writeTextFile(join(tmp, "train.txt"), PROMPTS.join("\n") + "\n");
  await Deno.writeTextFile(
    join(tmp, "eval.txt"),
    "a blue circle\na red circle and a blue square\n",
  );
  return mergeConfig(DEFAULTS, {
    runs_dir: join(tmp, "runs"),
    shard_rows: 8,
    prompts: { path: join(tmp, "train.txt"), limit: 6 },
    generate: { model, n: 4, batch: 6, steps: 2, guidance: 2 },
    score: { batch: 5 },
    train: { model, batch_pairs: 2, epochs: 1 },
    evaluate: {
      prompts: join(tmp, "eval.txt"),
      max_prompts: null,
      seeds_per_prompt: 1,
      steps: 2,
      guidance: 2,
      resamples: 20,
    },
  }, "test");
}

Deno.test("the method runs every stage on the run config: prompts, generate, score, calibrate, select, train, evaluate", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const cfg = await setup(tmp);
    const { plan, stoppedBefore } = await buildPlan(cfg);
    assert.equal(stoppedBefore, null);
    assert.deepEqual(plan.stages.map((s) => s.name), ["generate", "score", "calibrate", "select"]);
    // tau: each shipped manifest's suggestion (else 1), unless the config names one.
    const shipped: Record<string, number> = {};
    for (const r of ["aesthetic", "alignment", "preference"]) {
      shipped[r] = JSON.parse(await Deno.readTextFile(`data/rewards/${r}.json`)).tau ?? 1;
    }
    const calTau = (p: typeof plan) =>
      (p.stages.find((s) => s.name === "calibrate")!.config as { tau: unknown }).tau;
    assert.deepEqual(calTau(plan), shipped);
    const over = await buildPlan(mergeConfig(cfg, { calibrate: { tau: { alignment: 2 } } }, "t"));
    assert.deepEqual(calTau(over.plan), { ...shipped, alignment: 2 });
    const runDir = join(cfg.runs_dir, cfg.name);
    const result = await runPipeline(plan, { runDir, shardRows: cfg.shard_rows });
    assert.equal(result.status, "done", result.error?.stack ?? result.summary);

    const rows: Record<string, [number | undefined, number | undefined, boolean | undefined]> = {};
    for (const stage of ["prompts", "generate", "score", "calibrate"]) {
      const m = await readManifest(join(runDir, stage), W);
      rows[stage] = [m?.rows, m?.groups, m?.complete];
    }
    assert.deepEqual(rows, {
      prompts: [6, 6, true], // prompts.limit 6 of the 8
      generate: [24, 6, true], // N = 4 each
      score: [24, 6, true],
      calibrate: [24, 6, true],
    });
    const select = await readManifest(join(runDir, "select"), W);
    assert.equal(select?.groups, 6);
    assert.ok(select.rows >= 1 && select.rows <= 6, `FRS pairs ${select.rows}`);

    // The three shipped rewards are the score columns; seeds and model id are recorded.
    const score = await readManifest(join(runDir, "score"), W);
    assert.deepEqual(
      score!.schema.columns.filter((c) => c.startsWith("reward_")),
      ["reward_aesthetic", "reward_alignment", "reward_preference"],
    );
    const gen = await readManifest(join(runDir, "generate"), W);
    const samples = SampleSchema.fromTable(
      await readParquetFile(join(runDir, "generate", gen!.shards[0]!.file)),
    );
    for (const s of samples) {
      assert.equal(Number(s.seed), sampleSeed(cfg.generate.seed, s.prompt_id, s.sample_index));
      assert.match(s.model_id, /^base@[0-9a-f]{16}$/);
      assert.deepEqual([s.sampler, s.steps], ["ddim", 2]);
    }

    const summary = JSON.parse(await Deno.readTextFile(join(runDir, "train", "summary.json")));
    assert.equal(summary.pairs, select.rows);
    const report = JSON.parse(await Deno.readTextFile(join(runDir, "eval", "eval.json")));
    assert.equal(typeof report.identity, "string");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the method stops before the scorer, naming the reward manifests that are missing", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const cfg = mergeConfig(await setup(tmp), {
      score: { rewards: [join(tmp, "none.json")] },
    }, "test");
    const { plan, stoppedBefore } = await buildPlan(cfg);
    assert.deepEqual(plan.stages.map((s) => s.name), ["generate"]);
    assert.equal(stoppedBefore?.name, "score");
    assert.match(
      stoppedBefore.reason,
      /no reward manifest .*none\.json: run deno task train-rewards/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
