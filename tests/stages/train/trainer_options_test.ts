import assert from "node:assert/strict";
import { TRAIN, trainingIdentity } from "../../../stages/train/trainer_options.ts";
import { defaultsOf, merge as mergeTable } from "../../../lib/config_table.ts";

const TRAINER_DEFAULTS = defaultsOf(TRAIN);
const merge = (raw: unknown) =>
  mergeTable(TRAIN, TRAINER_DEFAULTS, raw, "--config x.json", "train.");

Deno.test("trainer options merge over the defaults", () => {
  const o = merge({ loss: "dpo", beta: 500, schedule: "cosine", reward_weights: { a: 2, b: 1 } });
  assert.equal(o.loss, "dpo");
  assert.equal(o.beta, 500);
  assert.equal(o.schedule, "cosine");
  assert.deepEqual(o.reward_weights, { a: 2, b: 1 });
  assert.equal(o.lr, TRAINER_DEFAULTS.lr);
});

Deno.test("an unknown loss is rejected naming the key and the allowed values", () => {
  assert.throws(
    () => merge({ loss: "kto" }),
    /config key 'train.loss' \(--config x.json\) as it must be one of 'capo', 'dpo', 'ipo', 'capo_unbiased', 'ipo_unbiased': current value is "kto"/,
  );
});

Deno.test("beta <= 0 is rejected", () => {
  for (const beta of [0, -1]) {
    assert.throws(() => merge({ beta }), /'train.beta' .* must be a number > 0: current value is/);
  }
  assert.throws(() => merge({ beta: "5" }), /'train.beta'/);
});

Deno.test("bad closed-set values, counts and unknown keys are rejected", () => {
  assert.throws(() => merge({ weighting: "snr" }), /one of 'constant', 'sigmoid'/);
  assert.throws(() => merge({ schedule: "linear" }), /one of 'constant', 'cosine'/);
  assert.throws(() => merge({ batch_pairs: 0 }), /'train.batch_pairs' .* integer >= 1/);
  assert.throws(() => merge({ max_steps: 2.5 }), /'train.max_steps'/);
  assert.throws(() => merge({ reward_weights: { a: -1 } }), /'train.reward_weights' .* >= 0/);
  assert.throws(() => merge({ reward_weights: {} }), /with a positive sum: current value is \{\}/);
  assert.throws(
    () => merge({ betta: 1 }),
    /'train.betta' .* not a known key \(did you mean 'train.beta'\?\): known keys are/,
  );
  assert.throws(() => merge([1]), /must be an object/);
});

Deno.test("checkpoint cadence, ONNX export and model paths do not change the training identity", () => {
  const a = trainingIdentity(
    merge({ checkpoint_every: 5, export_onnx: false, model: "elsewhere", reference: "x" }),
  );
  assert.deepEqual(a, trainingIdentity(TRAINER_DEFAULTS));
  assert.notDeepEqual(trainingIdentity(merge({ beta: 1 })), a);
});

Deno.test("draws_per_pair 1 and the probe cadence keep the identity of runs from before the keys", () => {
  const { draws_per_pair: _k, probe_every: _p, ...old } = TRAINER_DEFAULTS;
  const a = trainingIdentity(TRAINER_DEFAULTS);
  assert.deepEqual(trainingIdentity(old as typeof TRAINER_DEFAULTS), a);
  assert.deepEqual(trainingIdentity(merge({ probe_every: 0, draws_per_pair: 1 })), a);
  assert.deepEqual(trainingIdentity(merge({ draws_per_pair: 4 })), { ...a, draws_per_pair: 4 });
  assert.throws(() => merge({ draws_per_pair: 0 }), /'train.draws_per_pair' .* integer >= 1/);
  assert.throws(() => merge({ probe_every: -1 }), /'train.probe_every' .* integer >= 0/);
  assert.equal(merge({ loss: "ipo_unbiased" }).loss, "ipo_unbiased");
});
