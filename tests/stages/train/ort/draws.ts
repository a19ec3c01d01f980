/**
 * Issue #19 on the onnxruntime trainer: `train.draws_per_pair` K = 1 is the run without the key
 * bit for bit (same draws, losses, weights, Rng), the probe never changes the training, and the
 * log's diagnostics (backward share, the probe's bias^2 + variance split) are filled in.
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../../models/backend.ts";
import { denoiserSpecs } from "../../../../models/denoiser.ts";
import { initValues } from "../../../../models/nn/params.ts";
import { OrtDenoiser } from "../../../../models/ort_denoiser.ts";
import { Rng } from "../../../../lib/rng.ts";
import { defaultsOf } from "../../../../lib/config_table.ts";
import { DataOrder } from "../../../../stages/train/data_order.ts";
import type { LossKind } from "../../../../stages/train/loss_kinds.ts";
import { PairData } from "../../../../stages/train/pair_data.ts";
import { PreferenceTrainer } from "../../../../stages/train/preference_trainer.ts";
import { TRAIN, type TrainerOptions } from "../../../../stages/train/trainer_options.ts";
import { tinyConfig } from "../../../models/_tiny.ts";
import { pairGroups } from "../_pairs.ts";

await initBackend();

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

async function setup(options: TrainerOptions, steps: number, probe: boolean) {
  const cfg = tinyConfig("eps", { depth: 1 });
  const rng = new Rng(5);
  const base = initValues(denoiserSpecs(cfg), rng);
  for (const v of base.values()) for (let i = 0; i < v.length; i++) v[i]! += 0.05 * rng.normal();
  const data = new PairData(cfg);
  for (const g of pairGroups(8, 1, cfg.imageSize)) data.add(g);
  const order = new DataOrder(options.seed, data.size);
  const reference = await OrtDenoiser.create(cfg, base, { intraOpThreads: 1 });
  const trainer = PreferenceTrainer.create(cfg, base, options, reference, { threads: 1 });
  const lines = [];
  for (let k = 0; k < steps; k++) {
    const m = await trainer.trainStep(data.batch(order.batch(k, options.batch_pairs)), steps);
    if (probe) Object.assign(m, await trainer.probe(data.batch([0, 1, 2, 3])));
    lines.push(m);
  }
  const snap = trainer.snapshot();
  const params = new Float32Array(trainer.params);
  await trainer.dispose();
  await reference.release();
  return { lines, snap, params };
}

const opts = (o: Partial<TrainerOptions>): TrainerOptions => ({
  ...defaultsOf(TRAIN),
  beta: 50,
  lr: 3e-3,
  batch_pairs: 4,
  warmup_steps: 2,
  ...o,
});

Deno.test("draws_per_pair 1 is the run without the key bit for bit, probes included", async () => {
  // the options as stored before issue #19: neither key
  const { draws_per_pair: _k, probe_every: _p, ...old } = opts({});
  const before = await setup(old as TrainerOptions, 6, false);
  const now = await setup(opts({ draws_per_pair: 1 }), 6, true);
  assert.deepEqual(now.lines.map((m) => m.loss), before.lines.map((m) => m.loss));
  assert.deepEqual(now.lines.map((m) => m.grad_norm), before.lines.map((m) => m.grad_norm));
  assert.deepEqual(now.lines.map((m) => m.dr_theta), before.lines.map((m) => m.dr_theta));
  assert.deepEqual(now.snap.rng, before.snap.rng);
  assert.deepEqual(bits(now.params), bits(before.params));
  assert.ok(new Set(before.lines.map((m) => m.loss)).size > 1, "the loss changes");
});

for (const loss of ["capo", "ipo", "capo_unbiased", "dpo"] as LossKind[]) {
  Deno.test(`the ${loss} log carries the backward share and the probe's bias^2 + variance split`, async () => {
    const { lines } = await setup(opts({ loss, draws_per_pair: 2 }), 4, true);
    for (const m of lines) {
      assert.ok(m.backward !== undefined && m.backward !== null);
      assert.ok(m.backward >= 0 && m.backward <= 1, `backward ${m.backward}`);
      if (loss === "dpo") assert.equal(m.backward, 0);
      assert.equal(m.probe_pairs, 4);
      assert.ok(m.probe_var! >= 0);
      if (loss === "dpo") {
        assert.equal(m.probe_bias2, null);
      } else {
        const sum = m.probe_bias2! + m.probe_var!;
        assert.ok(
          Math.abs(m.probe_sq! - sum) <= 1e-9 * Math.max(1, sum),
          `${m.probe_sq} vs ${sum}`,
        );
      }
    }
    // after the first updates the policy differs from the reference: the estimates vary
    assert.ok(lines.at(-1)!.probe_var! > 0);
  });
}
