/**
 * A hyperparameter sweep on dev prompts (docs/method.md §6.5): one committed plan file names the
 * shared config, a grid over downstream keys and the training seeds; every point of the grid
 * is a run that reuses one shared generate + score, and every finished point is appended to a
 * committed record file (sweep_record.ts). Pure: parsing and expanding a plan opens nothing.
 *
 *     {
 *       "name": "eps-capo",                        // points run in runs/sweep/<shared>/<name>/
 *       "shared": "eps",                           // generate + score in runs/sweep/<shared>/upstream
 *       "record": "docs/defaults/search.jsonl",     // the committed record, one line a point
 *       "note": "why this sweep, what it chooses",
 *       "config": { "evaluate": { "prompts": "data/prompts/dev.txt" }, ... },  // a ConfigPatch
 *       "grid": { "train.beta": [2500, 10000], "train.lr": [5e-6, 2e-5] },
 *       "seeds": 1,
 *       "curve": false                             // true: evaluate every train.snapshot_every
 *     }                                            //   snapshot on dev too (curves over steps)
 *
 * A sweep must evaluate on a file other than the locked test set (data/prompts/eval.txt), and
 * its grid may vary only what comes after the shared stages (calibrate, select, train).
 */
import { basename, normalize, resolve } from "node:path";
import { type ConfigPatch, DEFAULTS, mergeConfig, type RunConfig } from "../config.ts";
import { SHARED_STAGES } from "../reproduce/share_upstream.ts";

/** The locked test set: no sweep may evaluate on it. */
export const TEST_PROMPTS = "data/prompts/eval.txt";

/** The sections a grid may vary: every point shares prompts, generate and score. */
const GRID_SECTIONS = ["calibrate", "select", "train"] as const;

export type GridValue = number | string | boolean | null;

export interface SweepPlan {
  name: string;
  /** Plans with the same `shared` (and equal shared sections) share one generate + score. */
  shared: string;
  record: string;
  note: string;
  config: ConfigPatch;
  /** "section.key" -> the values tried, in order. */
  grid: Record<string, GridValue[]>;
  seeds: number;
  /** Evaluate each point's training snapshots (train.snapshot_every) on dev as well. */
  curve: boolean;
  /** The plan file, for messages. */
  source: string;
}

export interface SweepPoint {
  /** "section.key" -> value, in the grid's key order. */
  values: Record<string, GridValue>;
  seed: number;
  /** Directory name under runs/sweep/<name>/. */
  name: string;
  config: RunConfig;
}

const fail = (where: string, msg: string): never => {
  throw new TypeError(`Cannot read sweep plan ${where} as ${msg}`);
};

/** Validates a parsed plan file (`where` names it in errors). */
export function parseSweepPlan(x: unknown, where: string): SweepPlan {
  if (x === null || typeof x !== "object" || Array.isArray(x)) fail(where, "it is not an object");
  const o = x as Record<string, unknown>;
  const known = ["name", "shared", "record", "note", "config", "grid", "seeds", "curve"];
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) fail(where, `'${k}' is not a key (keys are ${known.join(", ")})`);
  }
  const name = o.name;
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    fail(where, `name must be a directory name of letters, digits, '.', '_' or '-': ${name}`);
  }
  const shared = o.shared ?? name;
  if (typeof shared !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(shared)) {
    fail(where, `shared must be a directory name like name: ${shared}`);
  }
  if (typeof o.record !== "string" || !o.record.endsWith(".jsonl")) {
    fail(where, `record must be a path ending in .jsonl: current value is ${o.record}`);
  }
  if (!/^(docs\/search|runs)\//.test(normalize(o.record as string))) {
    fail(
      where,
      `record must be under docs/search/ or runs/ (what capo sweep may write): ${o.record}`,
    );
  }
  const note = o.note ?? "";
  if (typeof note !== "string") fail(where, "note must be a string");
  const config = o.config ?? {};
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    fail(where, "config must be an object (a run config patch)");
  }
  const seeds = o.seeds ?? 1;
  if (!Number.isInteger(seeds) || (seeds as number) < 1) {
    fail(where, `seeds must be an integer >= 1: current value is ${seeds}`);
  }
  const curve = o.curve ?? false;
  if (typeof curve !== "boolean") {
    fail(where, `curve must be true or false: current value is ${curve}`);
  }
  const grid = o.grid;
  if (grid === null || typeof grid !== "object" || Array.isArray(grid)) {
    fail(where, "grid must be an object of 'section.key': [values]");
  }
  for (const [k, vs] of Object.entries(grid as object)) {
    const [section, key, ...rest] = k.split(".");
    if (
      rest.length > 0 || key === undefined ||
      !(GRID_SECTIONS as readonly string[]).includes(section!)
    ) {
      fail(
        where,
        `grid key '${k}' is not one of ${GRID_SECTIONS.join(", ")}'s keys ('section.key'): ` +
          `the points share ${SHARED_STAGES.join(", ")}`,
      );
    }
    if (!Array.isArray(vs) || vs.length === 0) fail(where, `grid.${k} must be a non-empty list`);
    for (const v of vs as unknown[]) {
      if (v !== null && !["number", "string", "boolean"].includes(typeof v)) {
        fail(
          where,
          `grid.${k} holds ${JSON.stringify(v)}: values are numbers, strings, booleans or null`,
        );
      }
    }
  }
  return {
    name: name as string,
    shared: shared as string,
    record: o.record as string,
    note: note as string,
    config: config as ConfigPatch,
    grid: grid as Record<string, GridValue[]>,
    seeds: seeds as number,
    curve: curve as boolean,
    source: where,
  };
}

/**
 * The shared config of a plan's points: the run `upstream` in `runsDir`/sweep/<shared>/ (the
 * points run in its subfolder <name>/), checked.
 */
export function sharedConfig(plan: SweepPlan, runsDir: string): RunConfig {
  const cfg = mergeConfig(
    mergeConfig(DEFAULTS, plan.config, plan.source),
    { name: "upstream", runs_dir: `${runsDir}/sweep/${plan.shared}` },
    plan.source,
  );
  if (plan.curve && cfg.train.snapshot_every === null) {
    throw new RangeError(
      `Cannot run sweep ${plan.source} as curve is true but config.train.snapshot_every is not set`,
    );
  }
  if (resolve(cfg.evaluate.prompts) === resolve(TEST_PROMPTS)) {
    throw new RangeError(
      `Cannot run sweep ${plan.source} as it evaluates on ${TEST_PROMPTS}, the locked test set: ` +
        "a search evaluates on dev prompts (set config.evaluate.prompts, e.g. " +
        "data/prompts/dev.txt); the test set is for configurations frozen beforehand",
    );
  }
  return cfg;
}

const short = (v: GridValue) => String(v).replace(/[^A-Za-z0-9.+-]/g, "_");

/** Every point of the grid (the last key varying fastest), seed by seed. */
export function sweepPoints(plan: SweepPlan, shared: RunConfig): SweepPoint[] {
  const keys = Object.keys(plan.grid);
  let combos: Record<string, GridValue>[] = [{}];
  for (const k of keys) {
    combos = combos.flatMap((c) => plan.grid[k]!.map((v) => ({ ...c, [k]: v })));
  }
  const points: SweepPoint[] = [];
  for (let seed = 0; seed < plan.seeds; seed++) {
    for (const values of combos) {
      const label = keys.map((k) => `${k.split(".")[1]}-${short(values[k]!)}`).join("_");
      const name = `${label || "point"}${seed === 0 ? "" : `-seed${seed}`}`;
      const patch: Record<string, Record<string, GridValue>> = {};
      for (const [k, v] of Object.entries(values)) {
        const [section, key] = k.split(".") as [string, string];
        (patch[section] ??= {})[key] = v;
      }
      const where = `${plan.source} point ${name}`;
      let config = mergeConfig(shared, patch as ConfigPatch, where);
      config = mergeConfig(config, {
        name,
        runs_dir: `${shared.runs_dir}/${plan.name}`,
        select: { seed: config.select.seed + seed },
        train: { seed: config.train.seed + seed },
      }, where);
      points.push({ values, seed, name, config });
    }
  }
  return points;
}

/** A short description of the plan for logs. */
export function describePlan(plan: SweepPlan, points: number): string {
  const axes = Object.entries(plan.grid).map(([k, vs]) => `${k} ${JSON.stringify(vs)}`);
  return `sweep ${plan.name} (${basename(plan.source)}): ${points} points = ${
    axes.join(" x ") || "one point"
  } x ${plan.seeds} seed(s), recorded in ${plan.record}`;
}
