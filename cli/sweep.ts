/**
 * `capo sweep PLAN` (`deno task sweep`): a hyperparameter search on dev prompts
 * (pipeline/sweep/): every point of the plan's grid is trained and evaluated on dev, and each
 * finished point is appended to the plan's committed record. `--table` prints the record as a
 * markdown table (seeds averaged, the chosen point marked) and runs nothing.
 *
 * Exit status: 0 done, 1 a point failed (the points before it are recorded), 2 a bad plan or
 * argument (nothing run), 130/143 cancelled by SIGINT/SIGTERM.
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { cancelOnSignals, exitCodeFor } from "../pipeline/cancel_on_signals.ts";
import { parseSweepPlan, sharedConfig, sweepPoints } from "../pipeline/sweep/sweep_plan.ts";
import { readRecords, recordTable } from "../pipeline/sweep/sweep_record.ts";
import { runSweep } from "../pipeline/sweep/run_sweep.ts";

const USAGE = `usage: capo sweep PLAN.json [--table | --upstream-only]

Trains and evaluates every point of PLAN's grid on its dev prompts (never data/prompts/eval.txt),
appending each finished point to PLAN's record file (JSON lines); points already recorded are
skipped, so a cut-short sweep continues where it stopped. Runs go to runs/sweep/<name>/;
the record must be under docs/search/ or runs/.
  --table          print the record as a markdown table (the chosen point marked), run nothing
  --upstream-only  run only the shared stages (prompts, generate, score) in
                   runs/sweep/<shared>/upstream, e.g. to measure the base's tau there (capo tau)
                   before any point calibrates`;

export async function main(args: string[]): Promise<number> {
  const parsed = await parsedOrExit("capo sweep", USAGE, async () => {
    const p = parseFlags("capo sweep", {
      args,
      allowPositionals: true,
      options: {
        table: { type: "boolean", default: false },
        "upstream-only": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (p.values.help) return "help";
    if (p.positionals.length !== 1) {
      throw new RangeError(
        `Cannot run a sweep as it takes one plan file: current arguments are ${
          JSON.stringify(p.positionals)
        }`,
      );
    }
    const path = p.positionals[0]!;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      throw new Error(`Cannot read sweep plan ${path}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new SyntaxError(`Cannot parse sweep plan ${path} as JSON: ${(err as Error).message}`);
    }
    const plan = parseSweepPlan(json, path);
    const runsDir = "runs";
    sweepPoints(plan, sharedConfig(plan, runsDir)); // every point's config checked up front
    return { plan, runsDir, table: p.values.table, upstreamOnly: p.values["upstream-only"] };
  });
  if (typeof parsed === "number") return parsed;
  const { plan, runsDir } = parsed;
  if (parsed.table) {
    console.log(recordTable(await readRecords(plan.record)));
    return 0;
  }
  const cancel = cancelOnSignals();
  try {
    const r = await runSweep(plan, {
      runsDir,
      signal: cancel.signal,
      upstreamOnly: parsed.upstreamOnly,
    });
    console.log(
      `sweep ${plan.name}: ${r.ran} points run, ${r.skipped} already recorded in ${plan.record}`,
    );
    return r.status === "cancelled" ? exitCodeFor(cancel.signal.reason) : 0;
  } finally {
    cancel.dispose();
  }
}
