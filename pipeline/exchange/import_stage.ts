/**
 * The Sample stage of an imported run: for each prompt group from the prompt source, the
 * images listed for that prompt (pipeline/exchange/import_listing.ts), decoded and stored as PNG, as
 * Sample rows `sample_index` 0..k-1 in listing order.
 *
 * A bad image (unreadable, missing, neither PNG nor JPEG, the wrong size) is named in the
 * error (`onBadImage: "stop"`, the run fails naming the stage, the prompt and the file) or in a
 * warning, and left out (`"skip"`; the prompt keeps its other images).
 *
 * Its config (hashed into the manifest) is the listing's digest plus the values written into
 * every row, so importing changed images invalidates the Sample stage and everything after it.
 */
import { logger } from "../../lib/log.ts";
import type { StageSpec } from "../../schemas/stage_spec.ts";
import type { Group } from "../../schemas/group.ts";
import type { Prompt } from "../../schemas/prompt.ts";
import { type Sample, SampleSchema } from "../../schemas/sample.ts";
import { normalizePrompt, promptId } from "../../stages/prompts/normalize.ts";
import { encodePng } from "../../lib/png.ts";
import { type ResizePolicy, resizeRgb } from "../../lib/resize_rgb.ts";
import { importImage } from "./image_bytes.ts";
import type { ImportItem, ImportListing } from "./import_listing.ts";

export const BAD_IMAGE_POLICIES = ["stop", "skip"] as const;
export type BadImagePolicy = typeof BAD_IMAGE_POLICIES[number];

/** What the Sample rows say about the generator capo did not run. */
export interface ImportedMeta {
  /** @default {"imported"} */
  model_id: string;
  /** @default {"external"} (not 'ddim' or 'euler': capo did not sample these) */
  sampler: string;
  /** @default {0} (unknown) */
  steps: number;
  /** @default {0} (unknown) */
  guidance: number;
}

export interface ImportStageOptions {
  /** The Sample stage's name in the method (pipeline/method.ts). @default {"generate"} */
  name?: string;
  listing: ImportListing;
  onBadImage: BadImagePolicy;
  meta: ImportedMeta;
  /** Every image must have this size (e.g. 32x32 for ShapeWorld's scorers). @default {null} */
  size?: { width: number; height: number } | null;
  /** What takes `size` (e.g. "the run's model data/models/base-eps"), for errors. @default {"--size"} */
  sizeFrom?: string;
  /**
   * An image of another size: 'error' names it; 'nearest' or 'bilinear' resizes it to `size`
   * (lib/resize_rgb.ts) and stores the resized PNG. @default {"error"}
   */
  resize?: ResizePolicy;
  /** Images declaring more pixels are refused before decoding (image_bytes.ts). @default {DEFAULT_MAX_IMAGE_PIXELS} */
  maxPixels?: number;
}

/** Counts filled in while the stage runs. */
export interface ImportReport {
  images: number;
  skipped: { source: string; why: string }[];
}

/** The listing grouped by prompt id (prompts normalised as the prompt source does). */
export function groupByPrompt(
  listing: ImportListing,
): Map<string, { prompt: string; items: ImportItem[] }> {
  const out = new Map<string, { prompt: string; items: ImportItem[] }>();
  for (const item of listing.items) {
    const prompt = normalizePrompt(item.prompt);
    const id = promptId(prompt);
    if (!out.has(id)) out.set(id, { prompt, items: [] });
    out.get(id)!.items.push(item);
  }
  return out;
}

export function importStage(
  o: ImportStageOptions,
): { spec: StageSpec<Prompt, Sample>; report: ImportReport } {
  const log = logger("import");
  const groups = groupByPrompt(o.listing);
  const size = o.size ?? null;
  const resize = o.resize ?? "error";
  const limits = o.maxPixels === undefined ? {} : { maxPixels: o.maxPixels };
  const report: ImportReport = { images: 0, skipped: [] };
  const bad = (source: string, err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    if (o.onBadImage === "stop") throw err instanceof Error ? err : new TypeError(why);
    log.warn(`${why}: left out (--on-bad-image skip)`);
    report.skipped.push({ source, why });
  };
  const spec: StageSpec<Prompt, Sample> = {
    name: o.name ?? "generate",
    outputSchema: SampleSchema,
    config: {
      imported: o.listing.kind,
      digest: o.listing.digest,
      size: size === null ? null : `${size.width}x${size.height}`,
      // Only a resize changes the stored bytes; 'error' keeps the config (and hash) as before.
      ...(resize === "error" ? {} : { resize }),
      ...o.meta,
    },
    create: () =>
      new TransformStream<Group<Prompt>, Group<Sample>>({
        async transform(g, controller) {
          const rows: Sample[] = [];
          for (const item of groups.get(g.prompt_id)?.items ?? []) {
            let png: Uint8Array;
            try {
              const img = importImage(await item.load(), item.source, limits);
              png = img.png;
              if (size && (img.width !== size.width || img.height !== size.height)) {
                if (resize === "error") {
                  throw new RangeError(
                    `Cannot import image ${item.source} as it is ${img.width}x${img.height}, ` +
                      `not the ${size.width}x${size.height} required by ${
                        o.sizeFrom ?? "--size"
                      }: ` +
                      `pass --resize nearest or --resize bilinear to resize it`,
                  );
                }
                const rgb = resizeRgb(
                  img.rgb,
                  img.width,
                  img.height,
                  size.width,
                  size.height,
                  resize,
                );
                png = encodePng(rgb, size.width, size.height);
              }
            } catch (err) {
              bad(item.source, err);
              continue;
            }
            const k = rows.length;
            rows.push({
              sample_id: `${g.prompt_id}:${k}`,
              prompt_id: g.prompt_id,
              prompt: g.prompt,
              sample_index: k,
              // -1: the input gave no seed, so this sample cannot be regenerated by capo.
              seed: item.seed ?? -1,
              image: { bytes: png, path: item.path },
              model_id: o.meta.model_id,
              sampler: o.meta.sampler,
              steps: o.meta.steps,
              guidance: o.meta.guidance,
            });
          }
          report.images += rows.length;
          controller.enqueue({ prompt_id: g.prompt_id, prompt: g.prompt, rows });
        },
      }),
  };
  return { spec, report };
}
