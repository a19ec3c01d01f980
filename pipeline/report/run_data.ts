/**
 * Everything the run report reads from a run directory, read-only:
 *
 *     config.json          the run's config (pipeline/config.ts)
 *     <stage>/manifest.json  per-stage counts (prompts, generate, score, calibrate, select)
 *     calibrate/, select/  Parquet shards: calibrated rewards of every sample, selected pairs
 *     train/log.jsonl      the trainer's per-step metrics (stages/train/fine_tune.ts)
 *     eval/eval.json       the evaluation (stages/evaluate/eval_report.ts)
 *     generate/manifest.json, imported/source.json  whether the samples were imported
 *                          (sample_origin.ts)
 *
 * A missing input is a TypeError naming the file and what produces it.
 */
import { join } from "node:path";
import type { PerImageScores } from "../../stages/evaluate/compare_models.ts";
import type { EvalReport } from "../../stages/evaluate/eval_report.ts";
import { openStage, shardTables } from "../exchange/stage_data.ts";
import type { Manifest } from "../manifest.ts";
import { calibratedSchema } from "../../schemas/calibrated.ts";
import { pairSchema } from "../../schemas/pair.ts";
import { listStages, scanStage } from "../scale/stage_scan.ts";
import type { StepMetrics } from "../../stages/train/preference_trainer.ts";
import { parseTrainLog } from "../../stages/train/train_log.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import { type ImportedSamples, readImportedSamples } from "./sample_origin.ts";
import { DATA_STAGES } from "../../schemas/stage_names.ts";

/** The method's stages in run order (others a run holds are listed after them). */
export const STAGE_ORDER = DATA_STAGES;

/** eval.json as stored: one written before per-image scores were kept has none. */
export type StoredEval = Omit<EvalReport, "per_image"> & { per_image?: PerImageScores };

export interface StageCount {
  stage: string;
  /** The record type its shards hold (schema name). */
  records: string;
  groups: number;
  rows: number;
  shards: number;
  /** Groups with no rows (e.g. prompts for which FRS found no pair). */
  emptyGroups: number;
  complete: boolean;
}

/** One prompt's calibrated samples and the pairs selected from them. */
export interface PromptFront {
  promptId: string;
  prompt: string;
  /** rca[i][k]: Rca of reward k for sample_index i. */
  rca: number[][];
  pairs: { winner: number; loser: number }[];
}

export interface RunData {
  runDir: string;
  /** The parsed config.json (checked to be an object only; read with `field`). */
  config: Record<string, unknown>;
  stages: StageCount[];
  /** Reward names, in column order of the calibrate stage. */
  rewards: string[];
  /** The tau each reward was calibrated with (the calibrate stage's hashed config). */
  tau: Record<string, number> | null;
  /** Every prompt of the calibrate stage, with its pairs from the select stage. */
  fronts: PromptFront[];
  trainLog: StepMetrics[];
  /** train/summary.json if present (steps, pairs, options). */
  trainSummary: Record<string, unknown> | null;
  eval: StoredEval;
  /** The samples' origin when `capo import` made them (no generator ran); null otherwise. */
  imported: ImportedSamples | null;
}

/** The files the report cannot do without, each with what writes it. */
export const REQUIRED_INPUTS: readonly [string, string][] = [
  ["config.json", "deno task run writes it when the run starts"],
  ["calibrate/manifest.json", "the run's calibrate stage"],
  ["select/manifest.json", "the run's select stage"],
  ["train/log.jsonl", "the run's train stage (one line per step)"],
  ["eval/eval.json", "the evaluation after training, or capo evaluate --out <run>/eval"],
];

async function readText(runDir: string, file: string, why: string): Promise<string> {
  const path = join(runDir, file);
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new TypeError(
        `Cannot write the report of ${runDir} as ${path} does not exist (${why})`,
      );
    }
    throw err;
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TypeError(`Cannot read ${path} as it is not valid JSON: ${err}`);
  }
}

/** `obj.a.b...` as a value, or undefined when any step is missing. */
export function field(obj: unknown, ...path: string[]): unknown {
  let v: unknown = obj;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Reads a run; `config` stands in for config.json (the run itself passes its own). */
export async function readRunData(runDir: string, config?: unknown): Promise<RunData> {
  // Every required file first, so a missing one is reported before any work.
  const texts = new Map<string, string>();
  for (const [file, why] of REQUIRED_INPUTS) {
    if (file === "config.json" && config !== undefined) continue;
    texts.set(file, await readText(runDir, file, why));
  }
  config ??= parseJson(texts.get("config.json")!, join(runDir, "config.json"));
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new TypeError(`Cannot read ${join(runDir, "config.json")} as it is not a JSON object`);
  }
  const evalPath = join(runDir, "eval", "eval.json");
  const evalReport = parseJson(texts.get("eval/eval.json")!, evalPath) as StoredEval;
  if (!Array.isArray(evalReport?.rewards) || typeof evalReport.prompts !== "number") {
    throw new TypeError(`Cannot read ${evalPath} as it has no 'rewards' list or 'prompts' count`);
  }
  const logPath = join(runDir, "train", "log.jsonl");
  const trainLog = parseTrainLog(texts.get("train/log.jsonl")!, logPath);
  const summaryPath = join(runDir, "train", "summary.json");
  const summaryText = await readTextIfExists(summaryPath);
  const trainSummary = summaryText === null
    ? null
    : parseJson(summaryText, summaryPath) as Record<string, unknown>;
  const { rewards, tau, fronts } = await readFronts(runDir);
  return {
    tau,
    runDir,
    config: config as Record<string, unknown>,
    stages: await stageCounts(runDir),
    rewards,
    fronts,
    trainLog,
    trainSummary,
    eval: evalReport,
    imported: await readImportedSamples(runDir),
  };
}

/** Counts of every stage with a single-worker (or merged) manifest, in run order. */
export async function stageCounts(runDir: string): Promise<StageCount[]> {
  const names = await listStages(runDir);
  const rank = (s: string) => {
    const i = (STAGE_ORDER as readonly string[]).indexOf(s);
    return i < 0 ? STAGE_ORDER.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const out: StageCount[] = [];
  for (const stage of names) {
    const m: Manifest | null = (await scanStage(runDir, stage)).single;
    if (m === null) continue; // a sharded stage not merged yet: nothing reliable to count
    out.push({
      stage,
      records: m.schema.name,
      groups: m.groups,
      rows: m.rows,
      shards: m.shards.length,
      emptyGroups: m.shards.reduce((a, s) => a + s.group_rows.filter((n) => n === 0).length, 0),
      complete: m.complete,
    });
  }
  return out;
}

/** The calibrated vectors of every prompt, joined with the select stage's pairs. */
async function readFronts(
  runDir: string,
): Promise<{ rewards: string[]; tau: Record<string, number> | null; fronts: PromptFront[] }> {
  const cal = await openStage(runDir, "calibrate");
  const cfgTau = (cal.manifest.config as { tau?: unknown } | null)?.tau;
  const tau = cfgTau && typeof cfgTau === "object" ? cfgTau as Record<string, number> : null;
  const rewards = cal.manifest.schema.columns.filter((c) => c.startsWith("rca_"))
    .map((c) => c.slice(4));
  const byPrompt = new Map<string, PromptFront>();
  const fronts: PromptFront[] = [];
  const calSchema = calibratedSchema(rewards);
  for await (const { file, table } of shardTables(cal)) {
    for (const row of calSchema.fromTable(table, join(cal.dir, file))) {
      let f = byPrompt.get(row.prompt_id);
      if (f === undefined) {
        f = { promptId: row.prompt_id, prompt: row.prompt, rca: [], pairs: [] };
        byPrompt.set(row.prompt_id, f);
        fronts.push(f);
      }
      const r = row as unknown as Record<string, number>;
      f.rca[row.sample_index] = rewards.map((k) => r[`rca_${k}`]!);
    }
  }
  const sel = await openStage(runDir, "select");
  const selRewards = sel.manifest.schema.columns.filter((c) => c.startsWith("rca_winner_"))
    .map((c) => c.slice("rca_winner_".length));
  const pairs = pairSchema(selRewards);
  for await (const { file, table } of shardTables(sel)) {
    for (const p of pairs.fromTable(table, join(sel.dir, file))) {
      byPrompt.get(p.prompt_id)?.pairs.push({ winner: p.winner_index, loser: p.loser_index });
    }
  }
  return { rewards, tau, fronts };
}
