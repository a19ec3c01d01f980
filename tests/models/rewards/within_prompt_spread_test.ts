import assert from "node:assert/strict";
import { withinPromptSpread } from "../../../models/rewards/spread.ts";

Deno.test("withinPromptSpread() is the median over prompts of the within-prompt sample sd", () => {
  // a: sd of [1, 3] = sqrt(2); b: sd of [0, 0, 0] = 0; c: sd of [2, 6] = sqrt(8); d: one item.
  const scores = [1, 3, 0, 0, 0, 2, 6, 9];
  const captions = ["a", "a", "b", "b", "b", "c", "c", "d"];
  assert.ok(Math.abs(withinPromptSpread(scores, captions)! - Math.SQRT2) < 1e-12);
  // an even count of prompts takes the middle two's mean: sds 0, sqrt(2) -> sqrt(2)/2
  assert.ok(
    Math.abs(withinPromptSpread([1, 3, 0, 0], ["a", "a", "b", "b"])! - Math.SQRT2 / 2) < 1e-12,
  );
});

Deno.test("withinPromptSpread() is null when no prompt has two samples", () => {
  assert.equal(withinPromptSpread([1, 2, 3], ["a", "b", "c"]), null);
});
