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
    grad_norm: null,
    backward: null,
    probe_var: null,
    probe_bias2: null,
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

Deno.test("trainDiagnostics() averages grad norms and backward shares and keeps the last probe", () => {
  const step = (n: number, extra: Record<string, number>) =>
    JSON.stringify({ step: n, loss: 1, accuracy: 1, dr_theta: 0, dr_ca: 0, ...extra });
  const text = [
    step(1, { grad_norm: 100, backward: 1, probe_var: 9, probe_bias2: 9 }),
    step(2, { grad_norm: 100, backward: 1, probe_var: 0.5, probe_bias2: -0.1 }),
    step(3, { grad_norm: 3, backward: 0.25 }),
    step(4, { grad_norm: 5, backward: 0.75 }),
    step(5, { grad_norm: 100, backward: 1 }),
    step(6, { grad_norm: 100, backward: 1 }),
    step(7, { grad_norm: 3, backward: 0.25 }),
    step(8, { grad_norm: 5, backward: 0.75 }),
  ].join("\n");
  const d = trainDiagnostics(text, 1, "log.jsonl");
  assert.equal(d.grad_norm, 4);
  assert.equal(d.backward, 0.5);
  assert.equal(d.probe_var, 0.5);
  assert.equal(d.probe_bias2, -0.1);
});
