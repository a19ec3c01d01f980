/**
 * Where a run's stream starts: `--from S` (S's shards, which must be complete and intact), else
 * the last complete stage (so a finished prefix is read back rather than re-run), else the
 * source. Also picks the stage whose Sample shards supply images when the start's rows have
 * none and a later stage or the sink needs them.
 */
import type { Logger } from "../lib/log.ts";
import type { Manifest } from "./manifest.ts";
import type { PlannedStage } from "./plan.ts";
import type { StageStore } from "./stage_store.ts";

/**
 * The index of the stage whose shards start the stream (-1: the source), and the stage whose
 * shards supply images if the start's rows have none and a later stage needs them.
 */
export async function chooseStart(
  planned: PlannedStage[],
  manifests: (Manifest | null)[],
  options: { from?: string | null },
  open: (p: PlannedStage) => Promise<StageStore<unknown>>,
  log: Logger,
  sinkNeedsImages: boolean,
): Promise<{ start: number; imageStage: string | null }> {
  const from = options.from ?? null;
  const imagesFor = (start: number): PlannedStage | null | "none" => {
    const needed = sinkNeedsImages || planned.slice(start + 1).some((p) => p.needsImages);
    if (planned[start]!.hasImages || !needed) return null;
    for (let j = start - 1; j >= 0; j--) if (planned[j]!.hasImages) return planned[j]!;
    return "none";
  };
  if (from !== null) {
    const f = planned.findIndex((p) => p.id.name === from);
    const m = manifests[f];
    if (m == null || !m.complete) {
      throw new RangeError(
        `Cannot restart --from '${from}' as its shards are ${
          m == null ? "missing" : "incomplete"
        } ` +
          `(${m?.groups ?? 0} groups in ${
            m?.shards.length ?? 0
          } shards); run without --from to finish it`,
      );
    }
    const store = await open(planned[f]!);
    await store.verify({ strict: true });
    const img = imagesFor(f);
    if (img === "none") {
      throw new RangeError(
        `Cannot restart --from '${from}' as a later stage needs images and no stage up to it holds them`,
      );
    }
    if (img !== null) {
      const j = planned.indexOf(img);
      if (manifests[j] == null) {
        throw new RangeError(
          `Cannot restart --from '${from}' as a later stage needs images from '${img.id.name}', which has no valid shards`,
        );
      }
      await (await open(img)).verify({ strict: true });
    }
    return { start: f, imageStage: img?.id.name ?? null };
  }
  for (let i = planned.length - 1; i >= 0; i--) {
    if (!manifests[i]?.complete) continue;
    const img = imagesFor(i);
    if (img === "none") continue;
    if (img !== null && !manifests[planned.indexOf(img)]?.complete) continue;
    const store = await open(planned[i]!);
    await store.verify();
    if (!store.complete) continue;
    if (img !== null) {
      const images = await open(img);
      await images.verify();
      if (!images.complete) continue;
    }
    if (i > 0) log.info(`stage '${planned[i]!.id.name}' is complete: starting from its shards`);
    return { start: i, imageStage: img?.id.name ?? null };
  }
  return { start: -1, imageStage: null };
}
