import assert from "node:assert/strict";
import { join } from "node:path";
import { findRewardManifests, readEvalPrompts } from "../../../stages/evaluate/eval_inputs.ts";
import { EVAL_DEFAULTS, mergeEvalOptions } from "../../../stages/evaluate/eval_options.ts";

Deno.test("readEvalPrompts() reads every prompt, or an evenly spaced subset", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const path = join(tmp, "eval.txt");
    await Deno.writeTextFile(path, ["p0", "p1", "", "p2", "p3", "p4", "p5"].join("\n") + "\n");
    assert.deepEqual(await readEvalPrompts(path, null), ["p0", "p1", "p2", "p3", "p4", "p5"]);
    assert.deepEqual(await readEvalPrompts(path, 3), ["p0", "p2", "p4"]);
    assert.deepEqual(await readEvalPrompts(path, 99), ["p0", "p1", "p2", "p3", "p4", "p5"]);
    await assert.rejects(
      readEvalPrompts(join(tmp, "none.txt"), null),
      /'.*none.txt': no such file/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("findRewardManifests() lists the manifests with a model beside them", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    for (const f of ["b.json", "b.onnx", "a.json", "a.onnx", "card.json", "metrics.txt"]) {
      await Deno.writeTextFile(join(tmp, f), "{}");
    }
    assert.deepEqual(await findRewardManifests(tmp), [join(tmp, "a.json"), join(tmp, "b.json")]);
    await assert.rejects(findRewardManifests(join(tmp, "none")), /holds no reward manifest/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("evaluate options merge over the defaults and reject bad values naming the key", () => {
  const o = mergeEvalOptions(EVAL_DEFAULTS, { max_prompts: 50, rewards: [] }, "x");
  assert.equal(o.max_prompts, 50);
  assert.deepEqual(o.rewards, []);
  assert.equal(o.seeds_per_prompt, 4);
  assert.throws(
    () => mergeEvalOptions(EVAL_DEFAULTS, { seeds_per_prompt: 0 }, "x"),
    /'evaluate.seeds_per_prompt' \(x\)/,
  );
  assert.throws(() => mergeEvalOptions(EVAL_DEFAULTS, { level: 1.5 }, "x"), /in \(0, 1\)/);
  assert.throws(
    () => mergeEvalOptions(EVAL_DEFAULTS, { rewards: "a.json" }, "x"),
    /list of reward manifest paths/,
  );
  assert.throws(
    () => mergeEvalOptions(EVAL_DEFAULTS, { seeds: 2 }, "x"),
    /'evaluate.seeds' .* not a known key/,
  );
});
