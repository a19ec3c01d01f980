/**
 * The cells of the paper's two tables (docs/method.md §4-§5), per base model:
 *
 *   single reward (9): loss in {DPO, IPO, CaPO} x reward in {aesthetic, alignment, preference},
 *                      pairs = argmax vs argmin of that reward's Rca ('single');
 *   multi-reward  (9): loss x {SUM, SOUP, FRS}:
 *                      SUM  = best vs worst by the sum of rewards ('sum-raw' by default, as the
 *                             paper's "sum of rewards"; 'sum-calibrated' by option),
 *                      SOUP = the uniform weight average of the three single-reward models of
 *                             the same loss (stages/train/soup.ts), nothing trained of its own,
 *                      FRS  = frontier-based rejection sampling (the default run's select).
 *
 * A cell is a closed union: 'run' cells are one `capo run` config (select + train), 'soup'
 * cells average other cells' models. Their order puts every soup after the cells it averages.
 */
import type { LossKind } from "../../stages/train/loss_kinds.ts";

/** The three rewards of data/rewards/, in the tables' column order. */
export const REWARDS = ["aesthetic", "alignment", "preference"] as const;
export type RewardName = typeof REWARDS[number];

/** The losses in the tables' row order (the paper's: the baselines, then CaPO). */
export const LOSSES: readonly LossKind[] = ["dpo", "ipo", "capo"];

export const MULTI_METHODS = ["sum", "soup", "frs"] as const;
export type MultiMethod = typeof MULTI_METHODS[number];

/** Which pairs the SUM baseline selects: by raw or by calibrated rewards. */
export type SumVariant = "sum-raw" | "sum-calibrated";

interface CellBase {
  /** Directory name under runs/reproduce/<base>/, and the name used by --only. */
  name: string;
  loss: LossKind;
  /**
   * The trainer settings the cell uses (a plan's `trainers` key): the loss's name for the
   * paper's cells, a variant's name (this project's additions, e.g. 'capo-k4') otherwise.
   */
  trainer: string;
}

export interface RunCell extends CellBase {
  kind: "run";
  table: "single" | "multi";
  /** 'sum' or 'frs' for multi cells; the reward for single cells. */
  method: MultiMethod | RewardName;
  select: { method: "single" | SumVariant | "frs"; reward: RewardName | null };
}

export interface SoupCell extends CellBase {
  kind: "soup";
  table: "multi";
  method: "soup";
  /** The single-reward cells whose models are averaged, one per reward. */
  inputs: string[];
}

export type Cell = RunCell | SoupCell;

export const singleName = (reward: RewardName, loss: LossKind) => `single-${reward}-${loss}`;

/**
 * All 18 cells of one base, soups last; then one FRS cell `frs-<name>` per extra trainer
 * (this project's variants, [name, its loss]), labelled as ours in the report.
 */
export function reproduceCells(
  sum: SumVariant = "sum-raw",
  extras: readonly (readonly [string, LossKind])[] = [],
): Cell[] {
  const cells: Cell[] = [];
  for (const reward of REWARDS) {
    for (const loss of LOSSES) {
      cells.push({
        kind: "run",
        table: "single",
        name: singleName(reward, loss),
        loss,
        trainer: loss,
        method: reward,
        select: { method: "single", reward },
      });
    }
  }
  for (const method of ["sum", "frs"] as const) {
    for (const loss of LOSSES) {
      cells.push({
        kind: "run",
        table: "multi",
        name: `${method}-${loss}`,
        loss,
        trainer: loss,
        method,
        select: { method: method === "sum" ? sum : "frs", reward: null },
      });
    }
  }
  for (const loss of LOSSES) {
    cells.push({
      kind: "soup",
      table: "multi",
      name: `soup-${loss}`,
      loss,
      trainer: loss,
      method: "soup",
      inputs: REWARDS.map((r) => singleName(r, loss)),
    });
  }
  for (const [trainer, loss] of extras) {
    cells.push({
      kind: "run",
      table: "multi",
      name: `frs-${trainer}`,
      loss,
      trainer,
      method: "frs",
      select: { method: "frs", reward: null },
    });
  }
  return cells;
}

/**
 * The cells named in `only` (all when null), in run order, plus nothing else: a soup whose
 * inputs are not selected runs only if they are already done (checked by the runner).
 */
export function selectCells(cells: readonly Cell[], only: readonly string[] | null): Cell[] {
  if (only === null) return [...cells];
  const names = cells.map((c) => c.name);
  for (const n of only) {
    if (!names.includes(n)) {
      throw new RangeError(
        `Cannot select cell '${n}' with --only as it is not a cell: cells are ${names.join(", ")}`,
      );
    }
  }
  return cells.filter((c) => only.includes(c.name));
}
