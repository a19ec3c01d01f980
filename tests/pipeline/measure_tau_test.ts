import assert from "node:assert/strict";
import { join } from "node:path";
import { measureBaseTau } from "../../pipeline/measure_tau.ts";
import { withinPromptSpread } from "../../models/rewards/spread.ts";
import { type Scored, scoredSchema } from "../../schemas/scored.ts";
import { fixtureRun } from "./scale/fixtures/runs.ts";
import { stageRows, tempRun } from "./fixtures/util.ts";
import { REWARDS } from "./fixtures/stages.ts";
import { main as tau } from "../../cli/tau.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { readBaseTau } from "../../stages/calibrate/base_tau.ts";

const SHA = (c: string) => c.repeat(64);

/** A fixture run whose generate/score manifests record a base's and the rewards' sha256, as the real stages do. */
async function scoredRun(modelSha: string) {
  const { dir, promptsPath } = await tempRun(12);
  await fixtureRun(dir, promptsPath, "--name", "r");
  const runDir = join(dir, "r");
  const patch = async (stage: string, config: unknown) => {
    const path = join(runDir, stage, "manifest.json");
    const m = JSON.parse(await Deno.readTextFile(path));
    await Deno.writeTextFile(path, JSON.stringify({ ...m, config }));
  };
  await patch("generate", { n: 4, model_id: "base@x", model_sha256: modelSha });
  await patch("score", {
    rewards: REWARDS.map((name, i) => ({ name, model_sha256: SHA(`${i}`) })),
  });
  return { dir, runDir };
}

Deno.test("measureBaseTau is the median within-prompt standard deviation of each reward on the run's samples", async () => {
  const { runDir } = await scoredRun(SHA("a"));
  const { tau, model } = await measureBaseTau(runDir);
  assert.equal(model, SHA("a"));
  const rows = await stageRows(runDir, "score", scoredSchema(REWARDS)) as Scored[];
  for (const [i, k] of REWARDS.entries()) {
    const want = withinPromptSpread(
      rows.map((r) => r[`reward_${k}`]!),
      rows.map((r) => r.prompt_id),
    )!;
    assert.ok(want > 0);
    assert.equal(tau.rewards[k]!.tau, Number(want.toPrecision(4)));
    assert.equal(tau.rewards[k]!.model_sha256, SHA(`${i}`));
  }
  assert.equal(tau.measured_on.prompts_count, 12);
});

Deno.test("capo tau writes <base>/tau.json only for the base that drew the samples", async () => {
  const base = await Deno.makeTempDir();
  const weights = new TextEncoder().encode("weights");
  await Deno.writeFile(join(base, "model.safetensors"), weights);
  const other = await scoredRun(SHA("b"));
  assert.equal(await tau(["--run", other.runDir, "--base", base]), 1);
  assert.equal(await readBaseTau(base), null, "nothing written for another model's samples");
  const own = await scoredRun(sha256Hex(weights));
  assert.equal(await tau(["--run", own.runDir, "--base", base]), 0);
  const file = await readBaseTau(base);
  assert.deepEqual(Object.keys(file!.rewards), [...REWARDS]);
  assert.equal(await tau(["--run", own.runDir]), 2, "--base is required");
});
