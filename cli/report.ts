/**
 * `capo report <run dir> [--no-samples] [--prompts N] [--seeds N] [--pareto N]`: (re)writes a
 * finished run's report, `<run>/report.md` with its tables and the PNG figures and base vs
 * tuned contact sheets under `<run>/report/` (pipeline/report/run_report.ts). Prints the report's path.
 * Exit status: 0 written, 2 bad arguments, 1 a missing or unreadable input (named).
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { writeRunReport } from "../pipeline/report/run_report.ts";

const USAGE = `usage: capo report RUN_DIR [--no-samples] [--prompts N] [--seeds N] [--pareto N]

Writes RUN_DIR/report.md and RUN_DIR/report/*.png from the run's config, stage shards, training
log and eval/eval.json.
  --no-samples  skip the base vs tuned contact sheets (they sample both models again)
  --prompts N   eval prompts per contact sheet (default 8)
  --seeds N     contact sheets, one per seed index (default 2)
  --pareto N    training prompts in the calibrated-rewards figure (default 4)`;

function count(flag: string, s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Cannot use --${flag} as it must be a positive integer: current value is ${s}`,
    );
  }
  return n;
}

export async function main(args: string[]): Promise<number> {
  let values, positionals;
  let opts;
  try {
    ({ values, positionals } = parseFlags("capo report", {
      args,
      allowPositionals: true,
      options: {
        "no-samples": { type: "boolean", default: false },
        prompts: { type: "string" },
        seeds: { type: "string" },
        pareto: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new RangeError(
        `Cannot write a report as exactly one run directory is needed: current value is ${
          JSON.stringify(positionals)
        }`,
      );
    }
    opts = {
      contactSheets: !values["no-samples"],
      contactPrompts: count("prompts", values.prompts, 8),
      contactSeeds: count("seeds", values.seeds, 2),
      paretoPrompts: count("pareto", values.pareto, 4),
    };
  } catch (err) {
    console.error(`capo report: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const result = await writeRunReport(positionals[0]!, opts);
  console.log(result.path);
  return 0;
}
