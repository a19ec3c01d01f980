import assert from "node:assert/strict";
import { SHAPEEVAL_TARGET, targetStatus, trainingCost } from "../../models/model_card.ts";

Deno.test("targetStatus: below, within (both ends) and above the band", () => {
  assert.match(targetStatus(0.26), /below the target.*0\.26.*0\.35-0\.80/);
  assert.match(targetStatus(SHAPEEVAL_TARGET.min), /within the target/);
  assert.match(targetStatus(0.55), /within the target\*\*: overall 0\.55/);
  assert.match(targetStatus(SHAPEEVAL_TARGET.max), /within the target/);
  assert.match(targetStatus(0.91), /above the target/);
  assert.match(targetStatus(NaN), /unknown/);
});

Deno.test("trainingCost: sums the sessions of a resumed loss log", () => {
  const log = [
    { step: 25, loss: 0.5, samples: 1200, elapsed_s: 10 },
    { step: 50, loss: 0.4, samples: 2400, elapsed_s: 20 },
    // resumed: elapsed_s restarts
    { step: 75, loss: 0.3, samples: 3600, elapsed_s: 7 },
  ].map((r) => JSON.stringify(r)).join("\n") + "\n";
  const c = trainingCost(log);
  assert.equal(c.steps, 75);
  assert.equal(c.samples, 3600);
  assert.equal(c.sessions, 2);
  assert.equal(c.trainSeconds, 27);
  assert.equal(c.finalLoss, 0.3);
  assert.throws(() => trainingCost(""), /loss log is empty/);
});
