import assert from "node:assert/strict";
import { PROMPTS } from "../../stages/prompts/options.ts";
import {
  CATEGORIES,
  DEV_SIZE,
  devQuotas,
  FINE_TUNE_PREFIX,
  HELD_OUT_PAIRS,
  HELD_OUT_RELATIONS,
  heldOutKind,
  isHeldOut,
  loadPrompts,
  parseCaption,
  promptSets,
  SPLITS,
  writePromptSets,
} from "../../shapeworld/mod.ts";

Deno.test("the committed data/prompts files equal the regenerated prompt sets", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writePromptSets(dir);
    for (const split of SPLITS) {
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
    /split must be "train", "dev" or "eval": current value is test/,
  );
});

const categoryCounts = (xs: readonly string[]) => {
  const n = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<string, number>;
  for (const p of xs) n[parseCaption(p).category]!++;
  return n;
};

Deno.test("dev is disjoint from train and eval, and drawn only after train's first lines", () => {
  const { train, dev, eval: evalSet, pool } = promptSets();
  assert.equal(new Set(dev).size, dev.length, "dev prompts are distinct");
  const trainSet = new Set(train), evalSet2 = new Set(evalSet);
  assert.deepEqual(dev.filter((p) => trainSet.has(p) || evalSet2.has(p)), []);
  // train is the pool less dev, in the pool's order, and dev comes from the pool
  const devSet = new Set(dev);
  assert.deepEqual(train, pool.filter((p) => !devSet.has(p)));
  assert.equal(train.length + dev.length, pool.length);
  // the default run's prompts (prompts.limit first lines) are untouched
  assert.equal(FINE_TUNE_PREFIX, PROMPTS.limit.default, "FINE_TUNE_PREFIX = prompts.limit");
  assert.deepEqual(train.slice(0, FINE_TUNE_PREFIX), pool.slice(0, FINE_TUNE_PREFIX));
  const firstLines = new Set(pool.slice(0, FINE_TUNE_PREFIX));
  assert.deepEqual(dev.filter((p) => firstLines.has(p)), []);
  // the committed files agree
  assert.deepEqual(loadPrompts("dev"), dev);
  assert.deepEqual(loadPrompts("train"), train);
});

Deno.test("dev is stratified: equal shares per category, at most half of each category", () => {
  const { dev, pool } = promptSets();
  const rest = pool.slice(FINE_TUNE_PREFIX);
  const have = categoryCounts(rest), got = categoryCounts(dev);
  assert.equal(dev.length, DEV_SIZE);
  assert.deepEqual(got, devQuotas(rest));
  // hand-checked: 200 over 6 categories; single_object (6 after line 256), two_object (34)
  // and colors (27) give half of theirs, the other three split the remaining 167
  assert.deepEqual(got, {
    single_object: 3,
    two_object: 17,
    counting: 56,
    colors: 13,
    position: 56,
    color_attr: 55,
  });
  for (const c of CATEGORIES) {
    assert.ok(got[c]! > 0, `${c} is in dev`);
    assert.ok(got[c]! <= have[c]! / 2, `${c}: ${got[c]} of ${have[c]}`);
  }
  assert.equal(dev.filter((p) => isHeldOut(parseCaption(p))).length, 0, "dev has no held-out");
});
