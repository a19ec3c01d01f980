/**
 * What the model benches share: the model directory option and a line describing the
 * conditions of a measurement (nice value, load, cores), since every figure on this machine is
 * taken while pretraining owns one of its two cores.
 */
import os from "node:os";
import { parseFlags } from "../lib/parse_flags.ts";

/** The generator's default base; the coordinator ships it at the end of a session. */
export const DEFAULT_MODEL = "data/models/base-eps";

/**
 * The flags of `deno task bench` (bench/mod.ts, which takes bench names as positional
 * arguments) and of a bench file run alone; a bench reads the ones it takes from Deno.args, so
 * every flag any bench reads is declared here, once.
 */
const BENCH_OPTIONS = {
  json: { type: "boolean", default: false }, // bench/mod.ts: results as one JSON object
  model: { type: "string", default: DEFAULT_MODEL }, // sample, train, generate_memory
  prompts: { type: "string" }, // generate_memory
  n: { type: "string" }, // generate_memory
  child: { type: "boolean", default: false }, // generate_memory's own measuring process
  rows: { type: "string" }, // parquet_bench.ts run alone
  samples: { type: "string" }, // select_bench.ts run alone
} as const;

/** The bench flags and positional arguments (bench names) of `args`; a UsageError on a bad one. */
export function benchFlags(args: readonly string[]) {
  return parseFlags("deno task bench", {
    args: [...args],
    options: BENCH_OPTIONS,
    allowPositionals: true,
  });
}

/** `--model <dir>` from the command line, or DEFAULT_MODEL. */
export function modelDirFromArgs(args: readonly string[]): string {
  return benchFlags(args).values.model;
}

/**
 * Flag `name` of `args` (e.g. "prompts" for `--prompts 64`) as an integer >= `min`, or
 * `fallback` when it is not given.
 */
export function intFlag(
  args: readonly string[],
  name: "prompts" | "n" | "rows" | "samples",
  fallback: number,
  min = 1,
): number {
  const v = benchFlags(args).values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < min) {
    const want = min === 1 ? "a positive integer" : `an integer >= ${min}`;
    throw new RangeError(`Cannot read --${name} as it must be ${want}: current value is ${v}`);
  }
  return n;
}

/** `<dir>/model.safetensors`, checked to exist, with a hint when the default is not there. */
export async function modelFile(dir: string, what: string): Promise<string> {
  const file = dir.endsWith(".safetensors") ? dir : `${dir}/model.safetensors`;
  try {
    await Deno.stat(file);
  } catch {
    const hint = dir === DEFAULT_MODEL ? " (not shipped yet? pass --model runs/snapA)" : "";
    throw new TypeError(`Cannot ${what} as '${file}' does not exist${hint}`);
  }
  return file;
}

/**
 * "under nice 10, load average 3.1 2.8 2.5, 2 cores, while a pretraining process ran": each
 * part only when it can be read (nice and load need --allow-sys, the process check
 * --allow-run; Deno refuses /proc without --allow-all, hence node:os and pgrep).
 */
export async function conditions(): Promise<string> {
  const parts: string[] = [];
  try {
    parts.push(`under nice ${os.getPriority()}`);
    parts.push(`load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  } catch { /* no --allow-sys */ }
  parts.push(`${navigator.hardwareConcurrency} cores`);
  const pre = await pretrainingRuns();
  if (pre !== null) parts.push(pre ? "while a pretraining process ran" : "no pretraining running");
  return parts.join(", ");
}

/** Whether a `capo.ts pretrain` process runs (it owns a core); null when it cannot be told. */
async function pretrainingRuns(): Promise<boolean | null> {
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") return null;
  try {
    const out = await new Deno.Command("pgrep", { args: ["-f", "capo.ts pretrain"] }).output();
    return out.code === 0;
  } catch {
    return null;
  }
}
