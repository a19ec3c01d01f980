/**
 * What a base's cells are, before anything runs: each cell's directory, config (a run config,
 * or a soup's inputs and evaluation options), identity, rerun line and whether its result.json
 * already holds that identity (done), an older one (stale) or nothing (pending). The report is
 * built from this alone, so it can be regenerated at any time from the files on disk.
 *
 * With S training seeds every cell is planned S times (cell_config.ts `seedName`: seed 0 in
 * `<cell>/`, seed s in `<cell>-seed<s>/`), seed by seed, each seed's soups averaging that seed's
 * single-reward models; the report shows each cell once, its seeds aggregated
 * (seed_aggregate.ts).
 */
import { join } from "node:path";
import { sha256Hex } from "../../lib/hash.ts";
import type { RunConfig } from "../config.ts";
import type { EvalOptions } from "../../stages/evaluate/eval_options.ts";
import { type BaseName, missingBase } from "./bases.ts";
import { baseConfig, cellConfig, seedName, type Size } from "./cell_config.ts";
import { aggregateSeeds } from "./seed_aggregate.ts";
import { mergeConfig } from "../config.ts";
import { extraTrainers, type ReproducePlan, trainerLoss } from "./repro_plan.ts";
import { cellIdentity, type CellResult, readCellResult } from "./cell_result.ts";
import { type Cell, reproduceCells, type SumVariant } from "./cells.ts";
import type { BaseReport, CellStatus } from "./report.ts";
import { runRerunLine, soupRerunLine } from "./rerun_line.ts";

export interface PlannedCell {
  cell: Cell;
  /** The training seed, and the directory's (and the log's) name for it. */
  seed: number;
  name: string;
  dir: string;
  identity: string;
  rerun: string;
  /** The run config (run cells) or the soup's description (soup cells), saved as config.json. */
  config: RunConfig | SoupConfig;
  result: CellResult | null;
  status: CellStatus["status"];
  error?: string;
}

export interface SoupConfig {
  kind: "soup";
  base_model: string;
  /** The model directories averaged (the input cells' train/ directories). */
  inputs: string[];
  out: string;
  evaluate: EvalOptions;
}

export interface PlannedBase {
  base: BaseName;
  model: string;
  dir: string;
  missing: string | null;
  /** The shared config (name 'upstream'): prompts, generate, score of every cell. */
  shared: RunConfig;
  /** Seconds the shared stages took when last computed (upstream/timing.json), or null. */
  sharedSeconds: number | null;
  cells: PlannedCell[];
}

/** Drops what names a run (or where it caches) rather than what determines its result. */
export function resultConfig(cfg: RunConfig): unknown {
  const { name: _n, runs_dir: _r, ...rest } = cfg;
  const { cache: _c, ...evaluate } = rest.evaluate;
  return { ...rest, evaluate };
}

export async function planBase(opts: {
  base: BaseName;
  model: string;
  out: string;
  size: Size;
  sum: SumVariant;
  /** Training seeds per cell. @default {1} */
  seeds?: number;
  /** A frozen plan: its config over every cell, its trainers, its extra cells. */
  plan?: ReproducePlan;
}): Promise<PlannedBase> {
  const seeds = opts.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1) {
    throw new RangeError(
      `Cannot plan a base as seeds must be a positive integer: current value is ${seeds}`,
    );
  }
  const dir = join(opts.out, opts.base);
  const plan = opts.plan;
  let shared = baseConfig(opts.size, opts.model, dir);
  if (plan) shared = mergeConfig(shared, plan.config, `${plan.source} config`);
  const extras = plan
    ? extraTrainers(plan, opts.base).map((t) => [t, trainerLoss(plan, opts.base, t)] as const)
    : [];
  const missing = await missingBase(opts.base, opts.model);
  const weights = missing === null
    ? sha256Hex(await Deno.readFile(join(opts.model, "model.safetensors")))
    : "missing";
  const cells: PlannedCell[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    for (const cell of reproduceCells(opts.sum, extras)) {
      const name = seedName(cell.name, seed);
      const cellDir = join(dir, name);
      let planned: Omit<PlannedCell, "result" | "status">;
      const placed = { cell, seed, name, dir: cellDir };
      if (cell.kind === "run") {
        const config = cellConfig(shared, cell, seed, plan?.trainers[opts.base][cell.trainer]);
        planned = {
          ...placed,
          config,
          identity: cellIdentity({ config: resultConfig(config), baseWeights: weights }),
          rerun: runRerunLine(cellDir),
        };
      } else {
        const inputs = cell.inputs.map((n) =>
          cells.find((c) => c.cell.name === n && c.seed === seed)!
        );
        const config: SoupConfig = {
          kind: "soup",
          base_model: opts.model,
          inputs: inputs.map((c) => join(c.dir, "train")),
          out: join(cellDir, "model"),
          evaluate: shared.evaluate,
        };
        planned = {
          ...placed,
          config,
          identity: cellIdentity({
            config: { kind: "soup", evaluate: config.evaluate },
            baseWeights: weights,
            inputs: inputs.map((c) => c.identity),
          }),
          rerun: soupRerunLine(cellDir, config.inputs, opts.model, config.evaluate),
        };
      }
      let result: CellResult | null = null;
      let error: string | undefined;
      try {
        result = missing === null ? await readCellResult(cellDir) : null;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const status: CellStatus["status"] = error !== undefined
        ? "failed"
        : result === null
        ? "pending"
        : result.identity === planned.identity
        ? "done"
        : "stale";
      cells.push({ ...planned, result, status, ...(error !== undefined ? { error } : {}) });
    }
  }
  let sharedSeconds: number | null = null;
  try {
    const t = JSON.parse(await Deno.readTextFile(join(dir, "upstream", "timing.json")));
    if (typeof t.seconds === "number") sharedSeconds = t.seconds;
  } catch { /* not computed yet, or by an older version: no figure */ }
  return { base: opts.base, model: opts.model, dir, missing, shared, sharedSeconds, cells };
}

/**
 * The report's view of a planned base: each cell once. A cell is done when every training seed
 * is, its result then the seeds' aggregate; otherwise it shows its first seed that is not done
 * (failed before stale before pending).
 */
export function baseReport(p: PlannedBase): BaseReport {
  const names = [...new Set(p.cells.map((c) => c.cell.name))];
  const rank = { failed: 0, stale: 1, pending: 2, done: 3 } as const;
  return {
    base: p.base,
    model: p.model,
    missing: p.missing,
    sharedSeconds: p.sharedSeconds,
    cells: names.map((name): CellStatus => {
      const seeds = p.cells.filter((c) => c.cell.name === name);
      const first = seeds[0]!;
      const notDone = seeds.filter((c) => c.status !== "done")
        .sort((a, b) => rank[a.status] - rank[b.status])[0];
      const shown = notDone ?? first;
      let result: CellResult | undefined;
      let error = shown.error;
      if (notDone === undefined) {
        try {
          result = aggregateSeeds(seeds.map((c) => c.result!));
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        }
      }
      return {
        cell: first.cell,
        status: notDone?.status ?? (result ? "done" : "failed"),
        rerun: first.rerun,
        ...(seeds.length > 1 ? { seeds: seeds.length } : {}),
        ...(result ? { result } : {}),
        ...(error !== undefined ? { error } : {}),
      };
    }),
  };
}
