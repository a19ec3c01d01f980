/**
 * `capo compare [--config spec.json] [--key=value ...] [--out DIR]`: paired comparisons of
 * tuned models (cells, each with one model per training seed) with each other and with their
 * base, sampled from the same noise (stages/evaluate/run_compare.ts). Prints compare.md; with
 * --out DIR also writes DIR/compare.json and DIR/compare.md.
 * Exit status: 0 done, 2 bad arguments or spec, 1 a model, reward or prompt file could not be
 * used.
 */
import { describeTable, flagPatch, keysOf, merge } from "../lib/config_table.ts";
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { checkCompare, COMPARE, COMPARE_DEFAULTS } from "../stages/evaluate/compare_options.ts";
import { formatCompare } from "../stages/evaluate/compare_report.ts";

const USAGE = `usage: capo compare [--config spec.json] [--key=value ...] [--out DIR]

Samples the base and every cell's models on the same prompts and seeds (each model once: its
scores are cached), then per metric and declared comparison: the head-to-head win-rate, the
delta win-rate against the base and the delta mean, each with a paired bootstrap over prompts
and training seeds, and Holm-corrected p-values over the declared family. Example spec:

  {"base": "data/models/base-eps",
   "cells": {"capo": ["runs/capo/train", "runs/capo-seed1/train"], "dpo": ["runs/dpo/train"]},
   "comparisons": ["capo vs base", "capo vs dpo"],
   "evaluate": {"prompts": "data/prompts/dev.txt"}}

Searches compare on data/prompts/dev.txt; eval.txt (the default) is the locked test set. The
evaluate.* keys start from capo evaluate's full mode (every prompt, 4 seeds, 30 steps).

Keys (type; default), what they mean: why the default:
${describeTable(COMPARE)}`;

/** The spec file, then flags in order, over COMPARE_DEFAULTS; throws a TypeError on a bad one. */
export async function compareOptions(args: readonly string[]) {
  const keys = keysOf(COMPARE).map(([k]) => k);
  const { values, positionals, tokens } = parseFlags("capo compare", {
    args: [...args],
    options: {
      config: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
      ...Object.fromEntries(keys.map((k) => [k, { type: "string" as const }])),
    },
    allowPositionals: true, // to say so in the words below
    tokens: true,
  });
  if (positionals.length > 0) {
    throw new TypeError(`Cannot use argument '${positionals[0]}' as capo compare takes only flags`);
  }
  const file = (values.config as string | undefined) ?? null;
  const out = (values.out as string | undefined) ?? null;
  const help = values.help === true;
  // Key flags apply in the order given, after the spec file.
  const patches = tokens.flatMap((t) =>
    t.kind === "option" && keys.includes(t.name)
      ? [{ where: `--${t.name}`, patch: flagPatch(COMPARE, t.name, t.value ?? "") }]
      : []
  );
  let o = COMPARE_DEFAULTS;
  if (file !== null) {
    let raw: unknown;
    try {
      raw = JSON.parse(await Deno.readTextFile(file));
    } catch (err) {
      throw new TypeError(`Cannot read --config ${file}: ${(err as Error).message}`);
    }
    o = merge(COMPARE, o, raw, `--config ${file}`);
  }
  for (const p of patches) o = merge(COMPARE, o, p.patch, p.where);
  if (!help) checkCompare(o, file === null ? "flags" : `--config ${file}`);
  return { options: o, out, help };
}

export async function main(args: string[]): Promise<number> {
  const parsed = await parsedOrExit("capo compare", USAGE, async () => {
    const p = await compareOptions(args);
    return p.help ? "help" : p;
  });
  if (typeof parsed === "number") return parsed;
  // Imported here: it loads onnxruntime, which --help and a bad flag need not.
  const { runCompare } = await import("../stages/evaluate/run_compare.ts");
  const report = await runCompare(parsed.options, parsed.out);
  console.log(formatCompare(report));
  if (parsed.out !== null) console.log(`written to ${parsed.out}/compare.{json,md}`);
  return 0;
}
