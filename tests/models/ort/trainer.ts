/**
 * Pretraining on onnxruntime (models/trainer.ts): exact resume, checkpoints, the loss going
 * down, the loss curve of its tfjs reference (models/tfjs_trainer.ts), and the stop on a
 * gradient that is not finite.
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../models/backend.ts";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "../../../models/checkpoint.ts";
import { imageValues } from "../../../models/config.ts";
import { NonFiniteGradientError } from "../../../models/finite_gradient.ts";
import { parseTrainConfig } from "../../../models/train_config.ts";
import { DenoiserTrainer, type Example } from "../../../models/trainer.ts";
import { TfjsDenoiserTrainer } from "../../../models/tfjs_trainer.ts";
import { Rng } from "../../../lib/rng.ts";
import { tinyConfig } from "../_tiny.ts";

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
    for (let i = 0; i < 4; i++) losses.push((await straight.trainStep(data)).loss);
    const first = DenoiserTrainer.create(cfg, TRAIN);
    await first.trainStep(data);
    await first.trainStep(data);
    const path = await Deno.makeTempFile({ suffix: ".safetensors" });
    try {
      await saveCheckpoint(path, first.snapshot());
      await first.dispose();
      const resumed = DenoiserTrainer.restore(await loadCheckpoint(path));
      assert.equal(resumed.step, 2);
      const tail = [(await resumed.trainStep(data)).loss, (await resumed.trainStep(data)).loss];
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
      await init.dispose();
      await resumed.dispose();
      await straight.dispose();
    } finally {
      await Deno.remove(path);
    }
  });
}

Deno.test("a checkpoint round trips every part of the training state", async () => {
  const cfg = tinyConfig("eps", { depth: 1 });
  const t = DenoiserTrainer.create(cfg, TRAIN);
  await t.trainStep(corpus(cfg));
  const s = t.snapshot();
  const back = decodeCheckpoint(encodeCheckpoint(s));
  assert.deepEqual(back, s);
  await t.dispose();
});

Deno.test("the training loss goes down on a synthetic corpus", async () => {
  const cfg = tinyConfig("eps", { depth: 1 });
  const t = DenoiserTrainer.create(
    cfg,
    parseTrainConfig({ steps: 60, batchSize: 8, warmupSteps: 5, lr: 3e-3 }),
  );
  const data = corpus(cfg);
  const losses: number[] = [];
  for (let i = 0; i < 60; i++) losses.push((await t.trainStep(data)).loss);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(
    mean(losses.slice(-10)) < 0.85 * mean(losses.slice(0, 10)),
    `losses ${losses.map((l) => l.toFixed(3))}`,
  );
  await t.dispose();
});

// The reference: the same 20 steps in tfjs (autodiff, tfjs AdamW and EMA) from the same state.
for (const p of ["eps", "flow"] as const) {
  Deno.test(`20 training steps on onnxruntime give tfjs' loss curve within 1e-4 (${p})`, async () => {
    const cfg = tinyConfig(p, { depth: 1 });
    const train = parseTrainConfig({ ...TRAIN, steps: 20, warmupSteps: 5 });
    const data = corpus(cfg);
    const ort = DenoiserTrainer.create(cfg, train, { threads: 1 });
    const tfjs = TfjsDenoiserTrainer.restore(ort.snapshot());
    const curve: [number, number][] = [];
    for (let i = 0; i < 20; i++) {
      curve.push([(await ort.trainStep(data)).loss, tfjs.trainStep(data).loss]);
    }
    const worst = Math.max(...curve.map(([a, b]) => Math.abs(a - b) / Math.max(1, Math.abs(b))));
    assert.ok(worst <= 1e-4, `worst difference ${worst}: ${JSON.stringify(curve)}`);
    assert.ok(curve[19]![1] < curve[0]![1], "the curve is one of a model that trains");
    await ort.dispose();
    tfjs.dispose();
  });
}

Deno.test("a gradient that is not finite stops training, naming the step, the loss and the tensor", async () => {
  const cfg = tinyConfig("eps", { depth: 1 });
  const t = DenoiserTrainer.create(cfg, TRAIN, { threads: 1 });
  await t.trainStep(corpus(cfg));
  // A NaN in the last layer's bias makes the loss NaN and every gradient with it; the first
  // tensor in spec order is the prompt embedding.
  const s = t.snapshot();
  s.params.get("final.proj.bias")![0] = NaN;
  const bad = DenoiserTrainer.restore(s, { threads: 1 });
  const before = bad.snapshot();
  await assert.rejects(
    bad.trainStep(corpus(cfg)),
    (err: unknown) => {
      assert.ok(err instanceof NonFiniteGradientError);
      assert.equal(err.step, 2);
      assert.ok(Number.isNaN(err.loss));
      assert.equal(err.tensor, "text.embed");
      assert.match(err.message, /step 2 \(loss NaN\).*'text\.embed'/);
      return true;
    },
  );
  assert.deepEqual(bad.snapshot(), before, "nothing was updated");
  await t.dispose();
  await bad.dispose();
});
