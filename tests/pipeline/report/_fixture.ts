/**
 * A small synthetic finished run for the report tests, without onnxruntime: calibrate and
 * select shards written through StageStore (so manifests and checksums are real), a training
 * log, and an eval.json from compareModels on ShapeWorld renders with TypeScript rewards.
 */
import { join } from "node:path";
import { compareModels, type ImageSampler } from "../../../stages/evaluate/compare_models.ts";
import { writeEvalReport } from "../../../stages/evaluate/eval_report.ts";
import { logger } from "../../../lib/log.ts";
import { Rng } from "../../../lib/rng.ts";
import { StageStore } from "../../../pipeline/stage_store.ts";
import type { RowCodec } from "../../../schemas/stage_spec.ts";
import { calibratedSchema } from "../../../schemas/calibrated.ts";
import { pairSchema } from "../../../schemas/pair.ts";
import { evaluateImage, layoutFor, parseCaption, renderScene } from "../../../shapeworld/mod.ts";
import { TsReward } from "../../../models/rewards/ts_reward.ts";
import type { SamplerPair } from "../../../pipeline/report/model_samplers.ts";

export const REWARDS = ["aesthetic", "alignment", "preference"];
export const EVAL_PROMPTS = ["a red circle", "two blue squares", "a green triangle"];
export const TRAIN_PROMPTS = ["a red square", "a blue circle", "two green circles"];
const N = 6;
const W = { index: 0, count: 1 };

const BLANK = new Uint8Array(32 * 32 * 3).fill(255);
const render = (prompt: string, seed: number) =>
  renderScene(layoutFor(parseCaption(prompt), new Rng(seed)));

/** base: a correct render on even seeds, a blank image on odd ones; tuned: always correct. */
export class FakeSampler implements ImageSampler {
  readonly config = { imageSize: 32 };
  constructor(readonly tuned: boolean) {}
  sample(req: { prompts: readonly string[]; seeds: readonly number[] }) {
    return Promise.resolve(
      req.prompts.map((p, i) => {
        const s = req.seeds[i]!;
        return this.tuned || s % 2 === 0 ? render(p, s) : BLANK;
      }),
    );
  }
}

export const fakeSamplers = (): Promise<SamplerPair> =>
  Promise.resolve({
    base: new FakeSampler(false),
    tuned: new FakeSampler(true),
    release: () => Promise.resolve(),
  });

async function writeStage<T>(
  runDir: string,
  name: string,
  schema: RowCodec<T>,
  groups: { prompt_id: string; prompt: string; rows: T[] }[],
): Promise<void> {
  const id = { name, config: {}, configHash: name, upstreamHash: null, stageHash: name };
  const store = await StageStore.open(runDir, id, schema, W, logger("test"));
  await store.writeShard(groups);
  await store.markComplete();
}

/** Writes the synthetic run into `runDir`; `withPerImage: false` writes an older eval.json. */
export async function writeRun(
  runDir: string,
  opts: { withPerImage?: boolean } = {},
): Promise<void> {
  await Deno.mkdir(runDir, { recursive: true });
  const config = {
    name: "synthetic",
    prompts: { path: "train.txt", limit: 3 },
    generate: { model: "base-dir", n: N, steps: 5, guidance: 4, seed: 0 },
    calibrate: { tau: {} },
    select: { method: "frs", pairs_per_prompt: 1, max_retries: 8 },
    train: { model: "base-dir", loss: "capo", beta: 500, lr: 1e-5, batch_pairs: 2, epochs: 2 },
    evaluate: { prompts: "eval.txt", max_prompts: null },
  };
  await Deno.writeTextFile(join(runDir, "config.json"), JSON.stringify(config));
  // calibrate: N samples per prompt with seeded Rca vectors; select: sample 0 beats sample 1
  const rng = new Rng(7);
  const cal = TRAIN_PROMPTS.map((prompt, p) => ({
    prompt_id: `p${p}`,
    prompt,
    rows: Array.from({ length: N }, (_, i) => ({
      sample_id: `p${p}:${i}`,
      prompt_id: `p${p}`,
      prompt,
      sample_index: i,
      seed: 100 * p + i,
      ...Object.fromEntries(REWARDS.map((r) => [`reward_${r}`, rng.next()])),
      ...Object.fromEntries(
        REWARDS.map((r) => [`rca_${r}`, i === 0 ? 0.9 : i === 1 ? 0.1 : rng.next()]),
      ),
    })),
  }));
  await writeStage(runDir, "calibrate", calibratedSchema(REWARDS) as RowCodec<unknown>, cal);
  const pairs = TRAIN_PROMPTS.map((prompt, p) => ({
    prompt_id: `p${p}`,
    prompt,
    rows: p === 2 ? [] : [{
      pair_id: `p${p}:0`,
      prompt_id: `p${p}`,
      prompt,
      pair_index: 0,
      winner_id: `p${p}:0`,
      loser_id: `p${p}:1`,
      winner_index: 0,
      loser_index: 1,
      target_winner: 0.9,
      target_loser: 0.1,
      delta: 0.8,
      method: "frs",
      ...Object.fromEntries(REWARDS.map((r) => [`rca_winner_${r}`, 0.9])),
      ...Object.fromEntries(REWARDS.map((r) => [`rca_loser_${r}`, 0.1])),
    }],
  }));
  await writeStage(runDir, "select", pairSchema(REWARDS) as RowCodec<unknown>, pairs);
  // training log: 12 steps
  await Deno.mkdir(join(runDir, "train"), { recursive: true });
  const log = Array.from({ length: 12 }, (_, i) => ({
    step: i + 1,
    loss: 1 / (i + 1),
    accuracy: 0.5 + i / 30,
    correlation: i === 3 ? null : i / 12,
    lr: 1e-5 * Math.min(1, (i + 1) / 4),
    grad_norm: 1,
    dr_theta: 0,
    dr_ca: 0.5,
    w: 1,
    seconds: 0.1,
    // issue #19's diagnostics: the backward share every step, a probe every 4 steps
    backward: i < 6 ? 0.1 : 0.3,
    ...((i + 1) % 4 === 0
      ? {
        probe_var: 0.01 * (i + 1),
        probe_bias2: 0.02,
        probe_sq: 0.02 + 0.01 * (i + 1),
        probe_pairs: 2,
        probe_seconds: 0.05,
      }
      : {}),
  }));
  await Deno.writeTextFile(
    join(runDir, "train", "log.jsonl"),
    log.map((m) => JSON.stringify(m) + "\n").join(""),
  );
  // eval.json
  const rewards = [
    new TsReward("correct", (img, p) => (evaluateImage(p, img.rgb).correct ? 1 : 0)),
    new TsReward("ink", (img) => img.rgb.reduce((a, v) => a + (255 - v), 0) / img.rgb.length),
  ];
  const r = await compareModels(
    new FakeSampler(false),
    new FakeSampler(true),
    rewards,
    EVAL_PROMPTS,
    {
      seedsPerPrompt: 2,
      seedBase: 10,
      steps: 5,
      resamples: 50,
    },
  );
  const { per_image, ...rest } = r;
  await writeEvalReport(
    join(runDir, "eval"),
    {
      ...(opts.withPerImage === false ? rest : r),
      ...(opts.withPerImage === false ? {} : { per_image }),
      base: "base-dir",
      tuned: "tuned-dir",
    } as Parameters<typeof writeEvalReport>[1],
  );
}
