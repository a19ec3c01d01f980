/**
 * The command that reruns one cell alone. A run cell is its saved config:
 * `deno task run --config <cell>/config.json` (its shared stages are already linked into the
 * cell's directory, so only calibrate..evaluate run; from an empty directory the same line
 * regenerates them, with the same seeds). A soup cell is `capo soup` of its inputs' models then
 * `capo evaluate` against the base with the run cells' evaluation options.
 */
import { dirname, join } from "node:path";
import { type EvalOptions, EVALUATE_COMMAND_DEFAULTS } from "../../stages/evaluate/eval_options.ts";

/** `deno run` with the permissions of the reproduce task (tasks for soup/evaluate do not exist). */
export const CAPO =
  "deno run --allow-read --allow-write=runs --allow-env --allow-ffi --allow-sys " +
  "cli/capo.ts";

export function runRerunLine(cellDir: string): string {
  return `deno task run --config ${join(cellDir, "config.json")}`;
}

/** `capo evaluate` flags giving exactly `o` (throws for options it has no flag for). */
export function evaluateFlags(o: EvalOptions): string[] {
  for (const key of ["seed_base", "level", "shapeeval"] as const) {
    if (o[key] !== EVALUATE_COMMAND_DEFAULTS[key]) {
      throw new RangeError(
        `Cannot write a capo evaluate line for evaluate.${key} as it has no flag: current ` +
          `value is ${o[key]}, the command's is ${EVALUATE_COMMAND_DEFAULTS[key]}`,
      );
    }
  }
  const flags = ["--prompts", o.prompts];
  if (o.max_prompts !== null) flags.push("--max-prompts", String(o.max_prompts));
  flags.push(
    "--seeds",
    String(o.seeds_per_prompt),
    "--steps",
    String(o.steps),
    "--guidance",
    String(o.guidance),
    "--resamples",
    String(o.resamples),
    "--seed",
    String(o.seed),
    "--chunk",
    String(o.chunk),
  );
  for (const r of o.rewards ?? []) flags.push("--reward", r);
  return flags;
}

export function soupRerunLine(
  cellDir: string,
  inputModels: readonly string[],
  baseModel: string,
  o: EvalOptions,
): string {
  const model = join(cellDir, "model");
  // The cells' shared score cache (stages/evaluate/run_eval.ts evalCacheDir).
  const cache = o.cache ? ` --cache ${join(dirname(cellDir), "eval-cache")}` : "";
  return [
    `${CAPO} soup --out ${model} ${inputModels.join(" ")}`,
    `${CAPO} evaluate --base ${baseModel} --tuned ${model} --out ${join(cellDir, "eval")} ${
      evaluateFlags(o).join(" ")
    }${cache}`,
  ].join(" && ");
}
