/**
 * `capo import --input PATH [options]`: images generated elsewhere -> the Sample stage of a run
 * (pipeline/exchange/import_run.ts), so capo scores, calibrates and selects pairs from them.
 *
 * Exit status: 0 imported (skipped images are listed as warnings), 1 an image or the input is
 * bad (the message names the file and line or row) or the run failed, 2 bad arguments,
 * 130/143 cancelled by SIGINT/SIGTERM (completed shards kept; run it again to resume).
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { BAD_IMAGE_POLICIES } from "../pipeline/exchange/import_stage.ts";
import { type ImportOptions, runImport } from "../pipeline/exchange/import_run.ts";
import { cancelOnSignals, exitCodeFor } from "../pipeline/cancel_on_signals.ts";
import { parseWorkShard } from "../pipeline/work_shard.ts";
import { withShardFromEnv } from "../pipeline/scale/shard_env.ts";
import { RESIZE_POLICIES } from "../lib/resize_rgb.ts";

export const IMPORT_USAGE = `usage: capo import --input PATH [--name NAME] [--runs-dir DIR]
                   [--on-bad-image stop|skip] [--size WxH|any] [--resize error|nearest|bilinear]
                   [--max-image-pixels N] [--model-id ID] [--sampler S]
                   [--steps N] [--guidance G] [--shard i/n] [--shard-rows N]

Imports images generated elsewhere as the Sample stage ('generate') of run <runs-dir>/<name>:
  --input PATH        a folder of .png/.jpg/.jpeg with captions.jsonl ({"file", "prompt",
                      "seed"?} per line; without it, captions come from the file names), or a
                      .parquet file with columns prompt, image ({bytes, path} or binary), seed?
  --on-bad-image      stop (default): an unreadable image stops the import, naming the file;
                      skip: it is left out with a warning naming the file
  --size WxH|any      require this image size; default: the size the run's model and rewards
                      take (32x32 for ShapeWorld's); any: do not check
  --resize MODE       an image of another size: error (default) names it; nearest or bilinear
                      resizes it to that size and stores the resized PNG
  --max-image-pixels N  refuse images whose header declares more pixels, before decoding them
                      (default 16777216 = 4096x4096, far above any model's input: a small file
                      declaring a huge image is a decompression bomb)
  --model-id, --sampler, --steps, --guidance
                      recorded in every Sample row (defaults: imported, external, 0, 0)
  --name (default), --runs-dir (runs), --shard i/n, --shard-rows N (4096): as capo run
Images are stored as PNG (JPEGs decoded, pixels kept). Then continue with:
  deno task run --name NAME --prompts <runs-dir>/<name>/imported/prompts.txt`;

/** The flags of capo import, in the order they are checked; each takes a value. */
const IMPORT_OPTIONS = {
  input: { type: "string" },
  name: { type: "string", default: "default" },
  "runs-dir": { type: "string", default: "runs" },
  "on-bad-image": { type: "string" },
  resize: { type: "string" },
  "max-image-pixels": { type: "string" },
  size: { type: "string" },
  "model-id": { type: "string" },
  sampler: { type: "string" },
  steps: { type: "string" },
  guidance: { type: "string" },
  shard: { type: "string" },
  "shard-rows": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** `capo import`'s arguments as ImportOptions, or "help"; throws a TypeError on a bad one. */
function parse(args: string[]): ImportOptions | "help" {
  const { values: v } = parseFlags("capo import", {
    args: withShardFromEnv(args).args,
    options: IMPORT_OPTIONS,
  });
  if (v.help) return "help";
  const num = (flag: string, s: string, integer: boolean, min = -Infinity) => {
    const n = Number(s);
    if (s.trim() === "" || !Number.isFinite(n) || (integer && (!Number.isInteger(n) || n < 0))) {
      throw new TypeError(
        `Cannot use ${flag} as it must be ${integer ? "a non-negative integer" : "a number"}: ` +
          `current value is '${s}'`,
      );
    }
    if (n < min) {
      throw new TypeError(`Cannot use ${flag} as it must be >= ${min}: current value is '${s}'`);
    }
    return n;
  };
  const oneOf = <T extends string>(flag: string, s: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(s)) {
      throw new TypeError(
        `Cannot use ${flag} as it must be one of ${allowed.join(", ")}: current value is '${s}'`,
      );
    }
    return s as T;
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v.name)) {
    throw new TypeError(
      `Cannot use --name as it must be a plain name: current value is '${v.name}'`,
    );
  }
  const o: ImportOptions = { input: v.input ?? "", runsDir: v["runs-dir"], name: v.name };
  if (v["on-bad-image"] !== undefined) {
    o.onBadImage = oneOf("--on-bad-image", v["on-bad-image"], BAD_IMAGE_POLICIES);
  }
  if (v.resize !== undefined) o.resize = oneOf("--resize", v.resize, RESIZE_POLICIES);
  if (v["max-image-pixels"] !== undefined) {
    o.maxPixels = num("--max-image-pixels", v["max-image-pixels"], true, 1);
  }
  if (v.size === "any") o.size = null;
  else if (v.size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(v.size);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
      throw new TypeError(
        `Cannot use --size as it must be WxH, e.g. 32x32: current value is '${v.size}'`,
      );
    }
    o.size = { width: Number(m[1]), height: Number(m[2]) };
  }
  const meta: NonNullable<ImportOptions["meta"]> = {};
  if (v["model-id"] !== undefined) meta.model_id = v["model-id"];
  if (v.sampler !== undefined) meta.sampler = v.sampler;
  if (v.steps !== undefined) meta.steps = num("--steps", v.steps, true);
  if (v.guidance !== undefined) meta.guidance = num("--guidance", v.guidance, false);
  if (v.shard !== undefined) o.shard = parseWorkShard(v.shard);
  if (v["shard-rows"] !== undefined) o.shardRows = num("--shard-rows", v["shard-rows"], true, 1);
  if (o.input === "") throw new TypeError("Cannot import as --input PATH is required");
  o.meta = meta;
  return o;
}

export async function main(args: string[]): Promise<number> {
  const options = await parsedOrExit("capo import", IMPORT_USAGE, () => parse(args));
  if (typeof options === "number") return options;
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
