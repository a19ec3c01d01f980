import assert from "node:assert/strict";
import {
  decodeFineTuneCheckpoint,
  encodeFineTuneCheckpoint,
  type FineTuneCheckpoint,
} from "../../../stages/train/finetune_checkpoint.ts";
import { encodeModelWeights } from "../../../models/weights.ts";
import { randomWeights, tinyConfig } from "../../models/_tiny.ts";

const cfg = tinyConfig("flow", { depth: 1 });

Deno.test("a fine-tuning checkpoint round trips weights, moments, step, Rng and identity", () => {
  const c: FineTuneCheckpoint = {
    model: cfg,
    identity: "abc123",
    options: JSON.stringify({ beta: 5 }),
    step: 17,
    rng: [1, 2, 3, 4294967295],
    params: randomWeights(cfg, 1),
    adamM: randomWeights(cfg, 2),
    adamV: randomWeights(cfg, 3),
  };
  const d = decodeFineTuneCheckpoint(encodeFineTuneCheckpoint(c), "ckpt");
  assert.deepEqual(d, c);
});

Deno.test("a model file is not mistaken for a fine-tuning checkpoint", () => {
  assert.throws(
    () => decodeFineTuneCheckpoint(encodeModelWeights(cfg, randomWeights(cfg, 1)), "m.safetensors"),
    /Cannot read m.safetensors as a fine-tuning checkpoint: capo_format is "capo-dit\/1"/,
  );
});
