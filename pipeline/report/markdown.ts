/**
 * report.md: the run's configuration and stage counts as tables, the evaluation section
 * (stages/evaluate/eval_report.ts `formatEvalSection`, with ShapeEval's table), and the figures and
 * contact sheets, linked relative to the report (`report/<name>.png`).
 */
import { basename } from "node:path";
import { formatEvalSection } from "../../stages/evaluate/eval_report.ts";
import { field, type RunData } from "./run_data.ts";
import type { ImportedSamples } from "./sample_origin.ts";

/** The PNGs written for the report, relative to the run directory (null: not drawn). */
export interface ReportFiles {
  winRates: string | null;
  rewardHistograms: string | null;
  paretoFronts: string | null;
  /** The prompts of the Pareto panels, in panel order. */
  paretoPrompts: string[];
  training: string | null;
  contactSheets: { file: string; seedIndex: number; judged: number; agreed: number }[];
  /** The prompts on the contact sheets. */
  contactPrompts: string[];
  /** Why something is missing, shown to the reader. */
  notes: string[];
}

const show = (v: unknown): string =>
  v === undefined || v === null ? "-" : typeof v === "object" ? JSON.stringify(v) : String(v);
const code = (v: unknown) => (v === undefined || v === null ? "-" : `\`${show(v)}\``);
const img = (alt: string, file: string | null) => (file === null ? [] : [`![${alt}](${file})`, ""]);
const mean = (xs: readonly (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
};
const fix = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "-");

function configTable(d: RunData): string[] {
  const c = d.config;
  const f = (...p: string[]) => field(c, ...p);
  const promptsStage = d.stages.find((s) => s.stage === "prompts");
  // The resolved tau (config, else each reward manifest's, else 1), as the stage hashed it.
  const tau = d.tau ?? f("calibrate", "tau");
  const tauText = tau && typeof tau === "object" && Object.keys(tau).length > 0
    ? `tau ${show(tau)}`
    : "tau 1 each";
  const select = f("select", "method") === "single"
    ? `single (${show(f("select", "reward"))})`
    : show(f("select", "method"));
  const maxSteps = f("train", "max_steps");
  const steps = d.trainLog.length > 0 ? d.trainLog[d.trainLog.length - 1]!.step : 0;
  const pairs = field(d.trainSummary, "pairs");
  const weighting = f("train", "weighting") === "sigmoid"
    ? `sigmoid (b ${show(f("train", "weighting_b"))})`
    : show(f("train", "weighting"));
  const e = d.eval;
  const generated: [string, string][] = [
    ["Sampling model (generate)", code(f("generate", "model"))],
    [
      "Samples per prompt (N)",
      `${show(f("generate", "n"))} (${show(f("generate", "steps"))} steps, guidance ` +
      `${show(f("generate", "guidance"))}, seed ${show(f("generate", "seed"))})`,
    ],
  ];
  const rows: [string, string][] = [
    ["Base model", code(f("train", "model"))],
    [
      "Prompts",
      `${code(f("prompts", "path"))}, limit ${show(f("prompts", "limit"))}` +
      (promptsStage ? ` (${promptsStage.groups} prompts)` : ""),
    ],
    ...(d.imported === null ? generated : importedRows(d.imported)),
    ["Rewards", `${d.rewards.join(", ")} (${tauText})`],
    [
      "Pair selection",
      `${select}, ${show(f("select", "pairs_per_prompt"))} pair(s) per prompt, ` +
      `${show(f("select", "max_retries"))} retries`,
    ],
    ["Loss", `${show(f("train", "loss"))}, weighting ${weighting}`],
    ["Beta", show(f("train", "beta"))],
    [
      "Optimiser",
      `lr ${show(f("train", "lr"))} (${show(f("train", "schedule"))}, ` +
      `${show(f("train", "warmup_steps"))} warm-up steps), batch ${
        show(f("train", "batch_pairs"))
      } pairs, ${
        maxSteps === null || maxSteps === undefined
          ? `${show(f("train", "epochs"))} epochs`
          : `max ${show(maxSteps)} steps`
      }`,
    ],
    ["Training steps", `${steps}${pairs === undefined ? "" : ` on ${show(pairs)} pairs`}`],
    [
      "Evaluation",
      `${e.prompts} prompts x ${e.seeds_per_prompt} seeds from ${
        code(f("evaluate", "prompts"))
      }, ` +
      `${e.sampling.steps} steps, guidance ${e.sampling.guidance}`,
    ],
  ];
  return ["| Setting | Value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`), ""];
}

/**
 * The Configuration rows of imported samples: where they came from, how many per prompt, and
 * what the Sample rows record about the generator, which capo did not run.
 */
function importedRows(i: ImportedSamples): [string, string][] {
  const from = i.kind === "parquet" ? "the Parquet file" : "the folder";
  const c = i.counts;
  const per = c === null
    ? "- (the Sample stage is still in worker shards: run capo merge)"
    : `${c.min === c.max ? c.min : `${c.min}-${c.max}`} images per prompt, ${c.images} over ` +
      `${c.prompts} prompts` + (c.empty > 0 ? ` (${c.empty} with none left after skipping)` : "");
  return [
    [
      "Samples",
      `imported by \`capo import\` from ${from} ${
        i.input === null ? "(path not recorded)" : code(i.input)
      } (digest ${code(i.digest.slice(0, 16))}` +
      (i.size === null
        ? ")"
        : `, size ${i.size}${i.resize === null ? "" : `, other sizes resized (${i.resize})`})`) +
      "; no generator ran, so `generate.*` does not describe them",
    ],
    ["Samples per prompt", per],
    [
      "Sample fields as recorded",
      `model_id ${code(i.model_id)}, sampler ${code(i.sampler)}, steps ${i.steps}, guidance ` +
      `${i.guidance}` + (i.steps === 0 ? " (0: not given at import)" : ""),
    ],
  ];
}

function stageTable(d: RunData): string[] {
  const by = new Map(d.stages.map((s) => [s.stage, s]));
  const chain = [
    by.get("prompts") && `${by.get("prompts")!.groups} prompts`,
    by.get("generate") && `${by.get("generate")!.rows} samples`,
    by.get("score") && `${by.get("score")!.rows} scored`,
    by.get("select") &&
    `${by.get("select")!.rows} pairs (${by.get("select")!.emptyGroups} prompts without a pair)`,
    d.trainLog.length > 0 && `${d.trainLog.length} training steps`,
  ].filter((x): x is string => typeof x === "string");
  return [
    "| Stage | Records | Prompt groups | Rows | Groups without rows | Shards | Complete |",
    "|---|---|---:|---:|---:|---:|---|",
    ...d.stages.map((s) =>
      `| ${s.stage} | ${s.records} | ${s.groups} | ${s.rows} | ${s.emptyGroups} | ${s.shards} | ` +
      `${s.complete ? "yes" : "no"} |`
    ),
    "",
    chain.join(" -> ") + ".",
    "",
  ];
}

function trainingSection(d: RunData, files: ReportFiles): string[] {
  const log = d.trainLog;
  const tail = log.slice(-Math.max(1, Math.ceil(log.length / 10)));
  const head = log.slice(0, Math.max(1, Math.ceil(log.length / 10)));
  type Line = RunData["trainLog"][number];
  const row = (label: string, pick: (m: Line) => number | null) =>
    `| ${label} | ${fix(mean(head.map(pick)), 4)} | ${fix(mean(tail.map(pick)), 4)} |`;
  // issue #19's diagnostics, in logs written since: the backward share per step, and the probe's
  // bias^2 / variance split at its first and last probe
  const backward = log.some((m) => typeof m.backward === "number")
    ? [row("share of loss weights pushing pairs backwards", (m) => m.backward ?? null)]
    : [];
  const probes = log.filter((m) => typeof m.probe_var === "number");
  const probeRow = (label: string, pick: (m: Line) => number | null | undefined) =>
    `| ${label} (probe, steps ${probes[0]?.step} / ${probes.at(-1)?.step}) | ` +
    `${fix(pick(probes[0]!) ?? NaN, 4)} | ${fix(pick(probes.at(-1)!) ?? NaN, 4)} |`;
  const probe = probes.length === 0 ? [] : [
    probeRow("Var(dR_theta)", (m) => m.probe_var),
    ...(probes[0]!.probe_bias2 === null ? [] : [
      probeRow("(E[dR_theta] - c)^2", (m) => m.probe_bias2),
      probeRow("squared loss = bias^2 + var", (m) => m.probe_sq),
    ]),
  ];
  return [
    "## Training",
    "",
    `Per-step metrics from \`train/log.jsonl\`; first and last ${tail.length} step(s) averaged. ` +
    "Implicit accuracy is the share of pairs with dR_theta > 0; corr is the Pearson correlation " +
    "of dR_theta with dR_ca over the batch (docs/method.md §5.5).",
    "",
    "| Metric | Start | End |",
    "|---|---:|---:|",
    row("loss", (m) => m.loss),
    row("implicit accuracy", (m) => m.accuracy),
    row("corr(dR_theta, dR_ca)", (m) => m.correlation),
    row("grad norm", (m) => m.grad_norm),
    ...backward,
    ...probe,
    "",
    ...(probe.length === 0 ? [] : [
      "The probe draws two independent estimates of each gap on a fixed batch of pairs; " +
      "Var(dR_theta) and (E[dR_theta] - c)^2 are their unbiased estimates, and they sum to the " +
      "one-estimate squared loss (c = dR_ca for CaPO, 1 for IPO; docs/method.md §5.5).",
      "",
    ]),
    ...img("training curves", files.training),
  ];
}

/** The whole report.md. */
export function formatRunReport(d: RunData, files: ReportFiles, written = new Date()): string {
  const name = show(field(d.config, "name") ?? basename(d.runDir));
  const lines = [
    `# Run report: ${name}`,
    "",
    `Run directory \`${d.runDir}\`, report written ${written.toISOString()} ` +
    `(regenerate with \`deno task report ${d.runDir}\`).`,
    "",
    ...(files.notes.length > 0 ? [...files.notes.map((n) => `> Note: ${n}`), ""] : []),
    "## Configuration",
    "",
    ...configTable(d),
    "## Stage counts",
    "",
    ...stageTable(d),
    formatEvalSection(d.eval).trimEnd(),
    "",
    ...img("win-rates of tuned vs base", files.winRates),
    ...(files.rewardHistograms === null ? [] : [
      "### Reward distributions",
      "",
      "Each reward's scores of the base and the tuned model on the evaluation images (dashed: " +
      "the means).",
      "",
      ...img("reward distributions", files.rewardHistograms),
    ]),
    ...(files.paretoFronts === null ? [] : [
      "## Calibrated rewards and selected pairs",
      "",
      "The N samples of a few training prompts in the calibrated rewards Rca " +
      `(docs/method.md §3): x = ` +
      `${d.rewards[0]}, y = ${d.rewards[1]}` +
      (d.rewards.length > 2 ? `, colour = ${d.rewards[2]}` : "") +
      `. Squares lie on the upper frontier X+ in all ${d.rewards.length} rewards; the selected ` +
      "pair's winner x+ (triangle) and loser x- (diamond) are joined by a line " +
      "(docs/method.md §4).",
      "",
      ...img("calibrated Pareto fronts", files.paretoFronts),
      `Panels, left to right and top to bottom: ${
        files.paretoPrompts.map((p) => `"${p}"`).join(", ")
      }.`,
      "",
    ]),
    ...trainingSection(d, files),
    ...(files.contactSheets.length === 0 ? [] : [
      "## Samples: base vs tuned",
      "",
      `Evaluation prompts (one per category first): ${
        files.contactPrompts.map((p) => `"${p}"`).join(", ")
      }, sampled again by both models with the evaluation's seeds. Each caption: prompt, model, ` +
      "ShapeEval verdict of the shown image (ok / wrong) and the first letters and scores of " +
      "each reward from eval.json.",
      "",
      ...files.contactSheets.flatMap((s) => [
        ...img(`base vs tuned, seed index ${s.seedIndex}`, s.file),
        ...(s.judged > 0
          ? [
            `ShapeEval verdicts of these ${s.judged} images agree with eval.json on ${s.agreed}` +
            (s.agreed === s.judged ? " (the same images)." : " (NOT all: the images differ)."),
            "",
          ]
          : []),
      ]),
    ]),
  ];
  return lines.join("\n");
}
