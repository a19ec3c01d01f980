/**
 * `capo sweep` end to end on a tiny randomly initialised base and the shipped rewards: every
 * point trains and evaluates on the plan's dev prompts and is recorded as it finishes; a rerun
 * skips the recorded points. (Run from tests/ort_test.ts: it loads onnxruntime.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runSweep } from "../../../pipeline/sweep/run_sweep.ts";
import type { SweepPlan } from "../../../pipeline/sweep/sweep_plan.ts";
import { readRecords } from "../../../pipeline/sweep/sweep_record.ts";
import { tinyConfig } from "../../models/_tiny.ts";
import { writeModel } from "../../stages/train/ort/_sink_run.ts";

Deno.test("a sweep runs and records every point on dev (with its curve over snapshots), then skips them when run again", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const model = await writeModel(
      join(tmp, "base"),
      tinyConfig("eps", { imageSize: 32, patchSize: 8, depth: 1 }),
      6,
    );
    const prompts = ["a red circle", "a blue square", "two red circles", "a blue circle"];
    await Deno.writeTextFile(join(tmp, "train.txt"), prompts.join("\n") + "\n");
    await Deno.writeTextFile(
      join(tmp, "dev.txt"),
      "a red square\na blue circle and a red square\n",
    );
    const plan: SweepPlan = {
      name: "t",
      shared: "t",
      record: join(tmp, "record.jsonl"),
      note: "",
      config: {
        prompts: { path: join(tmp, "train.txt") },
        generate: { model, n: 3, steps: 2, guidance: 2 },
        train: { model, batch_pairs: 2, max_steps: 2, snapshot_every: 1 },
        evaluate: {
          prompts: join(tmp, "dev.txt"),
          max_prompts: null,
          seeds_per_prompt: 1,
          steps: 2,
          resamples: 20,
        },
      },
      grid: { "train.beta": [100, 1000] },
      seeds: 1,
      curve: true,
      source: "test plan",
    };
    const signal = new AbortController().signal;
    const first = await runSweep(plan, { runsDir: join(tmp, "runs"), signal });
    assert.deepEqual(first, { status: "done", ran: 2, skipped: 0 });
    const records = await readRecords(plan.record);
    assert.deepEqual(records.map((r) => r.point), [{ "train.beta": 100 }, { "train.beta": 1000 }]);
    for (const r of records) {
      assert.equal(r.dev.prompt_count, 2);
      assert.deepEqual(Object.keys(r.dev.rewards), ["aesthetic", "alignment", "preference"]);
      assert.equal(r.training.beta, r.point["train.beta"]);
      assert.equal(r.training.steps, 2);
      assert.deepEqual(Object.keys(r.tau), ["aesthetic", "alignment", "preference"]);
      // the curve: the snapshot of step 1, then the final model (step 2), each against the base
      assert.deepEqual(r.curve!.map((c) => c.step), [1, 2]);
      assert.deepEqual(r.curve![1]!.rewards.aesthetic!.win_rate, r.dev.rewards.aesthetic!.win_rate);
    }
    assert.ok(
      await Deno.stat(join(tmp, "runs", "sweep", "t", "t", "beta-100", "train", "model.onnx")),
    );
    const again = await runSweep(plan, { runsDir: join(tmp, "runs"), signal });
    assert.deepEqual(again, { status: "done", ran: 0, skipped: 2 });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
