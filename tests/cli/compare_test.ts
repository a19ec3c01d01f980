import assert from "node:assert/strict";
import { join } from "node:path";
import { compareOptions } from "../../cli/compare.ts";

Deno.test("capo compare reads the spec, then flags over it; evaluate starts in the full mode", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const spec = join(tmp, "spec.json");
    await Deno.writeTextFile(
      spec,
      JSON.stringify({
        cells: { capo: ["r/capo/train", "r/capo-seed1/train"], dpo: ["r/dpo/train"] },
        comparisons: ["capo vs base", "capo vs dpo"],
        evaluate: { prompts: "data/prompts/dev.txt" },
      }),
    );
    const { options: o, out } = await compareOptions([
      "--config",
      spec,
      "--alpha=0.01",
      "--evaluate.seeds_per_prompt",
      "2",
      "--out",
      join(tmp, "out"),
    ]);
    assert.equal(out, join(tmp, "out"));
    assert.deepEqual(o.cells.capo, ["r/capo/train", "r/capo-seed1/train"]);
    assert.equal(o.alpha, 0.01);
    assert.equal(o.statistic, "win_rate");
    assert.equal(o.evaluate.prompts, "data/prompts/dev.txt");
    assert.equal(o.evaluate.seeds_per_prompt, 2);
    assert.equal(o.evaluate.max_prompts, null, "every prompt");
    assert.equal(o.evaluate.steps, 30);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("capo compare refuses an undeclared family, an unknown cell and a misspelt flag", async () => {
  await assert.rejects(
    compareOptions([]),
    /'comparisons' \(flags\) as it must be a non-empty list/,
  );
  await assert.rejects(
    compareOptions(["--cells", '{"a": ["x"]}', "--comparisons", "a vs b"]),
    /'comparisons\[0\]' .* two different cells of base, a: current value is "a vs b"/,
  );
  await assert.rejects(
    compareOptions(["--cells", '{"base": ["x"]}', "--comparisons", "base vs base"]),
    /'cells.base'/,
  );
  await assert.rejects(compareOptions(["--alpah", "0.1"]), /did you mean --alpha\?/);
  await assert.rejects(compareOptions(["--alpha", "2"]), /'alpha' \(--alpha\) as it must be in/);
  assert.equal((await compareOptions(["--help"])).help, true);
});
