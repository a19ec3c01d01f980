import assert from "node:assert/strict";
import { closest, editDistance } from "../../lib/closest.ts";

Deno.test("editDistance() counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("same", "same"), 0);
});

Deno.test("closest() suggests a near name and nothing for a far one", () => {
  const names = ["--name", "--prompts", "--generate.n", "--train.beta"];
  assert.equal(closest("--nmae", names), "--name");
  assert.equal(closest("--train.betta", names), "--train.beta");
  assert.equal(closest("--zzzzzzzz", names), null);
  assert.equal(closest("x", []), null);
});
