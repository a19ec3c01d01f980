import assert from "node:assert/strict";
import { compareModels, type ImageSampler } from "../../../stages/evaluate/compare_models.ts";
import { formatEvalSection } from "../../../stages/evaluate/eval_report.ts";
import { Rng } from "../../../lib/rng.ts";
import { evaluateImage, layoutFor, parseCaption, renderScene } from "../../../shapeworld/mod.ts";
import { TsReward } from "../../../models/rewards/ts_reward.ts";

const BLANK = new Uint8Array(32 * 32 * 3).fill(255);
const render = (prompt: string, seed: number) =>
  renderScene(layoutFor(parseCaption(prompt), new Rng(seed)));

/** Draws from (prompt, seed) and records every request. */
class FakeSampler implements ImageSampler {
  readonly config = { imageSize: 32 };
  readonly requests: { prompts: readonly string[]; seeds: readonly number[] }[] = [];
  constructor(readonly draw: (prompt: string, seed: number) => Uint8Array) {}
  sample(req: { prompts: readonly string[]; seeds: readonly number[] }) {
    this.requests.push({ prompts: req.prompts, seeds: req.seeds });
    return Promise.resolve(req.prompts.map((p, i) => this.draw(p, req.seeds[i]!)));
  }
}

const PROMPTS = ["a red circle", "two blue squares", "a green triangle above a yellow square"];
// base: a correct render on even seeds, a blank image on odd ones; tuned: always correct.
const base = () => new FakeSampler((p, s) => (s % 2 === 0 ? render(p, s) : BLANK));
const tuned = () => new FakeSampler((p, s) => render(p, s));
const REWARDS = [
  new TsReward("correct", (img, p) => (evaluateImage(p, img.rgb).correct ? 1 : 0)),
  new TsReward("blank", (img) => (img.rgb.every((v) => v === 255) ? 1 : 0)),
];

// With 4 seeds per prompt (seed_base even): seeds k = 0, 2 tie, k = 1, 3 differ.
//   correct: tuned wins on odd seeds -> (2 * 1 + 2 * 0.5) / 4 = 0.75 on every prompt
//   blank:   tuned loses on odd seeds -> (2 * 0 + 2 * 0.5) / 4 = 0.25 on every prompt
Deno.test("compareModels() gives the hand-computed win-rates, ties counting half", async () => {
  const b = base(), t = tuned();
  const r = await compareModels(b, t, REWARDS, PROMPTS, { chunk: 5, resamples: 200 });
  assert.equal(r.images, 12);
  const [correct, blank] = r.rewards;
  assert.deepEqual(
    [correct!.win_rate.estimate, correct!.wins, correct!.ties, correct!.losses],
    [0.75, 6, 6, 0],
  );
  assert.deepEqual([correct!.win_rate.low, correct!.win_rate.high], [0.75, 0.75]);
  assert.deepEqual([correct!.mean_base, correct!.mean_tuned], [0.5, 1]);
  assert.deepEqual([blank!.win_rate.estimate, blank!.wins, blank!.ties, blank!.losses], [
    0.25,
    0,
    6,
    6,
  ]);
  assert.deepEqual([blank!.mean_base, blank!.mean_tuned], [0.5, 0]);
  assert.equal(r.shapeeval!.tuned.overall, 1);
  assert.equal(r.shapeeval!.base.overall, 0.5);
  assert.equal(r.shapeeval!.win_rate.estimate, 0.75);
});

Deno.test("compareModels() keeps every image's seed, reward scores and correctness", async () => {
  const r = await compareModels(base(), tuned(), REWARDS, PROMPTS.slice(0, 2), {
    seedsPerPrompt: 2,
    seedBase: 10,
    chunk: 3,
    resamples: 10,
  });
  const p = r.per_image;
  assert.deepEqual(p.prompts, PROMPTS.slice(0, 2));
  assert.deepEqual(p.seeds, [10, 11, 12, 13]);
  // base is correct on even seeds and blank on odd ones; tuned is always correct
  assert.deepEqual(p.base, { correct: [1, 0, 1, 0], blank: [0, 1, 0, 1] });
  assert.deepEqual(p.tuned, { correct: [1, 1, 1, 1], blank: [0, 0, 0, 0] });
  assert.deepEqual(p.correct, {
    base: [true, false, true, false],
    tuned: [true, true, true, true],
  });
  const off = await compareModels(base(), tuned(), REWARDS, PROMPTS.slice(0, 1), {
    seedsPerPrompt: 1,
    shapeEval: false,
    resamples: 10,
  });
  assert.equal(off.per_image.correct, null);
});

Deno.test("compareModels() samples both models on the same prompts and seeds", async () => {
  const b = base(), t = tuned();
  await compareModels(b, t, [], PROMPTS, {
    seedsPerPrompt: 2,
    seedBase: 10,
    chunk: 4,
    resamples: 10,
  });
  assert.deepEqual(b.requests, t.requests);
  assert.deepEqual(b.requests.flatMap((q) => q.seeds), [10, 11, 12, 13, 14, 15]);
  assert.deepEqual(b.requests.map((q) => q.seeds.length), [4, 2]);
});

/** A copy of a render whose first byte marks it (the "marked" reward reads it). */
const marked = (p: string, s: number) => {
  const img = render(p, s).slice();
  img[0] = 7;
  return img;
};
const MARKED = new TsReward("marked", (img) => (img.rgb[0] === 7 ? 1 : 0));

Deno.test("the bootstrap resamples prompts: per-prompt win-rates 1, 0.5, 0.5", async () => {
  // tuned is marked (wins) on both seeds of the first prompt only
  const t = new FakeSampler((p, s) => (p === PROMPTS[0] ? marked(p, s) : render(p, s)));
  const r = await compareModels(base(), t, [MARKED], PROMPTS, { seedsPerPrompt: 2 });
  const ci = r.rewards[0]!.win_rate;
  // means of 3 prompts drawn from {1, 0.5, 0.5}: 0.5 w.p. 8/27, 1 w.p. 1/27
  assert.ok(Math.abs(ci.estimate - 2 / 3) < 1e-12);
  assert.equal(ci.low, 0.5);
  assert.ok(ci.high > 0.83 && ci.high <= 1, JSON.stringify(ci));
});

Deno.test("wins and losses that cancel within every prompt give a point interval", async () => {
  // every prompt: seed 0 tuned marked (a win), seed 1 base marked (a loss) -> 0.5 per prompt;
  // resampling items instead of prompts would give a wide interval here
  const b = new FakeSampler((p, s) => (s % 2 === 1 ? marked(p, s) : render(p, s)));
  const t = new FakeSampler((p, s) => (s % 2 === 0 ? marked(p, s) : render(p, s)));
  const r = await compareModels(b, t, [MARKED], PROMPTS, { seedsPerPrompt: 2 });
  const c = r.rewards[0]!;
  assert.deepEqual([c.wins, c.ties, c.losses], [3, 0, 3]);
  assert.deepEqual([c.win_rate.low, c.win_rate.estimate, c.win_rate.high], [0.5, 0.5, 0.5]);
});

Deno.test("formatEvalSection() shows percentages, the interval and both ShapeEval rows", async () => {
  const r = await compareModels(base(), tuned(), REWARDS, PROMPTS, { resamples: 50 });
  const md = formatEvalSection({ ...r, base: "base-dir", tuned: "tuned-dir" });
  assert.match(md, /\| correct \| 75\.0 \[75\.0, 75\.0\] \| 6 \/ 6 \/ 0 \| 0\.5000 \| 1\.000 \|/);
  assert.match(md, /\| blank \| 25\.0 \[25\.0, 25\.0\] \| 0 \/ 6 \/ 6 \|/);
  assert.match(md, /\| base \| 0\.50 \|/);
  assert.match(md, /\| tuned \| 1\.00 \|/);
  assert.match(md, /3 prompts x 4 seeds \(12 images per model/);
});

Deno.test("compareModels() rejects no prompts, a duplicate reward and mismatched sizes", async () => {
  await assert.rejects(compareModels(base(), tuned(), [], []), /no prompts/);
  await assert.rejects(
    compareModels(base(), tuned(), [REWARDS[0]!, REWARDS[0]!], PROMPTS),
    /reward 'correct' twice/,
  );
  const small = new FakeSampler(() => new Uint8Array(16 * 16 * 3));
  Object.assign(small, { config: { imageSize: 16 } });
  await assert.rejects(compareModels(base(), small, [], PROMPTS), /different image sizes/);
});
