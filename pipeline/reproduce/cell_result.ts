/**
 * A finished cell's record, `<cell dir>/result.json`: what was compared (the evaluation report
 * of eval/), the cell's identity, its timing and the line that reruns it. The reproduce report
 * is regenerated from these files alone, so it always shows exactly the cells that finished.
 *
 * `identity` hashes what determines the cell's result (its run config, or a soup's evaluation
 * options and its inputs' identities, plus the base model's weights, and the result format):
 * a rerun skips a cell whose result.json holds the same identity and redoes one whose inputs
 * changed. Format 2 added the per-prompt win scores that aggregate training seeds
 * (seed_aggregate.ts), and came with the stratified evaluation subset, so a format-1 result
 * is stale.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { hashJson } from "../../lib/hash.ts";
import type { EvalReport } from "../../stages/evaluate/eval_report.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import type { TrainDiagnostics } from "./train_diagnostics.ts";

export const RESULT_FORMAT = 2;

/** The evaluation report without its per-image scores (those stay in the cell's eval.json). */
export type CellEval = Omit<EvalReport, "per_image">;

export interface CellResult {
  format: number;
  /** 'eps' or 'flow'. */
  base: string;
  cell: string;
  identity: string;
  /** Wall-clock seconds of the cell (its calibrate..evaluate, or soup + evaluate). */
  seconds: number;
  /** Training pairs and steps (null for a soup, which trains nothing). */
  pairs: number | null;
  steps: number | null;
  /** The command that reruns this cell alone. */
  rerun: string;
  eval: CellEval;
  /** Training diagnostics (pipeline/reproduce/train_diagnostics.ts); absent for a soup or older cells. */
  training?: TrainDiagnostics | null;
  /**
   * Per metric (each reward, and 'shapeeval' when judged), the win score of the tuned model
   * over the base averaged over each prompt's seeds, in prompt order: what the bootstrap over
   * prompts and training seeds resamples (format 2).
   */
  win_per_prompt?: Record<string, number[]>;
  /** How many training seeds the numbers aggregate (seed_aggregate.ts); absent: one. */
  seeds?: number;
  finished: string;
}

export const resultPath = (cellDir: string) => join(cellDir, "result.json");

/** The identity of a cell: a hash of what determines its result. */
export function cellIdentity(parts: {
  config: unknown;
  baseWeights: string;
  inputs?: readonly string[];
}): string {
  return hashJson({
    config: parts.config,
    base: parts.baseWeights,
    inputs: parts.inputs ?? [],
    format: RESULT_FORMAT,
  });
}

/** The cell's result, or null when it has none yet; a malformed file is an error naming it. */
export async function readCellResult(cellDir: string): Promise<CellResult | null> {
  const path = resultPath(cellDir);
  const text = await readTextIfExists(path);
  if (text === null) return null;
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`Cannot read cell result ${path} as it is not valid JSON: ${err}`);
  }
  const o = r as Partial<CellResult>;
  // An older format is read (its identity differs, so the cell shows as stale, not failed).
  if (typeof o.format !== "number" || o.format < 1 || o.format > RESULT_FORMAT) {
    throw new TypeError(
      `Cannot read cell result ${path} as its format must be 1 to ${RESULT_FORMAT}: current value is ${o.format}`,
    );
  }
  for (const key of ["base", "cell", "identity", "rerun"] as const) {
    if (typeof o[key] !== "string") {
      throw new TypeError(`Cannot read cell result ${path} as '${key}' is not a string`);
    }
  }
  if (typeof o.eval !== "object" || o.eval === null || !Array.isArray(o.eval.rewards)) {
    throw new TypeError(`Cannot read cell result ${path} as 'eval.rewards' is missing`);
  }
  return o as CellResult;
}

export async function writeCellResult(cellDir: string, r: CellResult): Promise<void> {
  await writeFileAtomic(resultPath(cellDir), JSON.stringify(r, null, 2) + "\n");
}
