import assert from "node:assert/strict";
import { join } from "node:path";
import {
  findRewardManifests,
  readEvalPrompts,
  stratifiedSubset,
  stratumOf,
} from "../../../stages/evaluate/eval_inputs.ts";
import { CATEGORIES } from "../../../shapeworld/meaning.ts";
import { EVALUATE, EVALUATE_COMMAND_DEFAULTS } from "../../../stages/evaluate/eval_options.ts";
import { merge } from "../../../lib/config_table.ts";

Deno.test("readEvalPrompts() reads every prompt, or all when the cap is not below the count", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const path = join(tmp, "eval.txt");
    await Deno.writeTextFile(path, ["p0", "p1", "", "p2", "p3", "p4", "p5"].join("\n") + "\n");
    assert.deepEqual(await readEvalPrompts(path, null), ["p0", "p1", "p2", "p3", "p4", "p5"]);
    // no ShapeWorld caption: one stratum, evenly spaced
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

const counts = (xs: readonly string[]) => {
  const n: Record<string, number> = {};
  for (const p of xs) n[stratumOf(p)] = (n[stratumOf(p)] ?? 0) + 1;
  return n;
};

Deno.test("stratifiedSubset() takes equal shares per category, in file order", () => {
  // 8 position, 1 single_object, 3 counting, shuffled; 6 of them: single 1, then 5 over 2 -> 3, 2
  const all = [
    "a red circle to the left of a square",
    "two blue squares",
    "a circle above a square",
    "a triangle",
    "a square below a circle",
    "three red circles",
    "a circle to the right of a square",
    "a blue circle above a red square",
    "one square",
    "a square to the left of a triangle",
    "a red square below a circle",
    "a triangle above a blue square",
  ];
  const got = stratifiedSubset(all, 6);
  assert.deepEqual(counts(got), { position: 2, single_object: 1, counting: 3 });
  // kept in file order; position evenly spaced over its 8 (indices 0 and 4 of them)
  assert.deepEqual(got, [
    "a red circle to the left of a square",
    "two blue squares",
    "a triangle",
    "three red circles",
    "a blue circle above a red square",
    "one square",
  ]);
  assert.deepEqual(stratifiedSubset(all, 12), all);
});

Deno.test("the default capped evaluation has every category of eval.txt, and dev's too", async () => {
  for (const file of ["eval", "dev"]) {
    const got = counts(await readEvalPrompts(`data/prompts/${file}.txt`, 96));
    assert.deepEqual(Object.keys(got).sort(), [...CATEGORIES].sort(), file);
    assert.equal(Object.values(got).reduce((a, b) => a + b, 0), 96);
  }
  assert.deepEqual(counts(await readEvalPrompts("data/prompts/eval.txt", 96)), {
    single_object: 3,
    two_object: 18,
    counting: 19,
    colors: 19,
    position: 19,
    color_attr: 18,
  });
  // the full mode: every test prompt
  assert.equal((await readEvalPrompts("data/prompts/eval.txt", null)).length, 515);
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
  const o = merge(
    EVALUATE,
    EVALUATE_COMMAND_DEFAULTS,
    { max_prompts: 50, rewards: [] },
    "x",
    "evaluate.",
  );
  assert.equal(o.max_prompts, 50);
  assert.deepEqual(o.rewards, []);
  assert.equal(o.seeds_per_prompt, 4);
  assert.throws(
    () => merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, { seeds_per_prompt: 0 }, "x", "evaluate."),
    /'evaluate.seeds_per_prompt' \(x\)/,
  );
  assert.throws(
    () => merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, { level: 1.5 }, "x", "evaluate."),
    /in \(0, 1\)/,
  );
  assert.throws(
    () => merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, { rewards: "a.json" }, "x", "evaluate."),
    /list of reward manifest paths/,
  );
  assert.throws(
    () => merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, { seeds: 2 }, "x", "evaluate."),
    /'evaluate.seeds' .* not a known key/,
  );
});
