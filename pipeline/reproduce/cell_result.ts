/**
 * A finished cell's record, `<cell dir>/result.json`: what was compared (the evaluation report
 * of eval/), the cell's identity, its timing and the line that reruns it. The reproduce report
 * is regenerated from these files alone, so it always shows exactly the cells that finished.
 *
 * `identity` hashes what determines the cell's result (its run config, or a soup's evaluation
 * options and its inputs' identities, plus the base model's weights): a rerun skips a cell
 * whose result.json holds the same identity and redoes one whose inputs changed.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { hashJson } from "../../lib/hash.ts";
import type { EvalReport } from "../../stages/evaluate/eval_report.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import type { TrainDiagnostics } from "./train_diagnostics.ts";

export const RESULT_FORMAT = 1;

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
  finished: string;
}

export const resultPath = (cellDir: string) => join(cellDir, "result.json");

/** The identity of a cell: a hash of what determines its result. */
export function cellIdentity(parts: {
  config: unknown;
  baseWeights: string;
  inputs?: readonly string[];
}): string {
  return hashJson({ config: parts.config, base: parts.baseWeights, inputs: parts.inputs ?? [] });
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
  if (o.format !== RESULT_FORMAT) {
    throw new TypeError(
      `Cannot read cell result ${path} as its format must be ${RESULT_FORMAT}: current value is ${o.format}`,
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
