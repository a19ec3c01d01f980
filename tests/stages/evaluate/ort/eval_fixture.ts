/**
 * TEST HELPERS for the eval ORT tests: tiny models, prompts and a brightness reward in a
 * temporary folder (onnxruntime: imported through tiny_models.ts, see tests/ort_test.ts).
 */
import { join } from "node:path";
import { saveModel } from "../../../../models/weights.ts";
import { randomWeights, tinyConfig } from "../../../models/_tiny.ts";
import { scaledMean, writeReward } from "../../ort/tiny_models.ts";

// 32x32 so that ShapeEval can judge the images; patch 8 keeps the model tiny.
const cfg = tinyConfig("flow", { imageSize: 32, patchSize: 8 });

/**
 * Saves a tiny flow model per `[name, seed]` under `tmp`, writes three prompts to
 * `tmp/<promptsFile>` and a brightness reward (the scaled mean of a 32x32 NCHW image); returns
 * the prompts' and the reward's paths.
 */
export async function evalInputs(
  tmp: string,
  models: readonly (readonly [string, number])[],
  promptsFile: string,
): Promise<{ prompts: string; reward: string }> {
  for (const [name, seed] of models) {
    await saveModel(join(tmp, name), cfg, randomWeights(cfg, seed, 0.1));
  }
  const prompts = join(tmp, promptsFile);
  await Deno.writeTextFile(prompts, "a red circle\ntwo blue circles\na blue square\n");
  const reward = await writeReward({
    name: "brightness",
    file: "b.onnx",
    inputs: { image: { name: "image", layout: "NCHW", size: [32, 32] } },
    output: { name: "out", kind: "scalar" },
  }, scaledMean(32, 32, 1));
  return { prompts, reward };
}
