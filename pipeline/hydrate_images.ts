/**
 * `HydrateImages`: attaches the sample images to groups read back from a stage whose shards hold
 * no pixels (Scored, Calibrated, Pair refer to samples by sample_id), by looking the prompt up in
 * the Sample shards. Used when a run restarts `--from` such a stage and a later stage or the sink
 * needs images (the scorer, the trainer's winner/loser).
 */
import type { ImageValue } from "../schemas/mod.ts";
import { type FlowGroup, imagesOf } from "../schemas/flow.ts";
import { StageError } from "./stage_error.ts";
import type { StageStore } from "./stage_store.ts";

export class HydrateImages<T> extends TransformStream<FlowGroup<T>, FlowGroup<T>> {
  /**
   * @param stage the stage being read (named in errors)
   * @param samples the store of the stage whose rows carry `sample_id` and `image`
   */
  constructor(stage: string, samples: StageStore<unknown>) {
    super({
      async transform(group, controller) {
        if (!samples.has(group.prompt_id)) {
          throw new StageError(
            stage,
            group.prompt_id,
            `Cannot attach images as the prompt is not in the '${samples.name}' shards`,
          );
        }
        const stored = await samples.load(group.prompt_id, group.prompt);
        const images: ReadonlyMap<string, ImageValue> = imagesOf(stored) ?? new Map();
        controller.enqueue({ ...group, images: new Map([...(group.images ?? []), ...images]) });
      },
    });
  }
}
