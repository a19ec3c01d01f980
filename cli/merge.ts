/**
 * `capo merge --run runs/<name> [--stage S ...] [--no-verify]`: checks that the n workers of a
 * sharded run (`--shard i/n`) are complete and consistent and writes one manifest.json per stage
 * (pipeline/scale/merge.ts). Exit status: 0 merged, 1 a check failed (the message names the stage,
 * worker and file), 2 bad arguments.
 */
import { mergeRun } from "../pipeline/scale/merge.ts";

export const MERGE_USAGE = `usage: capo merge --run DIR [--stage STAGE ...] [--no-verify]

Checks that every worker of a sharded run (--shard i/n) finished each stage with the same config
and no prompt in two workers, then writes <run>/<stage>/manifest.json listing all their shards.
  --run DIR       the run directory, e.g. runs/default
  --stage STAGE   merge only this stage (repeatable); default: every stage with worker manifests
  --no-verify     skip re-reading every shard's bytes against its sha256`;

export async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(MERGE_USAGE);
    return 0;
  }
  let run: string | null = null;
  const stages: string[] = [];
  let verify = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--no-verify") {
      verify = false;
    } else if (a === "--run" || a === "--stage") {
      const v = args[++i];
      if (v === undefined) {
        console.error(`capo merge: Cannot use ${a} as it needs a value\n\n${MERGE_USAGE}`);
        return 2;
      }
      if (a === "--run") run = v;
      else stages.push(v);
    } else {
      console.error(`capo merge: Cannot use argument '${a}' as it is not a flag\n\n${MERGE_USAGE}`);
      return 2;
    }
  }
  if (run === null) {
    console.error(`capo merge: Cannot merge as --run is required\n\n${MERGE_USAGE}`);
    return 2;
  }
  try {
    const merged = await mergeRun(run, { verify, ...(stages.length ? { stages } : {}) });
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
