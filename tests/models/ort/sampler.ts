import assert from "node:assert/strict";
import { Sampler } from "../../../models/sampler.ts";
import { randomWeights, tinyConfig } from "../_tiny.ts";

const equal = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

for (const p of ["eps", "flow"] as const) {
  Deno.test(`sampling is deterministic per seed, whatever the batch (${p})`, async () => {
    const cfg = tinyConfig(p);
    const s = await Sampler.create(cfg, randomWeights(cfg, 11, 0.1), {
      intraOpThreads: 1,
      maxBatch: 2,
    });
    try {
      const prompts = ["a red circle", "two blue circles", "a red circle"];
      const a = await s.sample({ prompts, seeds: [5, 6, 7], steps: 4, guidance: 3 });
      assert.equal(a.length, 3);
      assert.equal(a[0]!.length, 16 * 16 * 3);
      const b = await s.sample({ prompts: ["a red circle"], seeds: [5], steps: 4, guidance: 3 });
      assert.ok(equal(a[0]!, b[0]!), "same seed and prompt, alone or in a batch: same bytes");
      assert.ok(!equal(a[0]!, a[2]!), "same prompt, different seed: different bytes");
      const c = await s.sample({ prompts: ["a red circle"], seeds: [5], steps: 4, guidance: 1 });
      assert.ok(!equal(a[0]!, c[0]!), "guidance changes the image");
      if (p === "eps") {
        const opts = { steps: 4, guidance: 3, eta: 1 };
        const d = await s.sample({
          prompts: ["a red circle", "a red circle"],
          seeds: [5, 5],
          ...opts,
        });
        const e = await s.sample({ prompts: ["a red circle"], seeds: [5], ...opts });
        assert.ok(
          equal(d[0]!, e[0]!) && equal(d[0]!, d[1]!),
          "eta > 0 stays deterministic per seed",
        );
        assert.ok(!equal(d[0]!, a[0]!), "eta > 0 changes the image");
      }
    } finally {
      await s.release();
    }
  });
}

Deno.test("sampling a prompt with unknown words reports them and still returns an image", async () => {
  const cfg = tinyConfig("flow");
  const seen: [string, string[]][] = [];
  const s = await Sampler.create(cfg, randomWeights(cfg, 12, 0.1), {
    intraOpThreads: 1,
    onUnknownWords: (prompt, words) => seen.push([prompt, words]),
  });
  try {
    const out = await s.sample({
      prompts: ["a zebra circle", "a red circle"],
      seeds: [1, 2],
      steps: 2,
    });
    assert.equal(out.length, 2);
    assert.deepEqual(seen, [["a zebra circle", ["zebra"]]]);
  } finally {
    await s.release();
  }
});

Deno.test("sample() rejects mismatched seeds and bad steps with a clear error", async () => {
  const cfg = tinyConfig("eps");
  const s = await Sampler.create(cfg, randomWeights(cfg, 13), { intraOpThreads: 1 });
  try {
    await assert.rejects(s.sample({ prompts: ["a"], seeds: [] }), /seeds must match prompts/);
    await assert.rejects(
      s.sample({ prompts: ["a"], seeds: [1], steps: 0 }),
      /steps must be a positive integer/,
    );
  } finally {
    await s.release();
  }
});
