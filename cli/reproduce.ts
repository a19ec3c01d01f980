/**
 * `capo reproduce` (`deno task reproduce`): the paper's two tables at our scale for the eps and
 * flow bases (reproduce/). Prints the rerun line of every cell and where the report is.
 * Exit status: 0 done (a missing base is a warning), 1 a cell failed, 2 bad arguments,
 * 130/143 cancelled by SIGINT/SIGTERM (finished cells are kept; the report shows them).
 */
import { cancelOnSignals, exitCodeFor } from "../pipeline/cancel_on_signals.ts";
import { logger } from "../lib/log.ts";
import { parseReproduceArgs, REPRODUCE_USAGE } from "../pipeline/reproduce/options.ts";
import { reportPaths, reproduce } from "../pipeline/reproduce/runner.ts";
import { parseReproducePlan } from "../pipeline/reproduce/repro_plan.ts";

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseReproduceArgs(args);
  } catch (err) {
    console.error(
      `capo reproduce: ${err instanceof Error ? err.message : err}\n\n${REPRODUCE_USAGE}`,
    );
    return 2;
  }
  if (parsed === "help") {
    console.log(REPRODUCE_USAGE);
    return 0;
  }
  let plan = null;
  if (parsed.planFile !== null) {
    try {
      plan = parseReproducePlan(
        JSON.parse(await Deno.readTextFile(parsed.planFile)),
        parsed.planFile,
      );
    } catch (err) {
      console.error(
        `capo reproduce: Cannot use --plan ${parsed.planFile}: ${
          err instanceof Error ? err.message : err
        }`,
      );
      return 2;
    }
  }
  logger("reproduce").info(`options ${JSON.stringify(parsed)}`);
  const cancel = cancelOnSignals();
  let outcome;
  try {
    outcome = await reproduce({ ...parsed, plan, signal: cancel.signal });
  } finally {
    cancel.dispose();
  }
  for (const p of outcome.plans) {
    if (p.missing !== null) {
      console.log(`${p.base}: not run: ${p.missing}`);
      continue;
    }
    for (const c of p.cells) console.log(`${p.base}/${c.name} [${c.status}]: ${c.rerun}`);
  }
  console.log(`report: ${reportPaths(parsed.out).join(", ")}`);
  if (outcome.status === "cancelled") return exitCodeFor(cancel.signal.reason);
  return outcome.status === "failed" ? 1 : 0;
}
