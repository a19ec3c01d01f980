import assert from "node:assert/strict";
import { parseTrainLog } from "../../../stages/train/train_log.ts";

Deno.test("parseTrainLog() reads one step per line, skipping blank lines", () => {
  const text = '{"step":1,"loss":0.5,"accuracy":1}\n\n{"step":2,"loss":0.25}\n';
  const log = parseTrainLog(text, "t/log.jsonl");
  assert.deepEqual(log.map((s) => [s.step, s.loss]), [[1, 0.5], [2, 0.25]]);
  assert.deepEqual(parseTrainLog("", "t/log.jsonl"), []);
});

Deno.test("parseTrainLog() names the file, line and field of a bad line", () => {
  assert.throws(
    () => parseTrainLog('{"step":1,"loss":1}\nnot json', "t/log.jsonl"),
    /t\/log\.jsonl line 2 as it is not valid JSON/,
  );
  assert.throws(
    () => parseTrainLog('{"step":1}', "t/log.jsonl"),
    /line 1 as 'loss' is not a number/,
  );
  // the required fields are the caller's
  assert.throws(
    () => parseTrainLog('{"step":1,"loss":1}', "t", ["step", "loss", "dr_ca"]),
    /t line 1 as 'dr_ca' is not a number/,
  );
});
