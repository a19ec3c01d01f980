/**
 * Reward scoring throughput: images scored per second by each shipped reward (data/rewards/)
 * through the scorer harness (OnnxReward: tensor packing, tokens, onnxruntime), batch 64, on
 * one onnxruntime thread; then all of them together through ScoreStream, PNG decoding
 * included, as the pipeline's scorer stage runs them. Run alone with
 * `deno run -A bench/score_bench.ts`, or from bench/mod.ts through `benchScore()`.
 */
import { join } from "node:path";
import { Rng } from "../lib/rng.ts";
import type { Group } from "../schemas/group.ts";
import type { Sample } from "../schemas/sample.ts";
import { encodePng, layoutFor, loadPrompts, parseCaption, renderScene } from "../shapeworld/mod.ts";
import { OnnxReward } from "../models/rewards/onnx_reward.ts";
import type { RgbImage } from "../models/rewards/reward_model.ts";
import { ScoreStream } from "../stages/score/score.ts";

const REWARDS_DIR = new URL("../data/rewards/", import.meta.url).pathname;
const BATCH = 64;
const NAMES = ["aesthetic", "alignment", "preference"];

/** Images per second of `score` over whole batches, for at least `minMs` after a warm-up. */
async function imagesPerSecond(
  score: (i: number) => Promise<number>,
  minMs = 2000,
): Promise<number> {
  for (let i = 0; i < 3; i++) await score(i);
  let images = 0;
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < minMs; i++) images += await score(i);
  return (images / (performance.now() - t0)) * 1000;
}

export async function benchScore(): Promise<void> {
  // 1. eval prompts, one render each
  const prompts = loadPrompts("eval").slice(0, 8 * BATCH);
  const images: RgbImage[] = prompts.map((p, i) => ({
    width: 32,
    height: 32,
    rgb: renderScene(layoutFor(parseCaption(p), Rng.derive(11, i))),
  }));
  const nBatches = Math.floor(prompts.length / BATCH);
  const slice = <T>(xs: T[], i: number) =>
    xs.slice((i % nBatches) * BATCH, (i % nBatches + 1) * BATCH);
  // 2. each reward alone
  const models: OnnxReward[] = [];
  const rows: [string, number][] = [];
  try {
    for (const name of NAMES) {
      const m = await OnnxReward.load(join(REWARDS_DIR, `${name}.json`), {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
      });
      models.push(m);
      rows.push([
        name,
        await imagesPerSecond(async (i) =>
          (await m.score(slice(images, i), slice(prompts, i))).length
        ),
      ]);
    }
    // 3. all rewards through the scorer stage, from PNG sample records, groups of 16
    const samples: Sample[] = images.map((img, i) => ({
      sample_id: `p${Math.floor(i / 16)}:${i % 16}`,
      prompt_id: `p${Math.floor(i / 16)}`,
      prompt: prompts[i]!,
      sample_index: i % 16,
      seed: i,
      image: { bytes: encodePng(img.rgb, 32, 32), path: null },
      model_id: "bench",
      sampler: "ddim",
      steps: 1,
      guidance: 1,
    }));
    const groups: Group<Sample>[] = [];
    for (let g = 0; g < samples.length / 16; g++) {
      const rowsOf = samples.slice(g * 16, (g + 1) * 16);
      groups.push({ prompt_id: rowsOf[0]!.prompt_id, prompt: rowsOf[0]!.prompt, rows: rowsOf });
    }
    const stage = await imagesPerSecond(async () => {
      const out = await Array.fromAsync(
        ReadableStream.from(groups).pipeThrough(
          new ScoreStream({ rewards: models, batchSize: BATCH }),
        ),
      );
      return out.reduce((s, g) => s + g.rows.length, 0);
    });
    rows.push([`all ${NAMES.length} via ScoreStream (PNG decode included)`, stage]);
  } finally {
    for (const m of models) await m.close();
  }
  console.log(`## Reward scoring (images per second, batch ${BATCH}, one onnxruntime thread)\n`);
  console.log("| reward | images per second |\n|---|---:|");
  for (const [name, r] of rows) console.log(`| ${name} | ${Math.round(r)} |`);
}

if (import.meta.main) await benchScore();
