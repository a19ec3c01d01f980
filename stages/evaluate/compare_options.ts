/**
 * `capo compare`'s options (lib/config_table.ts): the declared comparisons (the family the
 * correction is over, fixed before anything is sampled), the cells and their models, and the
 * evaluation settings (the run's `evaluate` section, starting from `capo evaluate`'s full mode).
 * A JSON file (`--config`) gives them, `--key=value` overrides any of them.
 */
import {
  badKey,
  defaultsOf,
  key,
  list,
  num,
  oneOf,
  orNull,
  record,
  text,
  type ValuesOf,
  type Where,
} from "../../lib/config_table.ts";
import { BASE_CELL, parseComparison, STATISTICS } from "./compare_cells.ts";
import { EVALUATE, EVALUATE_COMMAND_DEFAULTS } from "./eval_options.ts";

export const COMPARE = {
  base: key(
    text("a model directory"),
    "data/models/base-eps",
    "The base model (cell 'base'): the start of every cell's fine-tuning",
    "the shipped eps base, as the default run",
  ),
  cells: key(
    record(list(text("a model folder"), { nonEmpty: true })),
    {},
    'Cells: {name: [model directory per training seed]}, e.g. {"frs-capo": ' +
      '["runs/a/train", "runs/a-seed1/train"]}; several models are bootstrapped over',
    "none until declared",
  ),
  comparisons: key(
    list(text("'A vs B'")),
    [],
    "The comparisons, each 'A vs B' with A and B cells or 'base', or 'A vs B on m1,m2' to test " +
      "it on those metrics only: the family the correction " +
      "is over (with metrics), declared before the models are sampled",
    "none until declared",
  ),
  metrics: key(
    orNull(list(text("a reward name or 'shapeeval'"))),
    null,
    "Metrics compared: reward names and 'shapeeval' (correctness); null: every reward and " +
      "ShapeEval",
    "every reward the paper reports, and the benchmark independent of them",
  ),
  statistic: key(
    oneOf(STATISTICS),
    "win_rate",
    "The tested statistic: 'win_rate' head to head (H0 50%), 'delta_win_rate' against the " +
      "base or 'delta_mean' (H0 0); the other two are reported with uncorrected p-values",
    "the paper's measure, ties counting half",
  ),
  correction: key(
    oneOf(["holm"]),
    "holm",
    "Correction for multiple comparisons over comparisons x metrics",
    "Holm: controls the family-wise error rate with no assumption on the tests' dependence, " +
      "and is uniformly more powerful than Bonferroni",
  ),
  alpha: key(
    num({ gt: 0, lt: 1 }),
    0.05,
    "Family-wise error rate: a test is rejected when its Holm-adjusted p-value <= alpha",
    "the usual 5%",
  ),
  cache_dir: key(
    orNull(text("a directory")),
    "runs/eval-cache",
    "Where each model's scores are kept and reused (with evaluate.cache); a reproduce base's " +
      "cells' scores are in runs/reproduce/<base>/eval-cache",
    "under runs/, which capo may write; the base is then sampled once for every comparison",
  ),
  evaluate: EVALUATE,
};

export type CompareOptions = ValuesOf<typeof COMPARE>;

/** The starting point: the table's defaults, the evaluation in `capo evaluate`'s full mode. */
export const COMPARE_DEFAULTS: CompareOptions = {
  ...defaultsOf(COMPARE),
  evaluate: EVALUATE_COMMAND_DEFAULTS,
};

/** The rules across keys: some comparisons, each of two declared cells; no cell named 'base'. */
export function checkCompare(o: CompareOptions, where: Where): void {
  const cells = Object.keys(o.cells);
  if (cells.includes(BASE_CELL)) {
    throw badKey(`cells.${BASE_CELL}`, where, "not named 'base' (it names the base model)", null);
  }
  if (o.comparisons.length === 0) {
    throw badKey("comparisons", where, "a non-empty list of 'A vs B'", o.comparisons);
  }
  for (const [i, c] of o.comparisons.entries()) {
    try {
      parseComparison(c, cells);
    } catch {
      throw badKey(
        `comparisons[${i}]`,
        where,
        `'A vs B' (or 'A vs B on metric,...') with A and B two different cells of ${
          [BASE_CELL, ...cells].join(", ")
        }`,
        c,
      );
    }
  }
  if (new Set(o.comparisons).size !== o.comparisons.length) {
    throw badKey("comparisons", where, "a list without repeats", o.comparisons);
  }
}
