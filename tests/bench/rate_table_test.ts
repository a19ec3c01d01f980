import assert from "node:assert/strict";
import { perItemRatio, rateRow } from "../../bench/rate_table.ts";

const a = { perBatch: [2, 4], itemsPerBatch: 10, cpuSeconds: 3 }; // 20 items in 6 s, 3 CPU-s
const b = { perBatch: [1], itemsPerBatch: 5, cpuSeconds: 1 }; // 5 items in 1 s, 1 CPU-s

Deno.test("rateRow() gives mean, best-batch and per-CPU-second rates and CPU / wall", () => {
  assert.equal(rateRow("x", a, "images"), "| x | 20 images | 6.0 | 3.33 | 5.00 | 6.67 | 0.50 |");
  assert.equal(
    rateRow("y", { skipped: "no torch" }, "images"),
    "| y | - | - | - | - | - | not measured: no torch |",
  );
});

Deno.test("perItemRatio() divides seconds per item by wall and by CPU time", () => {
  // wall: 0.3 / 0.2 = 1.5; CPU: 0.15 / 0.2 = 0.75
  assert.equal(perItemRatio(a, b), "1.50 by wall time, 0.75 by CPU time");
  assert.equal(perItemRatio(a, { skipped: "x" }), "n/a");
});
