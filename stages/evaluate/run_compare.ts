/**
 * `capo compare`'s work: score the base and every cell's models on the same prompts and seeds
 * (ModelDirScorer: each model once, from the cache when it was scored on the same inputs
 * before), then the paired statistics (compare_cells.ts), and the report.
 */
import { compareCells } from "./compare_cells.ts";
import { checkCompare, type CompareOptions } from "./compare_options.ts";
import { type CompareReport, writeCompareReport } from "./compare_report.ts";
import { findRewardManifests, readEvalPrompts } from "./eval_inputs.ts";
import { ModelDirScorer } from "./model_dir_scorer.ts";
import type { ModelScores } from "./model_scores.ts";

export async function runCompare(o: CompareOptions, out: string | null): Promise<CompareReport> {
  checkCompare(o, "capo compare");
  const e = o.evaluate;
  const prompts = await readEvalPrompts(e.prompts, e.max_prompts);
  const manifests = e.rewards ?? await findRewardManifests();
  const scorer = await ModelDirScorer.create(manifests, {
    prompts,
    seedsPerPrompt: e.seeds_per_prompt,
    seedBase: e.seed_base,
    steps: e.steps,
    guidance: e.guidance,
    shapeEval: e.shapeeval,
  }, { chunk: e.chunk, cacheDir: e.cache ? o.cache_dir : null });
  let base: ModelScores;
  const cells: Record<string, ModelScores[]> = {};
  try {
    base = await scorer.scores(o.base, "base");
    for (const [name, dirs] of Object.entries(o.cells)) {
      cells[name] = [];
      for (const [s, dir] of dirs.entries()) {
        cells[name].push(await scorer.scores(dir, dirs.length > 1 ? `${name} seed ${s}` : name));
      }
    }
  } finally {
    await scorer.close();
  }
  const result = compareCells(base, cells, {
    comparisons: o.comparisons,
    metrics: o.metrics,
    statistic: o.statistic,
    alpha: o.alpha,
    resamples: e.resamples,
    level: e.level,
    seed: e.seed,
  });
  const report: CompareReport = {
    ...result,
    base: o.base,
    cells_models: o.cells,
    sampling: {
      prompts_file: e.prompts,
      steps: e.steps,
      guidance: e.guidance,
      seed_base: e.seed_base,
    },
    resamples: e.resamples,
    level: e.level,
  };
  if (out !== null) await writeCompareReport(out, report);
  return report;
}
