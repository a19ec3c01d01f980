/**
 * `capo import --input PATH [options]`: images generated elsewhere -> the Sample stage of a run
 * (pipeline/exchange/import_run.ts), so capo scores, calibrates and selects pairs from them.
 *
 * Exit status: 0 imported (skipped images are listed as warnings), 1 an image or the input is
 * bad (the message names the file and line or row) or the run failed, 2 bad arguments,
 * 130/143 cancelled by SIGINT/SIGTERM (completed shards kept; run it again to resume).
 */
import { BAD_IMAGE_POLICIES, type BadImagePolicy } from "../pipeline/exchange/import_stage.ts";
import { type ImportOptions, runImport } from "../pipeline/exchange/import_run.ts";
import { cancelOnSignals, exitCodeFor } from "../pipeline/cancel_on_signals.ts";
import { parseWorkShard } from "../pipeline/work_shard.ts";
import { withShardFromEnv } from "../pipeline/scale/shard_env.ts";

export const IMPORT_USAGE = `usage: capo import --input PATH [--name NAME] [--runs-dir DIR]
                   [--on-bad-image stop|skip] [--size WxH] [--model-id ID] [--sampler S]
                   [--steps N] [--guidance G] [--shard i/n] [--shard-rows N]

Imports images generated elsewhere as the Sample stage ('generate') of run <runs-dir>/<name>:
  --input PATH        a folder of .png/.jpg/.jpeg with captions.jsonl ({"file", "prompt",
                      "seed"?} per line; without it, captions come from the file names), or a
                      .parquet file with columns prompt, image ({bytes, path} or binary), seed?
  --on-bad-image      stop (default): an unreadable image stops the import, naming the file;
                      skip: it is left out with a warning naming the file
  --size WxH          require this image size (e.g. 32x32 for ShapeWorld's reward models)
  --model-id, --sampler, --steps, --guidance
                      recorded in every Sample row (defaults: imported, external, 0, 0)
  --name (default), --runs-dir (runs), --shard i/n, --shard-rows N (4096): as capo run
Images are stored as PNG (JPEGs decoded, pixels kept). Then continue with:
  deno task run --name NAME --prompts <runs-dir>/<name>/imported/prompts.txt`;

function parse(args: string[]): ImportOptions {
  const o: ImportOptions = { input: "", runsDir: "runs", name: "default" };
  const meta: NonNullable<ImportOptions["meta"]> = {};
  const num = (flag: string, v: string, integer: boolean) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || (integer && (!Number.isInteger(n) || n < 0))) {
      throw new TypeError(
        `Cannot use ${flag} as it must be ${integer ? "a non-negative integer" : "a number"}: ` +
          `current value is '${v}'`,
      );
    }
    return n;
  };
  const { args: all } = withShardFromEnv(args);
  for (let i = 0; i < all.length; i += 2) {
    const flag = all[i]!;
    const v = all[i + 1];
    if (v === undefined) throw new TypeError(`Cannot use ${flag} as it needs a value`);
    switch (flag) {
      case "--input":
        o.input = v;
        break;
      case "--name":
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)) {
          throw new TypeError(
            `Cannot use --name as it must be a plain name: current value is '${v}'`,
          );
        }
        o.name = v;
        break;
      case "--runs-dir":
        o.runsDir = v;
        break;
      case "--on-bad-image":
        if (!(BAD_IMAGE_POLICIES as readonly string[]).includes(v)) {
          throw new TypeError(
            `Cannot use --on-bad-image as it must be one of ${BAD_IMAGE_POLICIES.join(", ")}: ` +
              `current value is '${v}'`,
          );
        }
        o.onBadImage = v as BadImagePolicy;
        break;
      case "--size": {
        const m = /^(\d+)x(\d+)$/.exec(v);
        if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
          throw new TypeError(
            `Cannot use --size as it must be WxH, e.g. 32x32: current value is '${v}'`,
          );
        }
        o.size = { width: Number(m[1]), height: Number(m[2]) };
        break;
      }
      case "--model-id":
        meta.model_id = v;
        break;
      case "--sampler":
        meta.sampler = v;
        break;
      case "--steps":
        meta.steps = num(flag, v, true);
        break;
      case "--guidance":
        meta.guidance = num(flag, v, false);
        break;
      case "--shard":
        o.shard = parseWorkShard(v);
        break;
      case "--shard-rows": {
        const n = num(flag, v, true);
        if (n < 1) {
          throw new TypeError(
            `Cannot use --shard-rows as it must be >= 1: current value is '${v}'`,
          );
        }
        o.shardRows = n;
        break;
      }
      default:
        throw new TypeError(`Cannot use argument '${flag}' as it is not a flag of capo import`);
    }
  }
  if (o.input === "") throw new TypeError("Cannot import as --input PATH is required");
  o.meta = meta;
  return o;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(IMPORT_USAGE);
    return 0;
  }
  let options: ImportOptions;
  try {
    options = parse(args);
  } catch (err) {
    console.error(`capo import: ${(err as Error).message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  const cancel = cancelOnSignals();
  let r;
  try {
    r = await runImport({ ...options, signal: cancel.signal });
  } catch (err) {
    console.error(`capo import: ${err instanceof Error ? err.message : err}`);
    return 1;
  } finally {
    cancel.dispose();
  }
  if (r.run.status !== "done") {
    console.error(`capo import: ${r.run.summary}`);
    return r.run.status === "cancelled" ? exitCodeFor(r.run.reason) : 1;
  }
  const skipped = r.skipped.length ? `, ${r.skipped.length} bad image(s) skipped` : "";
  const dropped = r.notDelivered ? `, ${r.notDelivered} image(s) of dropped prompts` : "";
  console.log(`${r.run.summary}${skipped}${dropped}`);
  console.log(
    `continue with: deno task run --name ${options.name}` +
      (options.runsDir === "runs" ? "" : ` --runs-dir ${options.runsDir}`) +
      ` --prompts ${r.promptsPath}`,
  );
  return 0;
}
