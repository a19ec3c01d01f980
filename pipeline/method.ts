/**
 * The method's stages in order (SPEC 1 and 2), as the run builds them from its config:
 *
 *     prompts -> generate -> score -> calibrate -> select -> train (sink)
 *
 * A stage plugs in by giving its entry a `build`; the run executes the longest prefix of
 * entries that have one and then stops, naming the first that does not and why. Nothing stands
 * in for a missing stage: no fake images, rewards or pairs.
 */
import type { RunConfig } from "./config.ts";
import type { RunPlan } from "./plan.ts";
import { promptSourceSpec } from "./prompt_source_spec.ts";
import type { SinkSpec, SourceSpec, StageSpec } from "./stage_spec.ts";

export type MethodStage =
  | { name: string; kind: "source"; build: (cfg: RunConfig) => Promise<SourceSpec<unknown>> }
  | {
    name: string;
    kind: "stage";
    build?: (cfg: RunConfig) => Promise<StageSpec<unknown, unknown>>;
    /** Why the stage cannot run yet. */
    missing?: string;
  }
  | {
    name: string;
    kind: "sink";
    build?: (cfg: RunConfig) => Promise<SinkSpec<unknown>>;
    missing?: string;
  };

export const METHOD: MethodStage[] = [
  { name: "prompts", kind: "source", build: (cfg) => promptSourceSpec(cfg.prompts) },
  {
    name: "generate",
    kind: "stage",
    missing: "it needs the pretrained ShapeWorld diffusion model (models/, a later issue)",
  },
  {
    name: "score",
    kind: "stage",
    missing: "it needs the generator's samples and the ONNX reward models (a later issue)",
  },
  { name: "calibrate", kind: "stage", missing: "it needs the scorer's rewards" },
  { name: "select", kind: "stage", missing: "it needs the calibrated rewards" },
  { name: "train", kind: "sink", missing: "it needs the selected pairs and the trainer" },
];

export interface BuiltPlan {
  plan: RunPlan;
  /** The first stage that could not be built, and why; null if the whole method runs. */
  stoppedBefore: { name: string; reason: string } | null;
}

/** Builds the runnable prefix of `stages` (default: METHOD) for a config. */
export async function buildPlan(
  cfg: RunConfig,
  stages: readonly MethodStage[] = METHOD,
): Promise<BuiltPlan> {
  const [first, ...rest] = stages;
  if (first?.kind !== "source") {
    throw new TypeError("Cannot build a run whose first stage is not a source");
  }
  const plan: RunPlan = { source: await first.build(cfg), stages: [] };
  for (const entry of rest) {
    if (entry.kind === "source") {
      throw new TypeError(`Cannot build a run with a second source '${entry.name}'`);
    }
    if (!entry.build) {
      return {
        plan,
        stoppedBefore: { name: entry.name, reason: entry.missing ?? "it is not implemented" },
      };
    }
    if (entry.kind === "sink") {
      plan.sink = await entry.build(cfg);
      return { plan, stoppedBefore: null };
    }
    plan.stages.push(await entry.build(cfg));
  }
  return { plan, stoppedBefore: null };
}
