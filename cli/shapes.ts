/**
 * `capo shapes` (`deno task shapes ...`): ShapeWorld renders, prompt sets and ShapeEval.
 *
 *   shapes render --prompt "a red circle" [--prompt ...] [--seed N] --out file.png
 *       one prompt: a 32x32 PNG (--scale K upscales it); several (or --split eval|train with
 *       --limit N): a contact sheet, with ShapeEval's verdict under each image.
 *   shapes prompts            regenerate data/prompts/{train,dev,eval}.txt (the dev set drawn
 *                             out of train, shapeworld/prompts.ts) and print category counts
 *   shapes eval <folder|samples.parquet> [--json]
 *       GenEval-style table; captions from the folder's captions.jsonl or the file names
 *       (see shapeworld/sample_files.ts), or the Parquet's prompt column.
 *   shapes robustness [--seeds N]   ShapeEval accuracy vs noise and blur (markdown table)
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { unknownCommand } from "../lib/unknown_command.ts";
import { UsageError } from "../lib/usage_error.ts";
import {
  CATEGORIES,
  contactSheet,
  encodePng,
  type EvalResult,
  evalTable,
  evaluateImage,
  formatEvalTable,
  formatRobustness,
  heldOutKind,
  IMAGE_SIZE,
  layoutFor,
  loadPrompts,
  parseCaption,
  renderScene,
  robustnessCurve,
  type Split,
  SPLITS,
  writePromptSets,
} from "../shapeworld/mod.ts";
import { readSamples } from "../shapeworld/sample_files.ts";
import { Rng } from "../lib/rng.ts";
import { writeFileAtomic } from "../lib/atomic_write.ts";

const USAGE = `usage: capo shapes <render|prompts|eval|robustness> [options]

  render --prompt TEXT [--prompt TEXT ...] [--split train|dev|eval --limit N] [--seed N]
         [--scale K] [--columns C] --out FILE.png
  prompts
  eval <folder of PNGs | samples.parquet> [--json]
  robustness [--seeds N] [--json]
`;

function intOption(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    throw new UsageError(
      `Cannot run shapes as --${name} must be an integer: current value is ${v}`,
    );
  }
  return n;
}

async function render(args: string[]): Promise<number> {
  const { values } = parseFlags("capo shapes render", {
    args,
    options: {
      prompt: { type: "string", multiple: true },
      split: { type: "string" },
      limit: { type: "string" },
      seed: { type: "string" },
      scale: { type: "string" },
      columns: { type: "string" },
      out: { type: "string" },
    },
  });
  if (values.out === undefined) throw new UsageError("Cannot render as --out is missing");
  const seed = intOption("seed", values.seed, 0);
  let prompts = values.prompt ?? [];
  if (values.split !== undefined) {
    if (!(SPLITS as readonly string[]).includes(values.split)) {
      throw new TypeError(
        `Cannot render as --split must be train, dev or eval: current value is ${values.split}`,
      );
    }
    prompts = [
      ...prompts,
      ...loadPrompts(values.split as Split).slice(0, intOption("limit", values.limit, 16)),
    ];
  }
  if (prompts.length === 0) {
    throw new TypeError("Cannot render as no --prompt or --split was given");
  }
  const items = prompts.map((caption, i) => {
    const rgb = renderScene(layoutFor(parseCaption(caption), Rng.derive(seed, i)));
    return { caption, rgb, verdict: evaluateImage(caption, rgb) };
  });
  if (items.length === 1 && values.columns === undefined) {
    const scale = intOption("scale", values.scale, 1);
    await writeFileAtomic(
      values.out,
      encodePng(upscale(items[0]!.rgb, scale), IMAGE_SIZE * scale, IMAGE_SIZE * scale),
    );
  } else {
    const sheet = contactSheet(
      items.map(({ caption, rgb, verdict }) => ({
        caption,
        rgb,
        score: `shapeeval ${verdict.correct ? "1" : "0"}`,
      })),
      {
        scale: intOption("scale", values.scale, 4),
        columns: intOption("columns", values.columns, Math.min(8, items.length)),
      },
    );
    await writeFileAtomic(values.out, sheet);
  }
  console.log(`wrote ${values.out} (${items.length} image(s), seed ${seed})`);
  return 0;
}

function upscale(rgb: Uint8Array, k: number): Uint8Array {
  if (k <= 1) return rgb;
  const W = IMAGE_SIZE * k;
  const out = new Uint8Array(W * W * 3);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const s = 3 * (Math.floor(y / k) * IMAGE_SIZE + Math.floor(x / k));
      out.set(rgb.subarray(s, s + 3), 3 * (y * W + x));
    }
  }
  return out;
}

async function prompts(): Promise<number> {
  const sets = await writePromptSets();
  const count = (xs: string[], c: string | null, held: boolean | null = null) =>
    xs.filter((p) => {
      const m = parseCaption(p);
      return (c === null || m.category === c) &&
        (held === null || (heldOutKind(m) !== null) === held);
    }).length;
  const row = (c: string | null) =>
    `| ${c ?? "total"} | ${count(sets.train, c)} | ${count(sets.dev, c)} | ${
      count(sets.eval, c)
    } | ${count(sets.eval, c, true)} |`;
  console.log("| category | train | dev | eval | eval held-out |\n|---|---:|---:|---:|---:|");
  console.log([...CATEGORIES.map(row), row(null)].join("\n"));
  console.log(`\nwrote ${SPLITS.map((s) => `data/prompts/${s}.txt`).join(", ")}`);
  return 0;
}

async function evaluate(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags("capo shapes eval", {
    args,
    options: { json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const path = positionals[0];
  if (path === undefined || positionals.length > 1) {
    throw new UsageError(
      `Cannot evaluate as exactly one folder or .parquet path is needed: current value is [${positionals}]`,
    );
  }
  const samples = await readSamples(path);
  const results: (EvalResult & { source: string; prompt: string })[] = [];
  const refused: { source: string; prompt: string; reason: string }[] = [];
  for (const s of samples) {
    try {
      results.push({ ...evaluateImage(s.prompt, s.rgb), source: s.source, prompt: s.prompt });
    } catch (err) {
      const msg = (err as Error).message;
      if (!msg.startsWith("cannot evaluate: ")) throw err;
      refused.push({ source: s.source, prompt: s.prompt, reason: msg });
    }
  }
  const table = evalTable(results);
  // Generalisation: the same table over prompts with only seen combinations and with held-out.
  const heldOut = (r: { prompt: string }) => heldOutKind(parseCaption(r.prompt)) !== null;
  const seen = results.filter((r) => !heldOut(r)), held = results.filter(heldOut);
  if (values.json) {
    console.log(JSON.stringify({
      table,
      table_seen: evalTable(seen),
      table_held_out: evalTable(held),
      evaluated: results.length,
      cannot_evaluate: refused,
      results: results.map(({ source, prompt, category, correct, reason }) => ({
        source,
        prompt,
        category,
        correct,
        ...(reason === undefined ? {} : { reason }),
      })),
    }));
  } else {
    const name = path.split("/").pop() ?? path;
    console.log(formatEvalTable([
      { label: name, table },
      ...(seen.length > 0
        ? [{ label: `${name} (seen combinations)`, table: evalTable(seen) }]
        : []),
      ...(held.length > 0
        ? [{ label: `${name} (held-out combinations)`, table: evalTable(held) }]
        : []),
    ]));
    console.log(`\n${results.length} image(s) evaluated`);
    for (const r of refused) console.error(`${r.source}: ${r.reason}`);
    if (refused.length > 0) console.error(`${refused.length} image(s) could not be evaluated`);
  }
  return refused.length > 0 ? 1 : 0;
}

function robustness(args: string[]): number {
  const { values } = parseFlags("capo shapes robustness", {
    args,
    options: { seeds: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const rows = robustnessCurve({ seeds: intOption("seeds", values.seeds, 1) });
  console.log(values.json ? JSON.stringify(rows) : formatRobustness(rows));
  return 0;
}

const SUBCOMMANDS: Record<string, (args: string[]) => number | Promise<number>> = {
  render,
  prompts: (args) => {
    if (args.length > 0) {
      throw new UsageError(`Cannot use '${args[0]}' as shapes prompts takes no arguments`);
    }
    return prompts();
  },
  eval: evaluate,
  robustness,
};

/** Exit status: the subcommand's; 0 for --help; 2 for a bad subcommand or argument. */
export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "-h" || sub === "--help") {
    (sub === undefined ? console.error : console.log)(USAGE);
    return sub === undefined ? 2 : 0;
  }
  try {
    const run = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
    if (run === undefined) throw unknownCommand("capo shapes", sub, Object.keys(SUBCOMMANDS));
    if (rest.includes("-h") || rest.includes("--help")) {
      console.log(USAGE);
      return 0;
    }
    return await run(rest);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`capo shapes: ${err.message}\n\n${USAGE}`);
    return 2;
  }
}
