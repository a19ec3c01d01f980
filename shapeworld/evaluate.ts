/**
 * ShapeEval's judgement: does an image show exactly what its caption says (docs/method.md §6.4, §8,
 * GenEval's categories)?
 *
 * Stricter than GenEval, because in ShapeWorld it can be: the detected objects must match
 * the caption's objects one to one (no missing and no extra object, each with the named
 * shape, colour and size), and for position captions the matched pair must stand in the
 * named relation as GenEval's `relative_position` judges it.
 */
import { type DetectedObject, detectObjects } from "./detect.ts";
import { parseCaption } from "./grammar.ts";
import {
  CATEGORIES,
  type Category,
  describeSpec,
  fitsSpec,
  objectsOf,
  type ObjectSpec,
} from "./meaning.ts";
import { relationsBetween } from "./relation.ts";
import { permutations } from "./permutations.ts";

export interface EvalResult {
  category: Category;
  correct: boolean;
  detected: DetectedObject[];
  /** Why the image is judged incorrect (absent when correct). */
  reason?: string;
}

function describeDetected(d: DetectedObject): string {
  return `${d.size} ${d.colour} ${d.shape}`;
}

function listOf(xs: string[]): string {
  return xs.length === 0 ? "nothing" : xs.join(", ");
}

/**
 * Judge one image against its caption. Throws an Error starting "cannot evaluate: " when the
 * caption is outside the grammar (never a silent 0), and a RangeError when the image is not
 * 32x32 RGB.
 */
export function evaluateImage(caption: string, rgb: Uint8Array): EvalResult {
  const meaning = parseCaption(caption);
  const detected = detectObjects(rgb);
  const category = meaning.category;
  const specs: ObjectSpec[] = objectsOf(meaning);
  const found = detected.map(describeDetected);
  if (detected.length !== specs.length) {
    return {
      category,
      correct: false,
      detected,
      reason: `expected ${specs.length} object(s) (${listOf(specs.map(describeSpec))}), ` +
        `found ${detected.length} (${listOf(found)})`,
    };
  }
  let matched = false;
  let relationSeen: string | null = null;
  for (const perm of permutations(specs.length)) {
    if (!specs.every((s, i) => fitsSpec(s, detected[perm[i]!]!))) continue;
    matched = true;
    if (meaning.category !== "position") return { category, correct: true, detected };
    const a = detected[perm[0]!]!, b = detected[perm[1]!]!;
    const rels = relationsBetween(a.box, b.box);
    if (rels.has(meaning.relation)) return { category, correct: true, detected };
    relationSeen = rels.size === 0 ? "no clear relation" : [...rels].join(" and ");
  }
  if (!matched) {
    return {
      category,
      correct: false,
      detected,
      reason: `objects do not match: expected ${listOf(specs.map(describeSpec))}, found ${
        listOf(found)
      }`,
    };
  }
  return {
    category,
    correct: false,
    detected,
    reason:
      `relation "${meaning.category === "position" ? meaning.relation : ""}" does not hold: ` +
      `the first object is ${relationSeen} the second`,
  };
}

/** Accuracy per category present, and overall = mean of those (as GenEval averages). */
export type EvalTable = Partial<Record<Category, number>> & { overall: number };

/** Per-category accuracy and overall (the mean of the category accuracies). */
export function evalTable(
  results: readonly { category: Category | string; correct: boolean }[],
): EvalTable {
  const hits = new Map<string, [number, number]>();
  for (const r of results) {
    if (!(CATEGORIES as readonly string[]).includes(r.category)) {
      throw new RangeError(
        `Cannot tabulate results as category must be one of ${CATEGORIES.join(", ")}: ` +
          `current value is ${r.category}`,
      );
    }
    const h = hits.get(r.category) ?? [0, 0];
    h[0] += r.correct ? 1 : 0;
    h[1] += 1;
    hits.set(r.category, h);
  }
  const table: Partial<Record<Category, number>> = {};
  let sum = 0, n = 0;
  for (const c of CATEGORIES) {
    const h = hits.get(c);
    if (h === undefined) continue;
    table[c] = h[0] / h[1];
    sum += h[0] / h[1];
    n++;
  }
  return { ...table, overall: n === 0 ? NaN : sum / n };
}

const HEADERS: readonly [keyof EvalTable, string][] = [
  ["overall", "Overall"],
  ["single_object", "Single object"],
  ["two_object", "Two object"],
  ["counting", "Counting"],
  ["colors", "Colors"],
  ["position", "Position"],
  ["color_attr", "Color attribution"],
];

/**
 * GenEval's table as markdown: one row per model (or one row labelled "ShapeEval"), columns
 * Overall, Single object, Two object, Counting, Colors, Position, Color attribution.
 */
export function formatEvalTable(
  rows: EvalTable | readonly { label: string; table: EvalTable }[],
): string {
  const list = Array.isArray(rows) ? rows : [{ label: "ShapeEval", table: rows as EvalTable }];
  const head = `| Model | ${HEADERS.map(([, h]) => h).join(" | ")} |`;
  const rule = `|---|${HEADERS.map(() => "---:").join("|")}|`;
  const body = list.map(({ label, table }) =>
    `| ${label} | ${
      HEADERS.map(([k]) => {
        const v = table[k];
        return v === undefined || Number.isNaN(v) ? "-" : v.toFixed(2);
      }).join(" | ")
    } |`
  );
  return [head, rule, ...body].join("\n");
}
