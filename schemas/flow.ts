/**
 * `FlowGroup<T>`: the in-memory unit between stages, a prompt group plus the images of its
 * samples.
 *
 * Only Sample shards hold images (PNG bytes); Scored, Calibrated and Pair rows refer to samples by
 * sample_id. So that the stages downstream of the generator (the scorer, the trainer) can still see
 * the pixels, each group carries an `images` map (sample_id -> image) alongside its rows. Stage
 * authors never handle it: the `Checkpointed` wrapper collects it from the input group and attaches
 * it to the stage's output group, and a run restarted `--from` a stage without images hydrates it
 * from the Sample shards (see `hydrate_images.ts`).
 */
import type { Group, ImageValue } from "./mod.ts";

export interface FlowGroup<T> extends Group<T> {
  /** sample_id -> image of every sample of this prompt seen upstream; absent before generation. */
  images?: ReadonlyMap<string, ImageValue>;
}

function inlineImage(row: unknown): [string, ImageValue] | null {
  if (typeof row !== "object" || row === null) return null;
  const r = row as { sample_id?: unknown; image?: { bytes?: unknown; path?: unknown } };
  if (typeof r.sample_id !== "string" || !(r.image?.bytes instanceof Uint8Array)) return null;
  return [r.sample_id, r.image as ImageValue];
}

/**
 * The images of a group: its `images` map plus the images inline in its rows (Sample rows), so
 * the group after a generator carries them on without a copy in every later stage's rows.
 */
export function imagesOf<T>(group: FlowGroup<T>): ReadonlyMap<string, ImageValue> | undefined {
  let out: Map<string, ImageValue> | undefined;
  for (const row of group.rows) {
    const hit = inlineImage(row);
    if (hit === null) continue;
    out ??= new Map(group.images ?? []);
    out.set(hit[0], hit[1]);
  }
  return out ?? group.images;
}

/** A plain group (a stage's output) with the images of the group it was computed from. */
export function withImages<T>(
  group: Group<T>,
  images: ReadonlyMap<string, ImageValue> | undefined,
): FlowGroup<T> {
  const out: FlowGroup<T> = { prompt_id: group.prompt_id, prompt: group.prompt, rows: group.rows };
  if (images !== undefined && images.size > 0) out.images = images;
  return out;
}
