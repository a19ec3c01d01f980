/**
 * Fine-tuning on onnxruntime (stages/train/preference_trainer.ts) against its tfjs reference
 * (tfjs_preference_trainer.ts): from the same state, on the same batches and the same frozen
 * ORT reference, 20 steps give the same loss curve, for each loss kind.
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../../models/backend.ts";
import { denoiserSpecs } from "../../../../models/denoiser.ts";
import { initValues } from "../../../../models/nn/params.ts";
import { OrtDenoiser } from "../../../../models/ort_denoiser.ts";
import { Rng } from "../../../../lib/rng.ts";
import { DataOrder } from "../../../../stages/train/data_order.ts";
import { LOSS_KINDS } from "../../../../stages/train/losses.ts";
import { PairData } from "../../../../stages/train/pair_data.ts";
import { PreferenceTrainer } from "../../../../stages/train/preference_trainer.ts";
import { TfjsPreferenceTrainer } from "../../../../stages/train/tfjs_preference_trainer.ts";
import { TRAIN, type TrainerOptions } from "../../../../stages/train/trainer_options.ts";
import { defaultsOf } from "../../../../lib/config_table.ts";
import { tinyConfig } from "../../../models/_tiny.ts";
import { pairGroups } from "../_pairs.ts";

await initBackend();

const CASES = [
  ...LOSS_KINDS.map((k) => [k, "eps", 1] as const),
  ["capo", "flow", 1] as const,
  ["capo", "eps", 2] as const,
];

for (const [loss, p, K] of CASES) {
  const draws = K === 1 ? "" : `, ${K} draws per pair`;
  Deno.test(`20 ${loss} steps on onnxruntime give tfjs' loss curve within 1e-4 (${p}${draws})`, async () => {
    const cfg = tinyConfig(p, { depth: 1 });
    const rng = new Rng(3);
    // The real initialisation, perturbed so that adaLN-Zero's zeros do not hide any path.
    const base = initValues(denoiserSpecs(cfg), rng);
    for (const v of base.values()) for (let i = 0; i < v.length; i++) v[i]! += 0.05 * rng.normal();
    const o: TrainerOptions = {
      ...defaultsOf(TRAIN),
      loss,
      draws_per_pair: K,
      // dR_theta is beta times a difference of two float32 errors, so the runtimes' rounding
      // (~1e-7 of err) reaches the loss times beta: 50 keeps that under 1e-4.
      beta: 50,
      lr: 3e-3,
      batch_pairs: 4,
      warmup_steps: 3,
      weighting: p === "flow" ? "sigmoid" : "constant",
    };
    const data = new PairData(cfg);
    for (const g of pairGroups(8, 1, cfg.imageSize)) data.add(g);
    const order = new DataOrder(o.seed, data.size);
    const reference = await OrtDenoiser.create(cfg, base, { intraOpThreads: 1 });
    const ort = PreferenceTrainer.create(cfg, base, o, reference, { threads: 1 });
    const tfjs = TfjsPreferenceTrainer.restore(ort.snapshot(), o, reference);
    const curve: [number, number][] = [];
    for (let k = 0; k < 20; k++) {
      const batch = data.batch(order.batch(k, o.batch_pairs));
      curve.push([(await ort.trainStep(batch, 20)).loss, (await tfjs.trainStep(batch, 20)).loss]);
    }
    const worst = Math.max(...curve.map(([a, b]) => Math.abs(a - b) / Math.max(1, Math.abs(b))));
    assert.ok(worst <= 1e-4, `worst difference ${worst}: ${JSON.stringify(curve)}`);
    assert.ok(curve.some(([, b]) => b !== curve[0]![1]), "the losses change from step to step");
    await ort.dispose();
    tfjs.dispose();
    await reference.release();
  });
}

Deno.test("a fine-tuning gradient that is not finite stops the step before any update, naming it", async () => {
  const cfg = tinyConfig("eps", { depth: 1 });
  const base = initValues(denoiserSpecs(cfg), new Rng(4));
  const o: TrainerOptions = { ...defaultsOf(TRAIN), batch_pairs: 2 };
  const data = new PairData(cfg);
  for (const g of pairGroups(2, 1, cfg.imageSize)) data.add(g);
  const reference = await OrtDenoiser.create(cfg, base, { intraOpThreads: 1 });
  // The policy (not the reference) has a NaN in its last layer: its loss and every gradient
  // are NaN, and the first tensor in spec order is the prompt embedding.
  const policy = new Map(base);
  policy.set("final.proj.bias", policy.get("final.proj.bias")!.map(() => NaN));
  const trainer = PreferenceTrainer.create(cfg, policy, o, reference, { threads: 1 });
  const before = trainer.snapshot();
  await assert.rejects(
    trainer.trainStep(data.batch([0, 1]), 10),
    /gradient is not finite at step 1 \(loss NaN\).*'text\.embed'/,
  );
  assert.deepEqual(trainer.snapshot(), before);
  await trainer.dispose();
  await reference.release();
});
