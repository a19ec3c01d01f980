import assert from "node:assert/strict";
import {
  CATEGORIES,
  HELD_OUT_PAIRS,
  HELD_OUT_RELATIONS,
  heldOutKind,
  isHeldOut,
  loadPrompts,
  parseCaption,
  promptSets,
  writePromptSets,
} from "../../shapeworld/mod.ts";

Deno.test("the committed data/prompts files equal the regenerated prompt sets", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writePromptSets(dir);
    for (const split of ["train", "eval"] as const) {
      const fresh = await Deno.readTextFile(`${dir}/${split}.txt`);
      const committed = await Deno.readTextFile(
        new URL(`../../data/prompts/${split}.txt`, import.meta.url),
      );
      assert.equal(
        committed,
        fresh,
        `data/prompts/${split}.txt is stale: run deno task shapes prompts`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train has >= 5000 and eval >= 500 distinct prompts, disjoint, all in the grammar", () => {
  const train = loadPrompts("train"), evalSet = loadPrompts("eval");
  assert.ok(train.length >= 5000, `train has ${train.length}`);
  assert.ok(evalSet.length >= 500, `eval has ${evalSet.length}`);
  assert.equal(new Set(train).size, train.length, "train prompts are distinct");
  assert.equal(new Set(evalSet).size, evalSet.length, "eval prompts are distinct");
  const trainSet = new Set(train);
  assert.deepEqual(evalSet.filter((p) => trainSet.has(p)), []);
  for (const split of [train, evalSet]) {
    const cats = new Set(split.map((p) => parseCaption(p).category));
    assert.deepEqual([...cats].sort(), [...CATEGORIES].sort());
  }
});

Deno.test("no train prompt has a held-out combination, and eval has each of them", () => {
  const train = promptSets().train.map(parseCaption);
  const evalSet = promptSets().eval.map(parseCaption);
  assert.equal(train.filter(isHeldOut).length, 0);
  const words = (xs: string[]) => xs.join("\n");
  for (const { colour, shape } of HELD_OUT_PAIRS) {
    const re = new RegExp(`${colour} ${shape}`);
    assert.ok(!re.test(words(promptSets().train)), `${colour} ${shape} appears in train`);
    assert.ok(re.test(words(promptSets().eval)), `${colour} ${shape} missing from eval`);
  }
  for (const h of HELD_OUT_RELATIONS) {
    const hits = evalSet.filter((m) =>
      m.category === "position" && m.relation === h.relation &&
      m.objects[0].shape === h.a && m.objects[1].shape === h.b
    );
    assert.ok(hits.length > 0, `${h.a} ${h.relation} ${h.b} missing from eval`);
  }
  assert.ok(evalSet.filter((m) => heldOutKind(m) === "relation").length >= 20);
  assert.ok(evalSet.filter((m) => heldOutKind(m) === "pair").length >= 100);
});

Deno.test("loadPrompts() refuses an unknown split", () => {
  assert.throws(
    () => loadPrompts("test" as "train"),
    /split must be "train" or "eval": current value is test/,
  );
});
