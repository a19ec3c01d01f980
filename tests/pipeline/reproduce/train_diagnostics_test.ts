import assert from "node:assert/strict";
import { trainDiagnostics } from "../../../pipeline/reproduce/train_diagnostics.ts";

const line = (step: number, loss: number, accuracy: number, correlation: number | null) =>
  JSON.stringify({ step, loss, accuracy, correlation, dr_theta: step / 100, dr_ca: 0.5, lr: 1 });

Deno.test("trainDiagnostics() averages the last quarter of the steps", () => {
  const text = [
    line(1, 9, 0, null),
    line(2, 9, 0, 0.9),
    line(3, 9, 0, 0.9),
    line(4, 9, 0, 0.9),
    line(5, 9, 0, 0.9),
    line(6, 9, 0, 0.9),
    line(7, 2, 0.5, 0.2),
    line(8, 4, 1, null),
  ].join("\n") + "\n";
  const d = trainDiagnostics(text, 250, "log.jsonl");
  assert.ok(Math.abs(d.dr_theta - 0.075) < 1e-12);
  assert.deepEqual({ ...d, dr_theta: 0.075 }, {
    beta: 250,
    steps: 8,
    window: 2,
    loss: 3,
    accuracy: 0.75,
    correlation: 0.2, // null steps are skipped
    dr_theta: 0.075,
    dr_ca: 0.5,
  });
  // one step: a window of one
  assert.equal(trainDiagnostics(line(1, 7, 1, null), 1, "x").loss, 7);
  assert.equal(trainDiagnostics(line(1, 7, 1, null), 1, "x").correlation, null);
});

Deno.test("trainDiagnostics() names the file and line of bad input", () => {
  assert.throws(() => trainDiagnostics("", 1, "a/log.jsonl"), /a\/log\.jsonl as it holds no steps/);
  assert.throws(
    () => trainDiagnostics("{", 1, "a/log.jsonl"),
    /a\/log\.jsonl line 1 .*not valid JSON/,
  );
  assert.throws(
    () => trainDiagnostics(line(1, 1, 1, null) + '\n{"step":2}', 1, "b"),
    /b line 2 as 'loss' is not a number/,
  );
});
