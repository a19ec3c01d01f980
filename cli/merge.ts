/**
 * `capo merge --run runs/<name> [--stage S ...] [--no-verify]`: checks that the n workers of a
 * sharded run (`--shard i/n`) are complete and consistent and writes one manifest.json per stage
 * (pipeline/scale/merge.ts). Exit status: 0 merged, 1 a check failed (the message names the stage,
 * worker and file), 2 bad arguments.
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { mergeRun } from "../pipeline/scale/merge.ts";
import { acquireRunLock } from "../pipeline/run_lock.ts";
import { exists } from "../lib/read_if_exists.ts";

export const MERGE_USAGE = `usage: capo merge --run DIR [--stage STAGE ...] [--no-verify]

Checks that every worker of a sharded run (--shard i/n) finished each stage with the same config
and no prompt in two workers, then writes <run>/<stage>/manifest.json listing all their shards.
  --run DIR       the run directory, e.g. runs/default
  --stage STAGE   merge only this stage (repeatable); default: every stage with worker manifests
  --no-verify     skip re-reading every shard's bytes against its sha256`;

export async function main(args: string[]): Promise<number> {
  const values = await parsedOrExit("capo merge", MERGE_USAGE, () => {
    const { values } = parseFlags("capo merge", {
      args,
      options: {
        run: { type: "string" },
        stage: { type: "string", multiple: true, default: [] },
        "no-verify": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    return values.help ? "help" : values;
  });
  if (typeof values === "number") return values;
  const { run, stage: stages } = values;
  if (run === undefined) {
    console.error(`capo merge: Cannot merge as --run is required\n\n${MERGE_USAGE}`);
    return 2;
  }
  try {
    // The merge rewrites every stage's manifest: no worker of the run may be writing meanwhile.
    await using _lock = await exists(run)
      ? await acquireRunLock(run, { command: "capo merge" })
      : null;
    const merged = await mergeRun(run, {
      verify: !values["no-verify"],
      ...(stages.length ? { stages } : {}),
    });
    for (const m of merged) {
      console.log(
        `merged ${m.stage}: ${m.count} workers, ${m.manifest.shards.length} shards, ` +
          `${m.manifest.groups} groups, ${m.manifest.rows} rows` +
          (m.replaces ? " (replaced the previous merge)" : ""),
      );
    }
    return 0;
  } catch (err) {
    console.error(`capo merge: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
}
