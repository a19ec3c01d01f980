/**
 * The shipped rewards (data/rewards/): each manifest loads through the scorer harness and
 * scores renders with finite values of the right shape, in the direction its card claims; the
 * card's measured numbers meet the bar (no two rewards with Spearman above 0.9).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { MAX_LEVEL } from "../../../../models/rewards/degrade.ts";
import type { AestheticQuality } from "../../../../models/rewards/evaluate.ts";
import type { RewardsMetrics } from "../../../../models/rewards/metrics_file.ts";
import { CaptionPool, drawSample } from "../../../../models/rewards/world_sample.ts";
import { Rng } from "../../../../lib/rng.ts";
import type { Group } from "../../../../schemas/group.ts";
import type { Sample } from "../../../../schemas/sample.ts";
import { encodePng } from "../../../../lib/png.ts";
import { OnnxReward } from "../../../../models/rewards/onnx_reward.ts";
import { ScoreStream } from "../../../../stages/score/score.ts";

const DIR = fileURLToPath(new URL("../../../../data/rewards/", import.meta.url));
const NAMES = ["aesthetic", "alignment", "preference"] as const;

const pool = new CaptionPool("eval");
const mix = {
  pMismatch: 0.5,
  pUnrelated: 0,
  mismatchWeights: {},
  levels: [0, 0, 4],
  kinds: ["noise", "blur"] as ("noise" | "blur")[],
};
const samples = Array.from({ length: 96 }, (_, i) => drawSample(pool, mix, Rng.derive(31337, i)));
const images = samples.map((s) => ({ width: 32, height: 32, rgb: s.image }));
const prompts = samples.map((s) => s.caption);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function meanWhere(scores: Float64Array, keep: (i: number) => boolean): number {
  return mean([...scores].filter((_, i) => keep(i)));
}

for (const name of NAMES) {
  Deno.test(`shipped reward '${name}' loads through its manifest and scores a batch with finite values`, async () => {
    const reward = await OnnxReward.load(`${DIR}${name}.json`, { intraOpNumThreads: 1 });
    try {
      assert.equal(reward.name, name);
      const s = await reward.score(images, prompts);
      assert.equal(s.length, samples.length);
      assert.ok(s.every(Number.isFinite));
      assert.equal((await reward.score(images.slice(0, 1), prompts.slice(0, 1))).length, 1);
      const clean = (i: number) => samples[i]!.level === 0;
      const matched = (i: number) => samples[i]!.mismatch === null;
      if (name === "aesthetic") {
        assert.ok(
          meanWhere(s, clean) > meanWhere(s, (i) => samples[i]!.level === MAX_LEVEL),
          "clean renders should score above heavily degraded ones",
        );
      }
      if (name === "alignment") {
        assert.ok(s.every((p) => p > 0 && p < 1), "the sigmoid output kind gives probabilities");
        assert.ok(meanWhere(s, matched) > meanWhere(s, (i) => !matched(i)) + 0.1);
      }
      if (name === "preference") {
        assert.ok(
          meanWhere(s, (i) => clean(i) && matched(i)) >
            meanWhere(s, (i) => !clean(i) && !matched(i)),
        );
      }
    } finally {
      await reward.close();
    }
  });
}

Deno.test("the three shipped rewards run together through ScoreStream", async () => {
  const models = await Promise.all(
    NAMES.map((n) => OnnxReward.load(`${DIR}${n}.json`, { intraOpNumThreads: 1 })),
  );
  try {
    const groups: Group<Sample>[] = [0, 1, 2].map((g) => ({
      prompt_id: `p${g}`,
      prompt: prompts[g * 16]!,
      rows: samples.slice(g * 16, g * 16 + 16).map((s, i): Sample => ({
        sample_id: `p${g}:${i}`,
        prompt_id: `p${g}`,
        prompt: s.caption,
        sample_index: i,
        seed: i,
        image: { bytes: encodePng(s.image, 32, 32), path: null },
        model_id: "test",
        sampler: "ddim",
        steps: 1,
        guidance: 1,
      })),
    }));
    const out = await Array.fromAsync(
      ReadableStream.from(groups).pipeThrough(new ScoreStream({ rewards: models, batchSize: 20 })),
    );
    assert.deepEqual(out.map((g) => g.rows.length), [16, 16, 16]);
    for (const row of out.flatMap((g) => g.rows)) {
      for (const n of NAMES) {
        assert.ok(Number.isFinite(row[`reward_${n}`]), `${row.sample_id} reward_${n}`);
      }
    }
  } finally {
    for (const m of models) await m.close();
  }
});

Deno.test("the shipped card's measured numbers meet the bar: small files, rewards that partly disagree", async () => {
  const m: RewardsMetrics = JSON.parse(await Deno.readTextFile(`${DIR}metrics.json`));
  for (const n of NAMES) {
    const bytes = (await Deno.stat(`${DIR}${n}.onnx`)).size;
    assert.equal(bytes, m.rewards[n].onnxBytes, `${n}.onnx is the file the card describes`);
    assert.ok(bytes < 5 * 1024 * 1024, `${n}.onnx is ${bytes} bytes`);
  }
  const c = m.correlations.samples ?? m.correlations.proxy!;
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      assert.ok(c.rho[i]![j]! <= 0.9, `${c.names[i]}-${c.names[j]}: ${c.rho[i]![j]}`);
    }
  }
  const card = await Deno.readTextFile(`${DIR}README.md`);
  const rho = (m.rewards.aesthetic.quality as AestheticQuality).spearmanLevel;
  assert.ok(card.includes(`**${rho.toFixed(3)}**`), "the card shows the measured Spearman");
});
