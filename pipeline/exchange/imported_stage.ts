/**
 * Recognising an imported Sample stage (`capo import`) by its hashed config, which has
 * `imported` (the input's kind), in the stage's single or first worker manifest. Read-only.
 */
import type { JsonValue } from "../../schemas/stage_spec.ts";
import { scanStage, type StageScan } from "../scale/stage_scan.ts";

/** An imported Sample stage: its scan, and its hashed config (which has `imported`). */
export interface ImportedStage {
  scan: StageScan;
  config: { [k: string]: JsonValue };
}

/**
 * `runDir`'s Sample stage `stage` if its samples were imported, or null (no such stage, or a
 * generator made them): pipeline/exchange/imported_samples.ts continues such a run and
 * pipeline/report/sample_origin.ts reports it.
 */
export async function importedStage(runDir: string, stage: string): Promise<ImportedStage | null> {
  let scan;
  try {
    scan = await scanStage(runDir, stage);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  const m = scan.single ?? [...scan.workers.values()][0]?.values().next().value ?? null;
  const config = m?.config;
  const imported = typeof config === "object" && config !== null && !Array.isArray(config) &&
    "imported" in config;
  return imported ? { scan, config } : null;
}
