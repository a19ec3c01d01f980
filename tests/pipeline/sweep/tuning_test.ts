import assert from "node:assert/strict";
import { join } from "node:path";
import { readTuning } from "../../../pipeline/sweep/tuning.ts";
import {
  appendRecord,
  RECORD_FORMAT,
  type SweepRecord,
} from "../../../pipeline/sweep/sweep_record.ts";

Deno.test("readTuning chooses only once every point of the grid is recorded", async () => {
  const dir = await Deno.makeTempDir({ dir: "runs", prefix: "test-tuning-" });
  try {
    const record = join(dir, "r.jsonl");
    const planPath = join(dir, "p.json");
    await Deno.writeTextFile(
      planPath,
      JSON.stringify({
        name: "t",
        record,
        config: { evaluate: { prompts: "data/prompts/dev.txt" } },
        grid: { "train.beta": [100, 200] },
      }),
    );
    const line = (beta: number, win: number): SweepRecord => ({
      format: RECORD_FORMAT,
      point: { "train.beta": beta },
      seed: 0,
      identity: String(beta),
      dev: { rewards: { a: { win_rate: win } } },
      training: { dr_theta: 1, dr_ca: 1 },
    } as unknown as SweepRecord);
    assert.equal((await readTuning(planPath)).chosen, null);
    await appendRecord(record, line(100, 0.6));
    const half = await readTuning(planPath);
    assert.deepEqual([half.points, half.records.length, half.chosen], [2, 1, null]);
    await appendRecord(record, line(200, 0.7));
    assert.deepEqual((await readTuning(planPath)).chosen, { "train.beta": 200 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
