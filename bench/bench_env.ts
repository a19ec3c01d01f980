/**
 * What the model benches share: the model directory option and a line describing the
 * conditions of a measurement (nice value, load, cores), since every figure on this machine is
 * taken while pretraining owns one of its two cores.
 */
import os from "node:os";

/** The generator's default base; the coordinator ships it at the end of a session. */
export const DEFAULT_MODEL = "data/models/base-eps";

/** `--model <dir>` from the command line (other arguments, e.g. bench names, are ignored). */
export function modelDirFromArgs(args: readonly string[]): string {
  const i = args.indexOf("--model");
  if (i < 0) return DEFAULT_MODEL;
  const dir = args[i + 1];
  if (dir === undefined || dir.startsWith("--")) {
    throw new TypeError(
      `Cannot read --model as it must be followed by a model directory: current value is ${
        JSON.stringify(dir ?? null)
      }`,
    );
  }
  return dir;
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
