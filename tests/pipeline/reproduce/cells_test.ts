import assert from "node:assert/strict";
import { LOSSES, reproduceCells, REWARDS, selectCells } from "../../../pipeline/reproduce/cells.ts";

Deno.test("reproduceCells() has 9 single-reward cells: each loss on each reward, pairs by that reward", () => {
  const single = reproduceCells().filter((c) => c.table === "single");
  assert.equal(single.length, 9);
  for (const reward of REWARDS) {
    for (const loss of LOSSES) {
      const c = single.find((x) => x.method === reward && x.loss === loss);
      assert.ok(c, `${reward} ${loss}`);
      assert.equal(c.kind, "run");
      if (c.kind !== "run") continue;
      assert.deepEqual(c.select, { method: "single", reward });
      assert.equal(c.name, `single-${reward}-${loss}`);
    }
  }
});

Deno.test("reproduceCells() has 9 multi-reward cells: SUM, SOUP and FRS with each loss", () => {
  const multi = reproduceCells().filter((c) => c.table === "multi");
  assert.equal(multi.length, 9);
  for (const loss of LOSSES) {
    const sum = multi.find((c) => c.method === "sum" && c.loss === loss);
    const frs = multi.find((c) => c.method === "frs" && c.loss === loss);
    const soup = multi.find((c) => c.method === "soup" && c.loss === loss);
    assert.ok(sum?.kind === "run" && frs?.kind === "run" && soup?.kind === "soup");
    assert.deepEqual(sum.select, { method: "sum-raw", reward: null });
    assert.deepEqual(frs.select, { method: "frs", reward: null });
    // SOUP averages the three single-reward models trained with the same loss.
    assert.deepEqual(soup.inputs, REWARDS.map((r) => `single-${r}-${loss}`));
  }
});

Deno.test("reproduceCells() selects SUM pairs by calibrated rewards when asked", () => {
  const sum = reproduceCells("sum-calibrated").filter((c) => c.method === "sum");
  assert.equal(sum.length, 3);
  for (const c of sum) assert.ok(c.kind === "run" && c.select.method === "sum-calibrated");
});

Deno.test("reproduceCells() orders every soup after the cells it averages, names unique", () => {
  const cells = reproduceCells();
  assert.equal(new Set(cells.map((c) => c.name)).size, 18);
  cells.forEach((c, i) => {
    if (c.kind !== "soup") return;
    for (const input of c.inputs) {
      const j = cells.findIndex((x) => x.name === input);
      assert.ok(j >= 0 && j < i, `${input} before ${c.name}`);
    }
  });
});

Deno.test("selectCells() keeps run order and rejects an unknown cell naming the known ones", () => {
  const cells = reproduceCells();
  const picked = selectCells(cells, ["soup-capo", "single-aesthetic-capo"]);
  assert.deepEqual(picked.map((c) => c.name), ["single-aesthetic-capo", "soup-capo"]);
  assert.equal(selectCells(cells, null).length, 18);
  assert.throws(() => selectCells(cells, ["frs-kto"]), /Cannot select cell 'frs-kto'.*frs-capo/);
});
