/**
 * Base vs tuned contact sheets: a few evaluation prompts sampled by both models with the
 * evaluation's own seeds (prompt i, seed k -> seed_base + i * seeds_per_prompt + k, as
 * stages/evaluate/compare_models.ts), so the images are the ones the win-rates were computed on. One
 * sheet per seed index: the base row above the tuned row, each image captioned with its
 * prompt, its ShapeEval verdict (judged again on the shown image) and its rewards from
 * eval.json.
 */
import type { ImageSampler, PerImageScores } from "../../stages/evaluate/compare_models.ts";
import { contactSheet, type ContactSheetItem } from "../../shapeworld/contact_sheet.ts";
import { evaluateImage } from "../../shapeworld/evaluate.ts";
import { parseCaption } from "../../shapeworld/grammar.ts";

export interface ContactInput {
  /** The evaluated prompts, in evaluation order. */
  prompts: readonly string[];
  seedsPerPrompt: number;
  seedBase: number;
  steps: number;
  guidance: number;
  /** eval.json's per-image scores (rewards on the captions, verdicts to cross-check). */
  perImage?: PerImageScores;
}

export interface ContactOptions {
  /** Prompts per sheet. @default {8} */
  prompts?: number;
  /** Sheets (seed indices 0 .. seeds - 1, capped at seeds_per_prompt). @default {2} */
  seeds?: number;
}

export interface ContactSheetResult {
  seedIndex: number;
  png: Uint8Array;
  /** The picked prompts (column order). */
  prompts: string[];
  /** Images whose ShapeEval verdict could be compared with eval.json, and how many agreed. */
  judged: number;
  agreed: number;
}

/** The category of a ShapeWorld prompt, or "other" for a prompt outside its grammar. */
function categoryOf(prompt: string): string {
  try {
    return parseCaption(prompt).category;
  } catch {
    return "other";
  }
}

/**
 * Up to `count` prompt indices, round-robin over the categories in order of first appearance,
 * so a sheet shows every kind of prompt before a second of any kind.
 */
export function pickContactPrompts(prompts: readonly string[], count: number): number[] {
  const byCategory = new Map<string, number[]>();
  prompts.forEach((p, i) => {
    const c = categoryOf(p);
    if (!byCategory.has(c)) byCategory.set(c, []);
    byCategory.get(c)!.push(i);
  });
  const out: number[] = [];
  for (let round = 0; out.length < count; round++) {
    let any = false;
    for (const ids of byCategory.values()) {
      if (round < ids.length && out.length < count) {
        out.push(ids[round]!);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

function verdict(prompt: string, rgb: Uint8Array): boolean | null {
  try {
    return evaluateImage(prompt, rgb).correct;
  } catch {
    return null; // not a ShapeWorld prompt or not a 32x32 image
  }
}

export async function baseTunedSheets(
  base: ImageSampler,
  tuned: ImageSampler,
  input: ContactInput,
  opts: ContactOptions = {},
): Promise<ContactSheetResult[]> {
  const S = input.seedsPerPrompt;
  const picks = pickContactPrompts(input.prompts, opts.prompts ?? 8);
  const sheets = Math.min(S, opts.seeds ?? 2);
  if (picks.length === 0 || sheets < 1) return [];
  // One request per model: every (picked prompt, seed index) at once.
  const jobs = Array.from(
    { length: sheets },
    (_, k) =>
      picks.map((i) => ({
        prompt: input.prompts[i]!,
        image: i * S + k,
        seed: input.seedBase + i * S + k,
      })),
  ).flat();
  const req = {
    prompts: jobs.map((j) => j.prompt),
    seeds: jobs.map((j) => j.seed),
    steps: input.steps,
    guidance: input.guidance,
  };
  const images = { base: await base.sample(req), tuned: await tuned.sample(req) };
  const size = base.config.imageSize;
  const out: ContactSheetResult[] = [];
  for (let k = 0; k < sheets; k++) {
    const items: ContactSheetItem[] = [];
    let judged = 0, agreed = 0;
    for (const which of ["base", "tuned"] as const) {
      for (let c = 0; c < picks.length; c++) {
        const j = k * picks.length + c;
        const job = jobs[j]!, rgb = images[which][j]!;
        const ok = verdict(job.prompt, rgb);
        const stored = input.perImage?.correct?.[which][job.image];
        if (ok !== null && stored !== undefined) {
          judged++;
          if (ok === stored) agreed++;
        }
        const rewards = Object.entries(input.perImage?.[which] ?? {}).map(([name, v]) =>
          `${name.slice(0, 3)} ${v[job.image]?.toFixed(2) ?? "-"}`
        );
        const mark = ok === null ? "" : ok ? " ok" : " wrong";
        items.push({ rgb, caption: job.prompt, score: [`${which}${mark}`, ...rewards].join(" ") });
      }
    }
    const seeds = picks.map((i) => input.seedBase + i * S + k);
    out.push({
      seedIndex: k,
      png: contactSheet(items, {
        columns: picks.length,
        imageWidth: size,
        imageHeight: size,
        scale: 4,
        title: `base (top row) vs tuned (bottom row), same seeds: seed index ${k} ` +
          `(seeds ${seeds[0]}..${seeds[seeds.length - 1]})`,
      }),
      prompts: picks.map((i) => input.prompts[i]!),
      judged,
      agreed,
    });
  }
  return out;
}
