/**
 * `capo evaluate --base DIR --tuned DIR [options]`: win-rate per reward (ties half, 95%
 * bootstrap interval over prompts), mean reward and ShapeEval's table of a fine-tuned model
 * against its base, on the eval prompts with the same seeds for both (eval/). Prints the
 * markdown section; with --out DIR also writes DIR/eval.json and DIR/eval.md.
 * Exit status: 0 done, 2 bad arguments, 1 a model, reward or prompt file could not be used.
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { merge } from "../lib/config_table.ts";
import { EVALUATE, EVALUATE_COMMAND_DEFAULTS } from "../stages/evaluate/eval_options.ts";
import { formatEvalSection } from "../stages/evaluate/eval_report.ts";
import { evaluateModelDirs } from "../stages/evaluate/run_eval.ts";

const USAGE = `usage: capo evaluate --base DIR --tuned DIR [--out DIR] [--prompts FILE]
                     [--max-prompts N] [--seeds N] [--steps N] [--guidance G]
                     [--reward MANIFEST ...] [--no-shapeeval] [--resamples N] [--seed N]
                     [--cache DIR]

Compares a fine-tuned model with its base on the eval prompts (default ${EVALUATE_COMMAND_DEFAULTS.prompts}),
${EVALUATE_COMMAND_DEFAULTS.seeds_per_prompt} seeds per prompt, the rewards in data/rewards/ unless --reward is given.
Without --max-prompts every prompt is evaluated (GenEval's full protocol); with it, that many
prompts stratified by category. --cache DIR keeps each model's scores there and reuses them
(e.g. runs/eval-cache, shared with capo compare).`;

const NUMERIC: Record<string, string> = {
  "max-prompts": "max_prompts",
  seeds: "seeds_per_prompt",
  steps: "steps",
  guidance: "guidance",
  resamples: "resamples",
  seed: "seed",
  chunk: "chunk",
};

export async function main(args: string[]): Promise<number> {
  const parsed = await parsedOrExit("capo evaluate", USAGE, () => {
    const p = parseFlags("capo evaluate", {
      args,
      options: {
        base: { type: "string" },
        tuned: { type: "string" },
        out: { type: "string" },
        cache: { type: "string" },
        prompts: { type: "string" },
        reward: { type: "string", multiple: true },
        "no-shapeeval": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: "string" as const }])),
      },
    });
    return p.values.help ? "help" : p;
  });
  if (typeof parsed === "number") return parsed;
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (typeof v.base !== "string" || typeof v.tuned !== "string") {
    console.error(`capo evaluate: Cannot evaluate as --base and --tuned are required\n\n${USAGE}`);
    return 2;
  }
  const raw: Record<string, unknown> = {};
  if (typeof v.prompts === "string") raw.prompts = v.prompts;
  if (Array.isArray(v.reward)) raw.rewards = v.reward;
  if (v["no-shapeeval"]) raw.shapeeval = false;
  for (const [flag, key] of Object.entries(NUMERIC)) {
    const s = v[flag];
    if (typeof s === "string") raw[key] = s.trim() === "" ? s : Number(s);
  }
  let options;
  try {
    options = merge(EVALUATE, EVALUATE_COMMAND_DEFAULTS, raw, "capo evaluate");
  } catch (err) {
    console.error(`capo evaluate: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const report = await evaluateModelDirs(
    v.base,
    v.tuned,
    options,
    typeof v.out === "string" ? v.out : null,
    typeof v.cache === "string" ? v.cache : null,
  );
  console.log(formatEvalSection(report));
  return 0;
}
