/**
 * `runImport`: brings images generated elsewhere into a run as its Sample stage, through the
 * pipeline's own runner, so the result is an ordinary checkpointed run:
 *
 *   1. list the input (folder + captions.jsonl, or Parquet) and apply the bad-image policy to
 *      the problems found while listing;
 *   2. write the distinct prompts to `<runs>/<name>/imported/prompts.txt`, and where the images
 *      came from to `<runs>/<name>/imported/source.json` (`ImportSource`, read by the run report);
 *   3. run `prompts -> generate(imported)` with the real prompt source on that file (same
 *      normalisation, ids, split and `--shard i/n` as any run), shards and manifests included;
 *   4. report what was imported, skipped, or never asked for by the source.
 *
 * Afterwards `capo run --name <name> --prompts <runs>/<name>/imported/prompts.txt` continues
 * with scoring, calibration and pair selection: it finds the imported Sample stage
 * (pipeline/exchange/imported_samples.ts) and reads it instead of generating.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { DEFAULTS, mergeConfig } from "../config.ts";
import { logger } from "../../lib/log.ts";
import { driveRun } from "../drive_run.ts";
import { METHOD, type StageName } from "../method.ts";
import type { RunResult } from "../runner.ts";
import { readManifest } from "../stage_store.ts";
import { liveWriters } from "../live_writer.ts";
import { describeHolder } from "../run_lock.ts";
import type { WorkShard } from "../work_shard.ts";
import { shardOf } from "../../stages/prompts/normalize.ts";
import type { ResizePolicy } from "../../lib/resize_rgb.ts";
import type { RunConfig } from "../config.ts";
import { expectedImageSize } from "./expected_size.ts";
import { listImport } from "./import_listing.ts";
import { IMPORT_SOURCE_FILE, type ImportSource } from "./import_source.ts";
import {
  type BadImagePolicy,
  groupByPrompt,
  type ImportedMeta,
  importStage,
} from "./import_stage.ts";

export interface ImportOptions {
  /** A folder of PNG/JPEG (+ captions.jsonl) or a .parquet file. */
  input: string;
  runsDir: string;
  name: string;
  /** @default {"stop"} */
  onBadImage?: BadImagePolicy;
  meta?: Partial<ImportedMeta>;
  /**
   * Every image must have this size. @default the size the run's model and rewards take
   * (expected_size.ts); null: any size
   */
  size?: { width: number; height: number } | null;
  /** Another size: 'error', or resize it ('nearest', 'bilinear'). @default {"error"} */
  resize?: ResizePolicy;
  /** Images declaring more pixels are refused before decoding. @default {DEFAULT_MAX_IMAGE_PIXELS} */
  maxPixels?: number;
  /** @default {{index: 0, count: 1}} */
  shard?: WorkShard;
  /** @default {4096} */
  shardRows?: number;
  signal?: AbortSignal;
}

export interface ImportResult {
  run: RunResult;
  runDir: string;
  /** The prompt file a later `capo run --prompts` must name. */
  promptsPath: string;
  /** Images written in this run (resumed groups not counted). */
  images: number;
  skipped: { source: string; why: string }[];
  /** Images of this shard whose prompt the prompt source did not deliver (e.g. too long). */
  notDelivered: number;
}

export async function runImport(o: ImportOptions): Promise<ImportResult> {
  const log = logger("import");
  const shard = o.shard ?? { index: 0, count: 1 };
  const onBadImage = o.onBadImage ?? "stop";
  // 1. the listing
  const listing = await listImport(o.input);
  for (const p of listing.problems) {
    if (onBadImage === "stop") {
      throw new TypeError(`Cannot import image ${p.source} as ${p.why} (--on-bad-image skip)`);
    }
    log.warn(`Cannot import image ${p.source} as ${p.why}: left out (--on-bad-image skip)`);
  }
  // 2. the prompts
  const groups = groupByPrompt(listing);
  const runDir = join(o.runsDir, o.name);
  const promptsPath = join(runDir, "imported", "prompts.txt");
  await Deno.mkdir(join(runDir, "imported"), { recursive: true });
  const text = [...groups.values()].map((g) => g.prompt).join("\n") + "\n";
  const source: ImportSource = {
    input: o.input,
    kind: listing.kind,
    digest: listing.digest,
    images: listing.items.length,
    prompts: groups.size,
  };
  const sourcePath = join(runDir, "imported", IMPORT_SOURCE_FILE);
  const sourceText = JSON.stringify(source, null, 2) + "\n";
  const same = async (path: string, want: string) =>
    (await Deno.readTextFile(path).catch(() => null)) === want;
  if (!(await same(promptsPath, text)) || !(await same(sourcePath, sourceText))) {
    // Another source's files under a live writer would change the prompts it is reading; the
    // same source's (a work shard's, a resume's) are already there and are not rewritten.
    const live = await liveWriters(runDir);
    if (live.length > 0) {
      throw new Error(
        `Cannot import ${o.input} into ${runDir} as ${
          describeHolder(live[0]!)
        } is writing that run from another source: wait for it to finish or import under ` +
          "another --name",
      );
    }
    await writeFileAtomic(promptsPath, text);
    await writeFileAtomic(sourcePath, sourceText);
  }
  // 3. the run
  // Every given image is imported: no prompts.limit (the default run's budget).
  const config = mergeConfig(DEFAULTS, {
    runs_dir: o.runsDir,
    name: o.name,
    prompts: { path: promptsPath, limit: null },
    shard,
    shard_rows: o.shardRows ?? DEFAULTS.shard_rows,
  }, "capo import");
  const sampleStage: StageName = "generate";
  const meta: ImportedMeta = {
    model_id: o.meta?.model_id ?? "imported",
    sampler: o.meta?.sampler ?? "external",
    steps: o.meta?.steps ?? 0,
    guidance: o.meta?.guidance ?? 0,
  };
  const { spec, report } = importStage({
    name: sampleStage,
    listing,
    onBadImage,
    meta,
    ...await importSize(o, config),
    ...(o.resize !== undefined ? { resize: o.resize } : {}),
    ...(o.maxPixels !== undefined ? { maxPixels: o.maxPixels } : {}),
  });
  const run = await driveRun(config, {
    method: { ...METHOD, generate: () => Promise.resolve(spec) },
    upTo: sampleStage,
    importedSamples: false,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  // 4. what the source never asked for
  let notDelivered = 0;
  if (run.status === "done") {
    // From the manifest, not this run's counts: a resumed import computes only what was left.
    const m = await readManifest(join(runDir, sampleStage), shard);
    const stored = new Set(m?.shards.flatMap((s) => s.prompt_ids) ?? []);
    for (const [id, g] of groups) {
      if (shardOf(id, shard.count) !== shard.index || stored.has(id)) continue;
      notDelivered += g.items.length;
      log.warn(
        `${g.items.length} image(s) of prompt '${g.prompt.slice(0, 60)}' not imported: the ` +
          `prompt source dropped the prompt (see its warnings)`,
      );
    }
  }
  return {
    run,
    runDir,
    promptsPath,
    images: report.images,
    skipped: [
      ...(onBadImage === "skip" ? listing.problems : []),
      ...report.skipped,
    ],
    notDelivered,
  };
}

/** `--size` as given, else what the run's model and rewards take (a warning when unknown). */
async function importSize(
  o: ImportOptions,
  config: RunConfig,
): Promise<{ size: { width: number; height: number } | null; sizeFrom?: string }> {
  if (o.size !== undefined) return { size: o.size, sizeFrom: "--size" };
  const want = await expectedImageSize(config);
  if (want === null) {
    logger("import").warn(
      `no model config at ${config.train.model} and no reward manifest: image sizes are not ` +
        `checked (--size WxH checks them)`,
    );
    return { size: null };
  }
  return { size: { width: want.width, height: want.height }, sizeFrom: want.from };
}
