import assert from "node:assert/strict";
import { initBackend } from "../../models/backend.ts";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "../../models/checkpoint.ts";
import { imageValues } from "../../models/config.ts";
import { parseTrainConfig } from "../../models/train_config.ts";
import { DenoiserTrainer, type Example } from "../../models/trainer.ts";
import { Rng } from "../../lib/rng.ts";
import { tinyConfig } from "./_tiny.ts";

await initBackend();

/** A synthetic corpus: a coloured square on gray, position and colour from the index. */
function corpus(cfg: ReturnType<typeof tinyConfig>): (i: number) => Example {
  return (i) => {
    const rng = Rng.derive(9, i);
    const S = cfg.imageSize;
    const img = new Uint8Array(imageValues(cfg)).fill(240);
    const red = rng.next() < 0.5;
    const r0 = rng.int(S - 4), c0 = rng.int(S - 4);
    for (let r = r0; r < r0 + 4; r++) {
      for (let c = c0; c < c0 + 4; c++) {
        img.set(red ? [220, 30, 30] : [40, 70, 230], (r * S + c) * 3);
      }
    }
    return { caption: red ? "a red square" : "a blue square", image: img };
  };
}

const TRAIN = parseTrainConfig({
  steps: 4,
  batchSize: 3,
  warmupSteps: 2,
  lr: 1e-3,
  pUncond: 0.3,
  minSnrGamma: 5,
});

for (const p of ["eps", "flow"] as const) {
  Deno.test(`training 4 steps equals 2 steps, checkpoint, resume, 2 steps, bit for bit (${p})`, async () => {
    const cfg = tinyConfig(p, { depth: 1 });
    const data = corpus(cfg);
    const straight = DenoiserTrainer.create(cfg, TRAIN);
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) losses.push(straight.trainStep(data).loss);
    const first = DenoiserTrainer.create(cfg, TRAIN);
    first.trainStep(data);
    first.trainStep(data);
    const path = await Deno.makeTempFile({ suffix: ".safetensors" });
    try {
      await saveCheckpoint(path, first.snapshot());
      first.dispose();
      const resumed = DenoiserTrainer.restore(await loadCheckpoint(path));
      assert.equal(resumed.step, 2);
      const tail = [resumed.trainStep(data).loss, resumed.trainStep(data).loss];
      assert.deepEqual(tail, losses.slice(2));
      const a = straight.snapshot();
      const b = resumed.snapshot();
      assert.deepEqual(b.params, a.params);
      assert.deepEqual(b.ema, a.ema);
      assert.deepEqual(b.adamM, a.adamM);
      assert.deepEqual(b.adamV, a.adamV);
      assert.deepEqual([b.step, b.cursor, b.rng], [a.step, a.cursor, a.rng]);
      // training changed the weights (the comparison above is not between two untouched inits)
      const init = DenoiserTrainer.create(cfg, TRAIN);
      assert.notDeepEqual(
        init.snapshot().params.get("blocks.0.attn.q.weight"),
        a.params.get("blocks.0.attn.q.weight"),
      );
      init.dispose();
      resumed.dispose();
      straight.dispose();
    } finally {
      await Deno.remove(path);
    }
  });
}

Deno.test("a checkpoint round trips every part of the training state", () => {
  const cfg = tinyConfig("eps", { depth: 1 });
  const t = DenoiserTrainer.create(cfg, TRAIN);
  t.trainStep(corpus(cfg));
  const s = t.snapshot();
  const back = decodeCheckpoint(encodeCheckpoint(s));
  assert.deepEqual(back, s);
  t.dispose();
});

Deno.test("the training loss goes down on a synthetic corpus", () => {
  const cfg = tinyConfig("eps", { depth: 1 });
  const t = DenoiserTrainer.create(
    cfg,
    parseTrainConfig({ steps: 60, batchSize: 8, warmupSteps: 5, lr: 3e-3 }),
  );
  const data = corpus(cfg);
  const losses: number[] = [];
  for (let i = 0; i < 60; i++) losses.push(t.trainStep(data).loss);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(
    mean(losses.slice(-10)) < 0.85 * mean(losses.slice(0, 10)),
    `losses ${losses.map((l) => l.toFixed(3))}`,
  );
  t.dispose();
});
