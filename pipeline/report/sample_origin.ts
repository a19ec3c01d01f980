/**
 * Where a run's samples came from, for the report's Configuration: the run's generator, or
 * `capo import` (pipeline/exchange/import_run.ts). An imported Sample stage is recognised by its
 * hashed config (`imported`: the input's kind, with the digest and the fields recorded in every
 * row); `imported/source.json` adds the input path. Per-prompt counts come from the stage's
 * manifest (`group_rows` of every shard). Read-only.
 */
import { join } from "node:path";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import { IMPORT_SOURCE_FILE, type ImportSource } from "../exchange/import_source.ts";
import { importedStage } from "../exchange/imported_stage.ts";
import type { Manifest } from "../manifest.ts";

export interface ImportedSamples {
  /** 'folder' or 'parquet'. */
  kind: string;
  /** The `--input` path as given, or null for an import made before source.json was written. */
  input: string | null;
  digest: string;
  /** Required image size ('32x32'), or null when any size was accepted. */
  size: string | null;
  /** How images of another size were resized to `size` ('nearest', 'bilinear'); null: refused. */
  resize: string | null;
  /** As recorded in every Sample row (`--model-id`, `--sampler`, `--steps`, `--guidance`). */
  model_id: string;
  sampler: string;
  steps: number;
  guidance: number;
  /** From the stage's single (or merged) manifest; null while the stage is only in shards. */
  counts: { prompts: number; images: number; min: number; max: number; empty: number } | null;
}

const str = (v: unknown, d: string) => (typeof v === "string" ? v : d);
const num = (v: unknown) => (typeof v === "number" ? v : 0);

/** Per-prompt image counts of a Sample stage's manifest. */
function counts(m: Manifest): NonNullable<ImportedSamples["counts"]> {
  const per = m.shards.flatMap((s) => s.group_rows);
  return {
    prompts: per.length,
    images: per.reduce((a, b) => a + b, 0),
    min: per.length === 0 ? 0 : Math.min(...per),
    max: per.length === 0 ? 0 : Math.max(...per),
    empty: per.filter((n) => n === 0).length,
  };
}

/** The imported samples of `runDir`'s Sample stage `stage`, or null if a generator made them. */
export async function readImportedSamples(
  runDir: string,
  stage = "generate",
): Promise<ImportedSamples | null> {
  const imported = await importedStage(runDir, stage);
  if (imported === null) return null;
  const { scan, config: c } = imported;
  const sourceText = await readTextIfExists(join(runDir, "imported", IMPORT_SOURCE_FILE));
  const source = sourceText === null ? null : JSON.parse(sourceText) as Partial<ImportSource>;
  return {
    kind: str(c.imported, "?"),
    input: typeof source?.input === "string" ? source.input : null,
    digest: str(c.digest, "?"),
    size: typeof c.size === "string" ? c.size : null,
    resize: typeof c.resize === "string" ? c.resize : null,
    model_id: str(c.model_id, "imported"),
    sampler: str(c.sampler, "external"),
    steps: num(c.steps),
    guidance: num(c.guidance),
    counts: scan.single === null ? null : counts(scan.single),
  };
}
