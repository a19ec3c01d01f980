import assert from "node:assert/strict";
import { learningRateAt } from "../../../stages/train/lr_schedule.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("the learning rate warms up linearly, then stays constant", () => {
  const o = { lr: 1e-4, warmup_steps: 4, schedule: "constant" } as const;
  [0.25e-4, 0.5e-4, 0.75e-4, 1e-4, 1e-4, 1e-4].forEach((v, k) => close(learningRateAt(o, k, 6), v));
});

Deno.test("the cosine schedule falls from lr after warm-up to 0 at the last step", () => {
  const o = { lr: 2e-4, warmup_steps: 2, schedule: "cosine" } as const;
  // total 6: after warm-up k = 2..6 spans 4 steps: cos fractions 0, 1/4, 1/2, 3/4, 1
  close(learningRateAt(o, 1, 6), 2e-4);
  close(learningRateAt(o, 2, 6), 2e-4);
  close(learningRateAt(o, 3, 6), 2e-4 * (1 + Math.cos(Math.PI / 4)) / 2);
  close(learningRateAt(o, 4, 6), 1e-4);
  close(learningRateAt(o, 6, 6), 0);
});

Deno.test("no warm-up starts at the full learning rate", () => {
  close(learningRateAt({ lr: 3e-5, warmup_steps: 0, schedule: "constant" }, 0, 10), 3e-5);
});
