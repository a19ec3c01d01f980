/**
 * The score cache and `capo compare` on tiny models (onnxruntime: imported by mod.ts, see
 * tests/ort_test.ts).
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { merge } from "../../../../lib/config_table.ts";
import { COMPARE, COMPARE_DEFAULTS } from "../../../../stages/evaluate/compare_options.ts";
import { EVALUATE, EVALUATE_COMMAND_DEFAULTS } from "../../../../stages/evaluate/eval_options.ts";
import { runCompare } from "../../../../stages/evaluate/run_compare.ts";
import { evaluateModelDirs } from "../../../../stages/evaluate/run_eval.ts";
import { evalInputs } from "./eval_fixture.ts";

async function setup(tmp: string) {
  const models = [["base", 1], ["a", 2], ["b0", 3], ["b1", 4]] as const;
  const { prompts, reward } = await evalInputs(tmp, models, "dev.txt");
  const evaluate = merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, {
    prompts,
    seeds_per_prompt: 2,
    steps: 2,
    rewards: [reward],
    resamples: 100,
  }, "test");
  return { evaluate, reward };
}

const files = async (dir: string) => {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
};

Deno.test("a model's scores are computed once per inputs: the base is reused by every evaluation and comparison", async () => {
  const tmp = await Deno.makeTempDir();
  let rewardDir: string | null = null;
  try {
    const { evaluate, reward } = await setup(tmp);
    rewardDir = dirname(reward);
    const cache = join(tmp, "cache");
    const first = await evaluateModelDirs(join(tmp, "base"), join(tmp, "a"), evaluate, null, cache);
    const stored = await files(cache);
    assert.equal(stored.length, 2, "base and a");
    const mtimes = await Promise.all(
      stored.map(async (f) => (await Deno.stat(join(cache, f))).mtime),
    );
    // the same evaluation again: both from the cache, the same numbers
    const again = await evaluateModelDirs(join(tmp, "base"), join(tmp, "a"), evaluate, null, cache);
    assert.deepEqual(again.rewards, first.rewards);
    assert.deepEqual(
      await Promise.all(stored.map(async (f) => (await Deno.stat(join(cache, f))).mtime)),
      mtimes,
    );
    // another tuned model: only it is added
    await evaluateModelDirs(join(tmp, "base"), join(tmp, "b0"), evaluate, null, cache);
    assert.equal((await files(cache)).length, 3);
    // other sampler settings: another key
    await evaluateModelDirs(
      join(tmp, "base"),
      join(tmp, "a"),
      { ...evaluate, steps: 3 },
      null,
      cache,
    );
    assert.equal((await files(cache)).length, 5);

    // capo compare on the same settings: base, a, b0 from the cache, b1 sampled now
    const o = merge(COMPARE, COMPARE_DEFAULTS, {
      base: join(tmp, "base"),
      cells: { a: [join(tmp, "a")], b: [join(tmp, "b0"), join(tmp, "b1")] },
      comparisons: ["a vs base", "b vs base", "a vs b"],
      cache_dir: cache,
      evaluate: { ...evaluate, shapeeval: true },
    }, "test");
    const out = join(tmp, "out");
    const r = await runCompare(o, out);
    assert.equal((await files(cache)).length, 6);
    assert.equal(r.family, 3 * 2, "3 comparisons x (brightness, shapeeval)");
    const aBase = r.comparisons.find((c) =>
      c.comparison === "a vs base" && c.metric === "brightness"
    )!;
    const fromEval = first.rewards[0]!;
    assert.ok(Math.abs(aBase.mean_a - fromEval.mean_tuned) < 1e-12);
    assert.ok(Math.abs(aBase.mean_b - fromEval.mean_base) < 1e-12);
    assert.ok(Math.abs(aBase.win_rate.estimate - fromEval.win_rate.estimate) < 1e-12);
    assert.deepEqual(r.comparisons.find((c) => c.comparison === "a vs b")!.seeds, { a: 1, b: 2 });
    const md = await Deno.readTextFile(join(out, "compare.md"));
    assert.match(md, /\| a vs b \| brightness \| 1 \/ 2 \|/);
    assert.match(md, /### ShapeEval/);
    const json = JSON.parse(await Deno.readTextFile(join(out, "compare.json")));
    assert.equal(json.comparisons.length, 6);
  } finally {
    await Deno.remove(tmp, { recursive: true });
    if (rewardDir !== null) await Deno.remove(rewardDir, { recursive: true });
  }
});
