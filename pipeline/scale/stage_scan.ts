/**
 * What a stage directory holds on disk: its single-worker manifest, its per-worker manifests
 * (`manifest.w<i>of<n>.json`, grouped by n) and its Parquet files. Read-only; used by
 * `capo merge` and `capo export` to decide what a stage's complete data is.
 */
import { join } from "node:path";
import { type Manifest, parseManifest } from "../manifest.ts";

const WORKER_MANIFEST = /^manifest\.w(\d+)of(\d+)\.json$/;

export interface StageScan {
  stage: string;
  dir: string;
  /** `manifest.json`, or null. */
  single: Manifest | null;
  /** n -> (i -> manifest of worker i/n). */
  workers: Map<number, Map<number, Manifest>>;
  /** Names of the `*.parquet` files in the directory, sorted. */
  parquet: string[];
}

async function readJson(path: string): Promise<Manifest> {
  return parseManifest(await Deno.readTextFile(path), path);
}

/** Scans `runDir/stage`; throws naming the file for any malformed manifest. */
export async function scanStage(runDir: string, stage: string): Promise<StageScan> {
  const dir = join(runDir, stage);
  const scan: StageScan = { stage, dir, single: null, workers: new Map(), parquet: [] };
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile) continue;
    if (e.name === "manifest.json") {
      scan.single = await readJson(join(dir, e.name));
      continue;
    }
    if (e.name.endsWith(".parquet")) {
      scan.parquet.push(e.name);
      continue;
    }
    const m = WORKER_MANIFEST.exec(e.name);
    if (!m) continue;
    const index = Number(m[1]);
    const count = Number(m[2]);
    const manifest = await readJson(join(dir, e.name));
    if (manifest.worker.index !== index || manifest.worker.count !== count) {
      throw new TypeError(
        `Cannot read manifest ${join(dir, e.name)} as its worker must be ${index}/${count} ` +
          `(from its name): current value is ${manifest.worker.index}/${manifest.worker.count}`,
      );
    }
    if (!scan.workers.has(count)) scan.workers.set(count, new Map());
    scan.workers.get(count)!.set(index, manifest);
  }
  scan.parquet.sort();
  return scan;
}

/** The stage directories of a run (every non-hidden directory holding a manifest), sorted. */
export async function listStages(runDir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(runDir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new TypeError(`Cannot read run ${runDir} as the directory does not exist`);
    }
    throw err;
  }
  for (const e of entries) {
    if (!e.isDirectory || e.name.startsWith(".")) continue;
    for await (const f of Deno.readDir(join(runDir, e.name))) {
      if (f.isFile && (f.name === "manifest.json" || WORKER_MANIFEST.test(f.name))) {
        out.push(e.name);
        break;
      }
    }
  }
  return out.sort();
}
