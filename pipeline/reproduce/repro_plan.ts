/**
 * A frozen reproduce plan (`capo reproduce --plan FILE`): what a confirmatory run executes, fixed
 * before it evaluates on the test set (docs/reproduce/PREREGISTRATION.md names the file). It gives
 *
 *   seeds     training seeds per cell;
 *   config    a run config patch over the defaults for every cell of every base (the evaluation:
 *             test prompts, prompts per cell, eval seeds per prompt);
 *   trainers  per base, the tuned `train` settings of each loss: 'dpo', 'ipo' and 'capo' (the
 *             paper's, used by its 18 cells), and any further named trainer (this project's
 *             variants, e.g. 'capo-k4'), each of which adds one FRS cell `frs-<name>`;
 *   compare   the declared paired comparisons per base (`capo compare`'s keys: comparisons,
 *             metrics, statistic, alpha), run on the cells' models once every cell is done;
 *   claims    (optional) the claims the comparisons test, each a name and the declared
 *             comparisons that make it up; the report gives each claim one verdict per base
 *             (report.ts claimVerdict), by a rule fixed with the plan.
 *
 * Pure: parsing checks every key and every cell's config, and opens nothing else.
 */
import { type BaseName, BASES } from "./bases.ts";
import { type ConfigPatch, DEFAULTS, mergeConfig, type RunConfig } from "../config.ts";
import { LOSS_KINDS, type LossKind } from "../../stages/train/loss_kinds.ts";
import { type Statistic, STATISTICS } from "../../stages/evaluate/compare_cells.ts";
import { LOSSES } from "./cells.ts";

export const PLAN_FORMAT = "capo-reproduce-plan/1";

export type TrainPatch = Partial<RunConfig["train"]>;

export interface PlanCompare {
  comparisons: string[];
  metrics: string[] | null;
  statistic: Statistic;
  alpha: number;
}

export interface ReproducePlan {
  source: string;
  seeds: number;
  config: ConfigPatch;
  trainers: Record<BaseName, Record<string, TrainPatch>>;
  compare: PlanCompare;
  /** Claim name -> the declared comparisons (entries of compare.comparisons) that test it. */
  claims: Record<string, string[]>;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

function obj(x: unknown, what: string, where: string): Record<string, unknown> {
  if (x === null || typeof x !== "object" || Array.isArray(x)) {
    throw new TypeError(`Cannot read reproduce plan ${where} as ${what} is not an object`);
  }
  return x as Record<string, unknown>;
}

/** The trainers of a base beyond the paper's three, in the plan's order. */
export function extraTrainers(plan: ReproducePlan, base: BaseName): string[] {
  return Object.keys(plan.trainers[base]).filter((t) => !LOSSES.includes(t as LossKind));
}

/** The loss a trainer trains with: its name for the paper's three, its `loss` otherwise. */
export function trainerLoss(plan: ReproducePlan, base: BaseName, trainer: string): LossKind {
  return (plan.trainers[base][trainer]?.loss ?? trainer) as LossKind;
}

export function parseReproducePlan(x: unknown, where: string): ReproducePlan {
  const fail = (msg: string): never => {
    throw new TypeError(`Cannot read reproduce plan ${where} as ${msg}`);
  };
  const o = obj(x, "the file", where);
  const known = ["format", "note", "seeds", "config", "trainers", "compare", "claims"];
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) fail(`'${k}' is not a key (keys are ${known.join(", ")})`);
  }
  if (o.format !== PLAN_FORMAT) {
    fail(`format must be '${PLAN_FORMAT}': current value is ${o.format}`);
  }
  const seeds = o.seeds;
  if (!Number.isInteger(seeds) || (seeds as number) < 1) {
    fail(`seeds must be an integer >= 1: current value is ${seeds}`);
  }
  const config = obj(o.config ?? {}, "config", where) as ConfigPatch;
  for (const k of ["name", "runs_dir"] as const) {
    if (k in config) fail(`config.${k} is set by reproduce, not the plan`);
  }
  for (const s of ["generate", "train"] as const) {
    if (config[s] !== undefined && "model" in (config[s] as object)) {
      fail(`config.${s}.model is set by reproduce (--eps-model, --flow-model), not the plan`);
    }
  }
  const checked = mergeConfig(DEFAULTS, config, `${where} config`);
  const trainersIn = obj(o.trainers, "trainers", where);
  const trainers = {} as Record<BaseName, Record<string, TrainPatch>>;
  for (const base of BASES) {
    const t = obj(trainersIn[base], `trainers.${base}`, where);
    for (const loss of LOSSES) {
      if (!(loss in t)) fail(`trainers.${base} has no '${loss}' (the paper's cells need it)`);
    }
    trainers[base] = {};
    for (const [name, patch] of Object.entries(t)) {
      if (!NAME.test(name)) fail(`trainers.${base}.${name} is not a name of a-z, 0-9, '_', '-'`);
      const p = obj(patch, `trainers.${base}.${name}`, where) as TrainPatch;
      const paper = LOSSES.includes(name as LossKind);
      if (paper && p.loss !== undefined && p.loss !== name) {
        fail(
          `trainers.${base}.${name}.loss must be '${name}' or absent: current value is ${p.loss}`,
        );
      }
      if (!paper && !(LOSS_KINDS as readonly string[]).includes(p.loss as string)) {
        fail(`trainers.${base}.${name}.loss must be one of ${LOSS_KINDS.join(", ")}`);
      }
      for (const k of ["model", "reference", "seed"] as const) {
        if (k in p) fail(`trainers.${base}.${name}.${k} is set by reproduce, not the plan`);
      }
      mergeConfig(checked, { train: p }, `${where} trainers.${base}.${name}`);
      trainers[base][name] = p;
    }
  }
  if (Object.keys(trainersIn).some((b) => !(BASES as readonly string[]).includes(b))) {
    fail(`trainers names a base other than ${BASES.join(", ")}`);
  }
  const c = obj(o.compare, "compare", where);
  const comparisons = c.comparisons;
  if (!Array.isArray(comparisons) || comparisons.length === 0) {
    fail("compare.comparisons must be a non-empty list of 'A vs B [on metric,...]'");
  }
  const metrics = c.metrics ?? null;
  if (metrics !== null && !Array.isArray(metrics)) fail("compare.metrics must be a list or null");
  const statistic = c.statistic ?? "win_rate";
  if (!(STATISTICS as readonly string[]).includes(statistic as string)) {
    fail(`compare.statistic must be one of ${STATISTICS.join(", ")}`);
  }
  const alpha = c.alpha;
  if (typeof alpha !== "number" || !(alpha > 0 && alpha < 1)) {
    fail("compare.alpha must be in (0, 1)");
  }
  const claims: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(obj(o.claims ?? {}, "claims", where))) {
    if (!Array.isArray(members) || members.length === 0) {
      fail(`claims.${name} must be a non-empty list of declared comparisons`);
    }
    for (const m of members as unknown[]) {
      if (!(comparisons as unknown[]).includes(m)) {
        fail(`claims.${name} names '${m}', which is not in compare.comparisons`);
      }
    }
    claims[name] = members as string[];
  }
  return {
    source: where,
    seeds: seeds as number,
    config,
    trainers,
    compare: {
      comparisons: comparisons as string[],
      metrics: metrics as string[] | null,
      statistic: statistic as Statistic,
      alpha: alpha as number,
    },
    claims,
  };
}
