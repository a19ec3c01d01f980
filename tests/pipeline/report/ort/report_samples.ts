/**
 * The report's contact sheets on real models: two tiny 32x32 models are evaluated (ShapeEval
 * only), then the report samples them again through onnxruntime with the evaluation's seeds.
 * (Run from tests/ort_test.ts: it loads onnxruntime.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EVALUATE, EVALUATE_COMMAND_DEFAULTS } from "../../../../stages/evaluate/eval_options.ts";
import { merge } from "../../../../lib/config_table.ts";
import { evaluateModelDirs } from "../../../../stages/evaluate/run_eval.ts";
import { saveModel } from "../../../../models/weights.ts";
import { openModelSamplers } from "../../../../pipeline/report/model_samplers.ts";
import { writeRunReport } from "../../../../pipeline/report/run_report.ts";
import { decodePng } from "../../../../lib/png.ts";
import { randomWeights, tinyConfig } from "../../../models/_tiny.ts";
import { writeRun } from "../_fixture.ts";

const cfg = tinyConfig("eps", { imageSize: 32, patchSize: 8, depth: 1 });

Deno.test("the report's contact sheets resample the evaluated images with the same seeds", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const runDir = join(tmp, "run");
    await writeRun(runDir);
    await saveModel(join(tmp, "base"), cfg, randomWeights(cfg, 1, 0.1));
    await saveModel(join(tmp, "tuned"), cfg, randomWeights(cfg, 2, 0.1));
    const prompts = join(tmp, "eval.txt");
    await Deno.writeTextFile(prompts, "a red circle\ntwo blue circles\na blue square\n");
    const options = merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, {
      prompts,
      seeds_per_prompt: 2,
      steps: 2,
      rewards: [],
      resamples: 20,
    }, "test");
    await evaluateModelDirs(join(tmp, "base"), join(tmp, "tuned"), options, join(runDir, "eval"));
    const { pngs } = await writeRunReport(runDir);
    const sheets = pngs.filter((p) => /samples_seed\d\.png$/.test(p));
    assert.equal(sheets.length, 2);
    for (const s of sheets) assert.ok(decodePng(await Deno.readFile(s)).width > 3 * 128);
    const md = await Deno.readTextFile(join(runDir, "report.md"));
    const agree = [...md.matchAll(/agree with eval\.json on (\d+) \(the same images\)/g)];
    assert.equal(agree.length, 2, md);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("openModelSamplers() names the missing model file", async () => {
  await assert.rejects(
    openModelSamplers("/nonexistent/base", "/nonexistent/tuned"),
    /\/nonexistent\/base\/model\.safetensors does not exist/,
  );
});
