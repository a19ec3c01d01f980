/**
 * `capo reproduce` arguments -> ReproduceOptions (less the signal). Pure, so its errors are
 * tested without running anything.
 */
import { parseFlags } from "../../lib/parse_flags.ts";
import { type BaseName, BASES, DEFAULT_MODELS } from "./bases.ts";
import { type Size, SIZES } from "./cell_config.ts";
import { reproduceCells, type SumVariant } from "./cells.ts";
import type { ReproduceOptions } from "./runner.ts";

export const REPRODUCE_USAGE = `usage: capo reproduce [--base eps|flow|both] [--size default|small]
                      [--only CELL,...] [--eps-model DIR] [--flow-model DIR]
                      [--sum raw|calibrated] [--seeds S] [--out DIR] [--report-only]
                      [--plan FILE]

The paper's two tables at our scale, per base (epsilon and flow):
  single reward: DPO, IPO, CaPO x aesthetic, alignment, preference (9 cells);
  multi-reward:  SUM, SOUP, FRS x DPO, IPO, CaPO (9 cells);
  plus ShapeEval of the base vs CaPO+FRS.
Generate + score run once per base (<out>/<base>/upstream), then every cell runs
calibrate, select, train and evaluate in <out>/<base>/<cell>/ (config.json reruns it alone).
Finished cells are skipped; <out>/reproduce.{md,json} is rewritten after every cell.

  --base        bases to run (default both); a missing base model is reported, not faked
  --size        'default': the default run's sizes (hours); 'small': 32 prompts x N 8,
                16 eval prompts x 1 seed, to check the machinery (~1 min per cell)
  --only        cells to run, e.g. single-aesthetic-capo,frs-capo,soup-capo
  --eps-model   eps base model directory (default ${DEFAULT_MODELS.eps})
  --flow-model  flow base model directory (default ${DEFAULT_MODELS.flow})
  --sum         SUM selects by the sum of 'raw' (default) or 'calibrated' rewards
  --seeds       training seeds per cell (default 1): seed s offsets select.seed and train.seed
                (pair draws, data order, timesteps, noise) and runs in <cell>-seed<s>/; the
                report aggregates the seeds, its intervals over prompts and training seeds
  --out         output directory (default runs/reproduce; runs/reproduce-small for --size small)
  --report-only regenerate the report from the cells on disk, run nothing
  --plan        a frozen plan (docs/reproduce/plan.json): its seeds, evaluation, each loss's
                tuned settings per base, extra FRS cells for this project's variants, and the
                declared comparisons, run (Holm-corrected) once every cell of a base is done;
                not with --size small or --seeds (the plan fixes them)`;

export type ParsedOptions =
  | (Omit<ReproduceOptions, "signal" | "plan"> & { planFile: string | null })
  | "help";

const bad = (flag: string, want: string, v: unknown) =>
  new TypeError(
    `Cannot use ${flag} as it must be ${want}: current value is ${JSON.stringify(v)}`,
  );

export function parseReproduceArgs(args: readonly string[]): ParsedOptions {
  const { values, positionals } = parseFlags("capo reproduce", {
    args: [...args],
    options: {
      base: { type: "string", default: "both" },
      size: { type: "string", default: "default" },
      only: { type: "string" },
      "eps-model": { type: "string", default: DEFAULT_MODELS.eps },
      "flow-model": { type: "string", default: DEFAULT_MODELS.flow },
      sum: { type: "string", default: "raw" },
      seeds: { type: "string" },
      plan: { type: "string" },
      out: { type: "string" },
      "report-only": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) return "help";
  if (positionals.length > 0) {
    throw new TypeError(
      `Cannot use argument '${positionals[0]}' as capo reproduce takes no positional arguments`,
    );
  }
  const base = values.base;
  if (base !== "both" && !(BASES as readonly string[]).includes(base)) {
    throw bad("--base", `one of 'eps', 'flow', 'both'`, base);
  }
  if (!(SIZES as readonly string[]).includes(values.size)) {
    throw bad("--size", SIZES.map((s) => `'${s}'`).join(" or "), values.size);
  }
  if (values.sum !== "raw" && values.sum !== "calibrated") {
    throw bad("--sum", "'raw' or 'calibrated'", values.sum);
  }
  const seeds = Number(values.seeds ?? "1");
  if (!Number.isInteger(seeds) || seeds < 1 || (values.seeds ?? "1").trim() === "") {
    throw bad("--seeds", "an integer >= 1", values.seeds);
  }
  const plan = values.plan ?? null;
  if (plan !== null && (values.seeds !== undefined || values.size !== "default")) {
    throw new TypeError(
      "Cannot use --plan with --seeds or --size small as the plan fixes the seeds and sizes",
    );
  }
  const size = values.size as Size;
  const sum: SumVariant = values.sum === "raw" ? "sum-raw" : "sum-calibrated";
  let only: string[] | null = null;
  if (values.only !== undefined) {
    only = values.only.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (only.length === 0) throw bad("--only", "a comma-separated list of cells", values.only);
    const names = reproduceCells(sum).map((c) => c.name);
    for (const n of only) {
      // A plan's variant cells (frs-<trainer>) are checked against the plan when it is read.
      if (!names.includes(n) && !(plan !== null && n.startsWith("frs-"))) {
        throw new RangeError(
          `Cannot use --only cell '${n}' as it is not a cell: cells are ${names.join(", ")}`,
        );
      }
    }
  }
  for (const flag of ["eps-model", "flow-model", "out"] as const) {
    if (values[flag] === "") throw bad(`--${flag}`, "a directory", "");
  }
  return {
    size,
    bases: base === "both" ? [...BASES] : [base as BaseName],
    models: { eps: values["eps-model"], flow: values["flow-model"] },
    only,
    out: values.out ?? (size === "small" ? "runs/reproduce-small" : "runs/reproduce"),
    sum,
    seeds,
    reportOnly: values["report-only"],
    planFile: plan,
  };
}
