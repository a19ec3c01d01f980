/**
 * Invalidation before a run: the first stage whose manifest does not match the run's hash chain
 * (config, schema or upstream changed), and every stage after it, are moved to `.stale/` with
 * one message naming them; `--from S` moves every stage after S aside the same way.
 */
import { join } from "node:path";
import type { Logger } from "../lib/log.ts";
import type { Manifest } from "./manifest.ts";
import type { PlannedStage } from "./plan.ts";
import { moveAside } from "./stale.ts";
import type { WorkShard } from "./work_shard.ts";

/** Moves aside every stale stage (and all after it) and, for `--from`, all after the start. */
export async function invalidate(
  planned: PlannedStage[],
  manifests: (Manifest | null)[],
  options: { runDir: string; from?: string | null },
  worker: WorkShard,
  log: Logger,
): Promise<void> {
  const from = options.from ?? null;
  const fromIndex = from === null ? -1 : planned.findIndex((p) => p.id.name === from);
  if (from !== null && fromIndex < 0) {
    throw new RangeError(
      `Cannot restart --from '${from}' as the run has no such stage: stages are ${
        planned.map((p) => p.id.name).join(", ")
      }`,
    );
  }
  const staleAt = planned.findIndex((p, i) =>
    manifests[i] !== null && manifests[i]!.stage_hash !== p.id.stageHash
  );
  let cut = -1;
  if (staleAt >= 0) {
    if (fromIndex >= 0 && staleAt <= fromIndex) {
      const m = manifests[staleAt]!;
      throw new RangeError(
        `Cannot restart --from '${from}' as stage '${planned[staleAt]!.id.name}' ` +
          `${
            whyStale(planned[staleAt]!, m)
          }: its outputs do not match this config (run without --from to recompute)`,
      );
    }
    cut = staleAt;
    const names = planned.slice(staleAt).filter((_, j) => manifests[staleAt + j] !== null)
      .map((p) => p.id.name);
    log.warn(
      `stage ${planned[staleAt]!.id.name} ${whyStale(planned[staleAt]!, manifests[staleAt]!)}: ` +
        `invalidating ${names.join(", ")} (old outputs moved to ${
          join(options.runDir, ".stale")
        }/)`,
    );
  }
  if (fromIndex >= 0) {
    const after = planned.slice(fromIndex + 1).filter((_, j) =>
      manifests[fromIndex + 1 + j] !== null
    );
    if (after.length && (cut < 0 || cut > fromIndex + 1)) {
      log.info(
        `--from ${from}: recomputing ${after.map((p) => p.id.name).join(", ")} ` +
          `(old outputs moved to ${join(options.runDir, ".stale")}/)`,
      );
    }
    if (cut < 0 || cut > fromIndex + 1) cut = fromIndex + 1;
  }
  if (cut < 0) return;
  for (let i = cut; i < planned.length; i++) {
    const m = manifests[i];
    if (m == null) continue;
    const to = await moveAside(options.runDir, planned[i]!.id.name, worker, m.stage_hash);
    log.debug(`moved ${planned[i]!.id.name} outputs to ${to}`);
    manifests[i] = null;
  }
}

function whyStale(p: PlannedStage, m: Manifest): string {
  const short = (h: string | null) => (h === null ? "none" : h.slice(0, 12));
  if (m.config_hash !== p.id.configHash) {
    return `config changed (${short(m.config_hash)} -> ${short(p.id.configHash)})`;
  }
  if (m.schema.name !== p.schema.name || m.schema.version !== p.schema.version) {
    return `schema changed (${m.schema.name} v${m.schema.version} -> ${p.schema.name} v${p.schema.version})`;
  }
  return `upstream changed (${short(m.upstream_hash)} -> ${short(p.id.upstreamHash)})`;
}
