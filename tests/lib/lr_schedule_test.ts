import assert from "node:assert/strict";
import { learningRateAt } from "../../lib/lr_schedule.ts";

Deno.test("learningRateAt() warms up linearly, then holds the peak for 'constant'", () => {
  const s = {
    lr: 1e-4,
    warmupSteps: 4,
    decay: "constant" as const,
    finalFraction: 0,
    decaySteps: 0,
  };
  const want = [0.25e-4, 0.5e-4, 0.75e-4, 1e-4, 1e-4, 1e-4];
  [0, 1, 2, 3, 4, 9].forEach((k, i) =>
    assert.ok(Math.abs(learningRateAt(s, k, 10) - want[i]!) < 1e-15, `step ${k}`)
  );
});

// The formulas pretraining, reward training and fine-tuning used before they shared this
// schedule, as written then: the shared one must give the same numbers bit for bit after
// warm-up, so a resumed checkpoint continues on the same learning rates.
const finetuneCosine = (lr: number, W: number, k: number, K: number) =>
  k < W
    ? lr * (k + 1) / W
    : lr * (1 + Math.cos(Math.PI * Math.min(1, (k - W) / Math.max(1, K - W)))) / 2;
const rewardCosine = (lr: number, W: number, f: number, k: number, K: number) => {
  if (k < W) return (lr * (k + 1)) / W;
  const p = Math.min(1, (k - W) / Math.max(1, K - W));
  const floor = lr * f;
  return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * p));
};
const pretrainLinear = (lr: number, W: number, f: number, D: number, k: number, K: number) => {
  let x = lr * Math.min(1, (k + 1) / Math.max(1, W));
  const into = k - (K - D);
  if (into > 0) x *= 1 - (1 - f) * Math.min(1, into / D);
  return x;
};

Deno.test("learningRateAt() gives fine-tuning's, reward training's and pretraining's schedules exactly", () => {
  for (let k = 0; k < 300; k++) {
    const ft = {
      lr: 5e-6,
      warmupSteps: 10,
      decay: "cosine" as const,
      finalFraction: 0,
      decaySteps: 0,
    };
    assert.equal(learningRateAt(ft, k, 300), finetuneCosine(5e-6, 10, k, 300), `fine-tune ${k}`);
    const rw = {
      lr: 3e-3,
      warmupSteps: 20,
      decay: "cosine" as const,
      finalFraction: 0.05,
      decaySteps: 0,
    };
    assert.equal(learningRateAt(rw, k, 300), rewardCosine(3e-3, 20, 0.05, k, 300), `reward ${k}`);
    if (k < 25) continue; // pretraining's warm-up rounds lr * ((k + 1) / W) instead
    const pt = {
      lr: 4e-4,
      warmupSteps: 25,
      decay: "linear" as const,
      finalFraction: 0.1,
      decaySteps: 100,
    };
    assert.equal(
      learningRateAt(pt, k, 300),
      pretrainLinear(4e-4, 25, 0.1, 100, k, 300),
      `pretrain ${k}`,
    );
  }
});
