import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULTS, mergeConfig } from "../../../../pipeline/config.ts";
import { buildPlan, type Method } from "../../../../pipeline/method.ts";
import { runPipeline } from "../../../../pipeline/runner.ts";
import { Rng } from "../../../../lib/rng.ts";
import type { StageSpec } from "../../../../schemas/stage_spec.ts";
import { type Group, type Prompt, type Sample, SampleSchema } from "../../../../schemas/mod.ts";
import { encodePng } from "../../../../lib/png.ts";
import { hashString } from "../../../../stages/select/select_pairs.ts";
import { TRAIN } from "../../../../stages/train/trainer_options.ts";
import { defaultsOf, merge } from "../../../../lib/config_table.ts";
import { trainerSink } from "../../../../stages/train/trainer_sink.ts";
import type { StepMetrics } from "../../../../stages/train/preference_trainer.ts";
import { FIXTURE_METHOD } from "../../../pipeline/fixtures/stages.ts";
import { tinyConfig } from "../../../models/_tiny.ts";
import { squareImage } from "../_pairs.ts";
import { writeModel } from "./_sink_run.ts";

/** Prompt -> 4 samples whose images are 16x16 PNGs of seeded squares. */
function pngGenerate(): StageSpec<Prompt, Sample> {
  return {
    name: "generate",
    outputSchema: SampleSchema,
    config: { fixture: "png-generate", n: 4 },
    create: () =>
      new TransformStream<Group<Prompt>, Group<Sample>>({
        transform(g, c) {
          const rows = Array.from({ length: 4 }, (_, i): Sample => {
            const seed = Rng.derive(3, hashString(g.prompt_id), i).int(2 ** 31);
            return {
              sample_id: `${g.prompt_id}:${i}`,
              prompt_id: g.prompt_id,
              prompt: g.prompt,
              sample_index: i,
              seed,
              image: { bytes: encodePng(squareImage(16, seed), 16, 16), path: null },
              model_id: "fixture",
              sampler: "euler",
              steps: 1,
              guidance: 1,
            };
          });
          c.enqueue({ prompt_id: g.prompt_id, prompt: g.prompt, rows });
        },
      }),
  };
}

const PROMPTS = [
  "a red circle",
  "a blue circle",
  "a red square",
  "a blue square",
  "two red circles",
  "two blue circles",
  "a red circle above a blue square",
  "a blue square above a red circle",
];

Deno.test("the trainer sink ends a real pipeline run; a rerun from the select shards does not retrain", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const model = await writeModel(join(tmp, "base"), tinyConfig("eps", { depth: 1 }), 9);
    await Deno.writeTextFile(join(tmp, "prompts.txt"), PROMPTS.join("\n") + "\n");
    const cfg = mergeConfig(DEFAULTS, {
      runs_dir: join(tmp, "runs"),
      prompts: { path: join(tmp, "prompts.txt"), split: "train" },
      shard_rows: 8,
    }, "test");
    const steps: StepMetrics[] = [];
    const train = merge(TRAIN, defaultsOf(TRAIN), {
      model,
      batch_pairs: 4,
      epochs: 2,
    }, "test");
    const method: Method = {
      ...FIXTURE_METHOD,
      generate: () => Promise.resolve(pngGenerate()),
      train: () => trainerSink(train, { onStep: (s) => steps.push(s) }),
    };
    const run = async () => {
      const { plan } = await buildPlan(cfg, method);
      return await runPipeline(plan, { runDir: join(tmp, "runs", "default"), shardRows: 8 });
    };
    const first = await run();
    assert.equal(first.status, "done", first.summary);
    const pairs = JSON.parse(
      await Deno.readTextFile(join(tmp, "runs", "default", "train", "summary.json")),
    ).pairs;
    assert.ok(pairs > 0 && pairs <= PROMPTS.length, `pairs ${pairs}`);
    assert.equal(steps.length, Math.ceil(2 * pairs / 4));
    // the rerun reads the select stage's shards, hydrates the images, finds training done
    const second = await run();
    assert.equal(second.status, "done", second.summary);
    assert.equal(second.stages.find((s) => s.stage === "select")!.role, "read");
    assert.equal(steps.length, Math.ceil(2 * pairs / 4), "no step was redone");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
