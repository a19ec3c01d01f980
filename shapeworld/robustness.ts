/**
 * ShapeEval's robustness curve: accuracy on renders of the eval prompts as Gaussian noise or
 * blur grows (documented in docs/shapeeval.md). A correct render stays the ground truth, so
 * every drop in accuracy is the evaluator's error, not the image's.
 */
import { addGaussianNoise, gaussianBlur } from "./degrade.ts";
import { type EvalTable, evalTable, evaluateImage } from "./evaluate.ts";
import { parseCaption } from "./grammar.ts";
import { CATEGORIES } from "./meaning.ts";
import { loadPrompts } from "./prompts.ts";
import { Rng } from "../lib/rng.ts";
import { renderScene } from "./render.ts";
import { IMAGE_SIZE, layoutFor } from "./scene.ts";

export interface RobustnessOptions {
  /** Noise levels (standard deviation, 0-255 units). @default {[0, 10, 20, 30, 40, 50, 60, 80]} */
  noise?: readonly number[];
  /** Blur levels (Gaussian sigma, pixels). @default {[0, 0.5, 1, 1.5, 1.75, 2, 2.5, 3]} */
  blur?: readonly number[];
  /** Prompts to render. @default {the eval set} */
  prompts?: readonly string[];
  /** Renders per prompt. @default {1} */
  seeds?: number;
  /** Seed of layouts and noise. @default {0} */
  seed?: number;
}

export interface RobustnessRow {
  kind: "noise" | "blur";
  level: number;
  table: EvalTable;
}

/** Accuracy tables for each noise and blur level. */
export function robustnessCurve(opts: RobustnessOptions = {}): RobustnessRow[] {
  const noise = opts.noise ?? [0, 10, 20, 30, 40, 50, 60, 80];
  const blur = opts.blur ?? [0, 0.5, 1, 1.5, 1.75, 2, 2.5, 3];
  const prompts = opts.prompts ?? loadPrompts("eval");
  const seeds = opts.seeds ?? 1;
  const seed = opts.seed ?? 0;
  // Render once; every level degrades the same clean images.
  const clean = prompts.flatMap((caption, i) =>
    Array.from({ length: seeds }, (_, s) => ({
      caption,
      rgb: renderScene(layoutFor(parseCaption(caption), Rng.derive(seed, i, s))),
    }))
  );
  const rows: RobustnessRow[] = [];
  const noiseRng = Rng.derive(seed, 0x6e6f6973);
  for (const level of noise) {
    const results = clean.map(({ caption, rgb }) =>
      evaluateImage(caption, addGaussianNoise(rgb, level, noiseRng))
    );
    rows.push({ kind: "noise", level, table: evalTable(results) });
  }
  for (const level of blur) {
    const results = clean.map(({ caption, rgb }) =>
      evaluateImage(caption, gaussianBlur(rgb, IMAGE_SIZE, IMAGE_SIZE, level))
    );
    rows.push({ kind: "blur", level, table: evalTable(results) });
  }
  return rows;
}

/** The curve as a markdown table: one row per degradation level. */
export function formatRobustness(rows: readonly RobustnessRow[]): string {
  const cols = ["overall", ...CATEGORIES] as const;
  const head = `| degradation | level | ${cols.join(" | ")} |`;
  const rule = `|---|---:|${cols.map(() => "---:").join("|")}|`;
  const body = rows.map((r) =>
    `| ${r.kind === "noise" ? "noise sigma" : "blur sigma (px)"} | ${r.level} | ${
      cols.map((c) => (r.table[c] ?? NaN).toFixed(3)).join(" | ")
    } |`
  );
  return [head, rule, ...body].join("\n");
}
