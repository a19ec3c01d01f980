/**
 * Writes a run's report: `<run>/report.md` with its tables, and the figures under
 * `<run>/report/` (each PNG written atomically, report.md last, so a report.md never links a
 * PNG that is not there; figures of an earlier report that this one does not draw are removed
 * after it, e.g. the contact sheets on a rerun with `--no-samples`):
 *
 *     report/win_rates.png             win-rate per reward with its interval, 50% line
 *     report/reward_distributions.png  base vs tuned scores per reward (eval images)
 *     report/pareto_fronts.png         calibrated rewards of a few prompts, selected pairs
 *     report/training.png              loss, implicit accuracy, corr(dR_theta, dR_ca), lr
 *     report/samples_seed<k>.png       contact sheets, base row above tuned row, same seeds
 *
 * Inputs: see run_data.ts. The contact sheets sample both models again (onnxruntime, loaded
 * only then); `contactSheets: false` skips them.
 */
import { join } from "node:path";
import type { SamplerPair } from "./model_samplers.ts";
import { readEvalPrompts } from "../../stages/evaluate/eval_inputs.ts";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { logger } from "../../lib/log.ts";
import { baseTunedSheets } from "./contact_sheets.ts";
import { paretoFronts, pickFronts, rewardHistograms, trainingCurves, winRates } from "./figures.ts";
import { formatRunReport, type ReportFiles } from "./markdown.ts";
import { type Figure, figurePng } from "./plot.ts";
import { field, readRunData, type RunData } from "./run_data.ts";

const log = logger("report");

export interface RunReportOptions {
  /** Sample base vs tuned contact sheets. @default {true} */
  contactSheets?: boolean;
  /** Prompts per contact sheet. @default {8} */
  contactPrompts?: number;
  /** Contact sheets (seed indices). @default {2} */
  contactSeeds?: number;
  /** Prompts in the Pareto figure. @default {4} */
  paretoPrompts?: number;
  /** The run's config (a `RunConfig`); read from `<run>/config.json` when omitted. */
  config?: unknown;
  /** Opens the two models for sampling. @default {onnxruntime, pipeline/report/model_samplers.ts} */
  openSamplers?: (base: string, tuned: string) => Promise<SamplerPair>;
}

export interface RunReportResult {
  /** The report.md written. */
  path: string;
  /** Every PNG written, as paths. */
  pngs: string[];
  /** Figures of an earlier report that this one did not write, removed, as paths. */
  removed: string[];
}

/** The eval prompts: eval.json's own list, else the config's prompt file (older eval.json). */
async function evalPrompts(d: RunData): Promise<string[]> {
  if (d.eval.per_image) return d.eval.per_image.prompts;
  const path = field(d.config, "evaluate", "prompts");
  const max = field(d.config, "evaluate", "max_prompts");
  if (typeof path !== "string") {
    throw new TypeError(
      `Cannot find the eval prompts of ${d.runDir}: eval.json has no per_image list and ` +
        "config.json no evaluate.prompts",
    );
  }
  const prompts = await readEvalPrompts(path, typeof max === "number" ? max : null);
  if (prompts.length !== d.eval.prompts) {
    throw new RangeError(
      `Cannot match the eval prompts of ${path} with eval.json: ${prompts.length} prompts, ` +
        `eval.json evaluated ${d.eval.prompts}`,
    );
  }
  return prompts;
}

export async function writeRunReport(
  runDir: string,
  opts: RunReportOptions = {},
): Promise<RunReportResult> {
  const d = await readRunData(runDir, opts.config);
  const outDir = join(runDir, "report");
  await Deno.mkdir(outDir, { recursive: true });
  const pngs: string[] = [];
  const save = async (name: string, png: Uint8Array): Promise<string> => {
    await writeFileAtomic(join(outDir, name), png);
    pngs.push(join(outDir, name));
    return `report/${name}`;
  };
  const draw = async (name: string, fig: Figure | null) =>
    fig === null ? null : await save(name, figurePng(fig));
  const notes: string[] = [];
  if (!d.eval.per_image) {
    notes.push(
      `${join(runDir, "eval", "eval.json")} keeps no per-image scores (it was written before ` +
        "they were kept), so the reward distributions are not drawn: re-run the evaluation " +
        "(deno task run resumes and redoes it) to get them.",
    );
  }
  const picked = pickFronts(d.fronts, opts.paretoPrompts ?? 4);
  const files: ReportFiles = {
    winRates: await draw("win_rates.png", winRates(d.eval)),
    rewardHistograms: await draw("reward_distributions.png", rewardHistograms(d.eval)),
    paretoFronts: await draw("pareto_fronts.png", paretoFronts(d.rewards, picked)),
    paretoPrompts: picked.map((f) => f.prompt),
    training: await draw("training.png", trainingCurves(d.trainLog)),
    contactSheets: [],
    contactPrompts: [],
    notes,
  };
  if (opts.contactSheets ?? true) {
    const prompts = await evalPrompts(d);
    const open = opts.openSamplers ??
      (await import("./model_samplers.ts")).openModelSamplers;
    const models = await open(d.eval.base, d.eval.tuned);
    try {
      const sheets = await baseTunedSheets(models.base, models.tuned, {
        prompts,
        seedsPerPrompt: d.eval.seeds_per_prompt,
        seedBase: d.eval.sampling.seed_base,
        steps: d.eval.sampling.steps,
        guidance: d.eval.sampling.guidance,
        ...(d.eval.per_image ? { perImage: d.eval.per_image } : {}),
      }, { prompts: opts.contactPrompts ?? 8, seeds: opts.contactSeeds ?? 2 });
      for (const s of sheets) {
        const file = await save(`samples_seed${s.seedIndex}.png`, s.png);
        files.contactSheets.push({
          file,
          seedIndex: s.seedIndex,
          judged: s.judged,
          agreed: s.agreed,
        });
        files.contactPrompts = s.prompts;
        if (s.agreed !== s.judged) {
          log.warn(
            `contact sheet ${file}: ShapeEval verdicts agree with eval.json on ${s.agreed} of ` +
              `${s.judged} images; the models or sampling differ from the evaluation's`,
          );
        }
      }
    } finally {
      await models.release();
    }
  }
  const path = join(runDir, "report.md");
  await writeFileAtomic(path, formatRunReport(d, files));
  // After report.md, which no longer links them: an earlier report's figures that this one did
  // not draw (contact sheets after --no-samples or fewer --seeds, a figure without data now).
  const removed = await removeStaleFigures(outDir, pngs);
  log.info(`report written to ${path}`, { pngs: pngs.length, removed: removed.length });
  return { path, pngs, removed };
}

/** The PNG names this module writes into report/; any other file there is left alone. */
const FIGURE_FILE =
  /^(win_rates|reward_distributions|pareto_fronts|training|samples_seed\d+)\.png$/;

/** Removes report figures in `outDir` not among `kept`; returns their paths. */
async function removeStaleFigures(outDir: string, kept: readonly string[]): Promise<string[]> {
  const keep = new Set(kept);
  const stale: string[] = [];
  for await (const e of Deno.readDir(outDir)) {
    const path = join(outDir, e.name);
    if (e.isFile && FIGURE_FILE.test(e.name) && !keep.has(path)) stale.push(path);
  }
  for (const p of stale.sort()) await Deno.remove(p);
  return stale;
}
