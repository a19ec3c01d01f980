/**
 * `RunPlan`: a source, the stages after it and an optional sink, as the runner receives them;
 * `planStages` checks the plan and computes each stage's identity (the hash chain).
 *
 *     config_hash   = sha256(canonical config)
 *     upstream_hash = stage_hash of the previous stage (null for the source)
 *     stage_hash    = sha256(canonical {stage, schema: {name, version}, config_hash, upstream_hash})
 */
import { hashJson } from "../lib/hash.ts";
import {
  checkGroupColumns,
  checkStageName,
  type RowCodec,
  type SinkSpec,
  type SourceSpec,
  type StageSpec,
} from "../schemas/stage_spec.ts";
import type { StageIdentity } from "./stage_store.ts";

export interface RunPlan {
  source: SourceSpec<unknown>;
  /** In order; stage i's input is stage i-1's output (the source's for the first). */
  stages: StageSpec<unknown, unknown>[];
  /** Receives the last stage's groups (e.g. the trainer); absent: the groups are dropped. */
  sink?: SinkSpec<unknown>;
}

export interface PlannedStage {
  id: StageIdentity;
  schema: RowCodec<unknown>;
  /** Its rows carry images (`sample_id` and `image` columns): a Sample stage. */
  hasImages: boolean;
  needsImages: boolean;
}

/** The source then the stages, with their hash chain; throws on a bad or duplicate name. */
export function planStages(plan: RunPlan): PlannedStage[] {
  const out: PlannedStage[] = [];
  let upstream: string | null = null;
  const specs = [plan.source, ...plan.stages];
  for (const spec of specs) {
    checkStageName(spec.name);
    checkGroupColumns(spec.name, spec.outputSchema);
    if (out.some((p) => p.id.name === spec.name)) {
      throw new TypeError(`Cannot plan a run with two stages named '${spec.name}'`);
    }
    const configHash = hashJson(spec.config);
    const schema = spec.outputSchema;
    const stageHash = hashJson({
      stage: spec.name,
      schema: { name: schema.name, version: schema.version },
      config_hash: configHash,
      upstream_hash: upstream,
    });
    out.push({
      id: { name: spec.name, config: spec.config, configHash, upstreamHash: upstream, stageHash },
      schema,
      hasImages: schema.columns.includes("image") && schema.columns.includes("sample_id"),
      needsImages: "needsImages" in spec && spec.needsImages === true,
    });
    upstream = stageHash;
  }
  if (plan.sink) checkStageName(plan.sink.name);
  return out;
}
