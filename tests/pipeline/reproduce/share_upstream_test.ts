import assert from "node:assert/strict";
import { join } from "node:path";
import { shareUpstream } from "../../../pipeline/reproduce/share_upstream.ts";
import { driveRun } from "../../../pipeline/drive_run.ts";
import type { RunConfig } from "../../../pipeline/config.ts";
import { FIXTURE_METHOD } from "../fixtures/stages.ts";
import { listDir, tempRunConfig } from "../fixtures/util.ts";

const signal = new AbortController().signal;

/** The fixture method through the run driver as reproduce runs it (every stage must run). */
async function run(cfg: RunConfig, upTo: "score" | "train") {
  const r = await driveRun(cfg, { method: FIXTURE_METHOD, upTo, unavailable: "error", signal });
  if (r.status === "failed") throw r.error;
  return r;
}

async function upstream() {
  const { dir, cfg } = await tempRunConfig(12, 8, "upstream");
  // The shared stages only: prompts -> generate -> score (fixture model stages).
  const r = await run(cfg, "score");
  assert.equal(r.status, "done", r.summary);
  return { dir, cfg };
}

Deno.test("shareUpstream() gives a cell the shared stages, which its run reuses and does not recompute", async () => {
  const { dir, cfg } = await upstream();
  const cellDir = join(dir, "cell");
  assert.deepEqual(await shareUpstream(join(dir, "upstream"), cellDir), [
    "prompts",
    "generate",
    "score",
  ]);
  const r = await run({ ...cfg, name: "cell" }, "train");
  assert.equal(r.status, "done", r.summary);
  const by = Object.fromEntries(r.stages.map((s) => [s.stage, s]));
  assert.deepEqual(
    ["prompts", "generate", "score"].map((s) => by[s]!.role),
    ["untouched", "untouched", "read"],
  );
  assert.equal(by.calibrate!.computed, 12);
  assert.equal(by.select!.computed, 12);
  assert.deepEqual(await listDir(join(cellDir, ".stale")), []); // nothing was invalidated
  // A second share finds the cell's stages current and links nothing.
  assert.deepEqual(await shareUpstream(join(dir, "upstream"), cellDir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("shareUpstream() moves a cell stage of another hash aside and links the shared one", async () => {
  const { dir } = await upstream();
  const cellDir = join(dir, "cell");
  await shareUpstream(join(dir, "upstream"), cellDir);
  const path = join(cellDir, "score", "manifest.json");
  const m = JSON.parse(await Deno.readTextFile(path));
  await Deno.writeTextFile(path, JSON.stringify({ ...m, stage_hash: "f".repeat(64) }));
  assert.deepEqual(await shareUpstream(join(dir, "upstream"), cellDir), ["score"]);
  assert.deepEqual(await listDir(join(cellDir, ".stale")), [`score-${"f".repeat(12)}`]);
  const now = JSON.parse(await Deno.readTextFile(path));
  assert.equal(now.stage_hash, m.stage_hash);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("shareUpstream() refuses shared stages that are not complete, naming the stage", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capo-reproduce-test-" });
  await assert.rejects(
    () => shareUpstream(join(dir, "upstream"), join(dir, "cell")),
    /Cannot share stage 'prompts' of .* as it is missing/,
  );
  await Deno.remove(dir, { recursive: true });
});
