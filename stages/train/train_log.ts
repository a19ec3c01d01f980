/**
 * Reading the trainer's per-step log, `<run>/train/log.jsonl` (stages/train/fine_tune.ts writes one
 * StepMetrics JSON object per line). Used by the run report (pipeline/report/run_data.ts) and the
 * reproduce cells' training diagnostics (pipeline/reproduce/train_diagnostics.ts).
 */
import type { StepMetrics } from "./preference_trainer.ts";

/**
 * The log's steps, in file order. Every line must be JSON with a number in each of `required`;
 * errors name `path` and the line.
 */
export function parseTrainLog(
  text: string,
  path: string,
  required: readonly (keyof StepMetrics)[] = ["step", "loss"],
): StepMetrics[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(l);
    } catch (err) {
      throw new TypeError(`Cannot read ${path} line ${i + 1} as it is not valid JSON: ${err}`);
    }
    for (const k of required) {
      if (typeof m[k] !== "number") {
        throw new TypeError(`Cannot read ${path} line ${i + 1} as '${k}' is not a number`);
      }
    }
    return m as unknown as StepMetrics;
  });
}
