/**
 * Continuing a run whose Sample stage was imported (`capo import`): the method's generator entry
 * is replaced by one with the imported stage's name, schema and config (read from its manifest),
 * so the hash chain matches the imported shards and `capo run` reads them instead of
 * generating. Its transform never runs for an imported prompt; for any other prompt it throws,
 * since capo has no images for it.
 */
import { join } from "node:path";
import type { Method, StageName } from "../method.ts";
import type { JsonValue } from "../../schemas/stage_spec.ts";
import type { Group } from "../../schemas/group.ts";
import type { Prompt } from "../../schemas/prompt.ts";
import { type Sample, SampleSchema } from "../../schemas/sample.ts";
import { importedStage } from "./imported_stage.ts";

/** The imported Sample stage's config in `runDir`, or null if its samples were not imported. */
export async function importedConfig(runDir: string, stage: string): Promise<JsonValue | null> {
  return (await importedStage(runDir, stage))?.config ?? null;
}

/** `method` with its Sample stage (generate) replaced if this run's samples were imported. */
export async function withImportedSamples(method: Method, runDir: string): Promise<Method> {
  const name: StageName = "generate";
  const config = await importedConfig(runDir, name);
  if (config === null) return method;
  return {
    ...method,
    generate: () =>
      Promise.resolve({
        name,
        outputSchema: SampleSchema,
        config,
        create: () =>
          new TransformStream<Group<Prompt>, Group<Sample>>({
            transform(g) {
              throw new RangeError(
                `Cannot generate samples for prompt '${g.prompt}': this run's samples were ` +
                  `imported (capo import into ${join(runDir, name)}) and none were imported ` +
                  `for it; import them, or start a new run`,
              );
            },
          }),
      }),
  };
}
