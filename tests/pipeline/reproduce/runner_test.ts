import assert from "node:assert/strict";
import { join } from "node:path";
import { reproduce } from "../../../pipeline/reproduce/runner.ts";

Deno.test("reproduce() reports a missing base in the report and still finishes", async () => {
  const out = await Deno.makeTempDir({ prefix: "capo-reproduce-test-" });
  const outcome = await reproduce({
    size: "small",
    bases: ["eps", "flow"],
    models: { eps: join(out, "no-eps"), flow: join(out, "no-flow") },
    only: null,
    out,
    sum: "sum-raw",
    reportOnly: false,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.status, "done");
  const md = await Deno.readTextFile(join(out, "reproduce.md"));
  assert.match(md, /## eps base .*\n\n\*\*Not run:\*\* no eps base model at .*no-eps/);
  assert.match(md, /## flow base .*\n\n\*\*Not run:\*\* no flow base model at .*no-flow/);
  const json = JSON.parse(await Deno.readTextFile(join(out, "reproduce.json")));
  assert.deepEqual(json.bases.map((b: { base: string }) => b.base), ["eps", "flow"]);
  assert.match(json.bases[1].missing, /no flow base model/);
  // Nothing ran: no cell directory was made.
  assert.deepEqual((await Array.fromAsync(Deno.readDir(out))).map((e) => e.name).sort(), [
    "reproduce.json",
    "reproduce.md",
  ]);
  await Deno.remove(out, { recursive: true });
});
