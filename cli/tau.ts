/**
 * `capo tau --run DIR --base MODEL_DIR`: measures the calibration temperature tau of each reward
 * on a base model's own samples (pipeline/measure_tau.ts) from a run's complete score stage,
 * and writes it to MODEL_DIR/tau.json, which every run generating with that base then uses
 * (pipeline/method.ts). The run must have sampled from exactly that base (checked by the
 * weights' sha256); measure it on the fine-tuning prompts, never on the evaluation prompts.
 *
 * Exit status: 0 written, 2 bad arguments, 1 the run or base does not fit (the message says why).
 */
import { join } from "node:path";
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { sha256Hex } from "../lib/hash.ts";
import { writeFileAtomic } from "../lib/atomic_write.ts";
import { measureBaseTau } from "../pipeline/measure_tau.ts";
import { BASE_TAU_FILE } from "../stages/calibrate/base_tau.ts";

const USAGE = `usage: capo tau --run DIR --base MODEL_DIR

Measures each reward's tau (the median within-prompt standard deviation of its scores) on the
samples of DIR's score stage, which must have been drawn from MODEL_DIR, and writes
MODEL_DIR/${BASE_TAU_FILE}. Runs generating with MODEL_DIR then calibrate with it.`;

export async function main(args: string[]): Promise<number> {
  const parsed = await parsedOrExit("capo tau", USAGE, () => {
    const p = parseFlags("capo tau", {
      args,
      options: {
        run: { type: "string" },
        base: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (p.values.help) return "help";
    if (p.values.run === undefined || p.values.base === undefined) {
      throw new RangeError("Cannot measure tau as it needs both --run and --base");
    }
    return { run: p.values.run, base: p.values.base };
  });
  if (typeof parsed === "number") return parsed;
  const weights = join(parsed.base, "model.safetensors");
  let baseSha: string;
  try {
    baseSha = sha256Hex(await Deno.readFile(weights));
  } catch (err) {
    console.error(`capo tau: Cannot read --base ${weights}: ${(err as Error).message}`);
    return 1;
  }
  const { tau, model } = await measureBaseTau(parsed.run);
  if (model !== baseSha) {
    console.error(
      `capo tau: Cannot write tau for --base ${parsed.base} as ${parsed.run} sampled from another ` +
        `model (sha256 ${model.slice(0, 16)}, the base's is ${baseSha.slice(0, 16)})`,
    );
    return 1;
  }
  const path = join(parsed.base, BASE_TAU_FILE);
  await writeFileAtomic(path, JSON.stringify(tau, null, 2) + "\n");
  const list = Object.entries(tau.rewards).map(([k, v]) => `${k} ${v.tau}`).join(", ");
  console.log(`tau of ${tau.base} on ${tau.measured_on.prompts}: ${list} -> ${path}`);
  return 0;
}
