/**
 * `capo shapes` (`deno task shapes ...`): ShapeWorld renders, prompt sets and ShapeEval.
 *
 *   shapes render --prompt "a red circle" [--prompt ...] [--seed N] --out file.png
 *       one prompt: a 32x32 PNG (--scale K upscales it); several (or --split eval|train with
 *       --limit N): a contact sheet, with ShapeEval's verdict under each image.
 *   shapes prompts            regenerate data/prompts/{train,eval}.txt and print counts
 *   shapes eval <folder|samples.parquet> [--json]
 *       GenEval-style table; captions from the folder's captions.jsonl or the file names
 *       (see shapeworld/sample_files.ts), or the Parquet's prompt column.
 *   shapes robustness [--seeds N]   ShapeEval accuracy vs noise and blur (markdown table)
 */
import { parseArgs } from "node:util";
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
  writePromptSets,
} from "../shapeworld/mod.ts";
import { readSamples } from "../shapeworld/sample_files.ts";
import { Rng } from "../lib/rng.ts";

const USAGE = `usage: capo shapes <render|prompts|eval|robustness> [options]

  render --prompt TEXT [--prompt TEXT ...] [--split eval|train --limit N] [--seed N]
         [--scale K] [--columns C] --out FILE.png
  prompts
  eval <folder of PNGs | samples.parquet> [--json]
  robustness [--seeds N] [--json]
`;

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}

function intOption(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    throw new RangeError(
      `Cannot run shapes as --${name} must be an integer: current value is ${v}`,
    );
  }
  return n;
}

async function render(args: string[]): Promise<number> {
  const { values } = parseArgs({
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
  if (values.out === undefined) throw new TypeError("Cannot render as --out is missing");
  const seed = intOption("seed", values.seed, 0);
  let prompts = values.prompt ?? [];
  if (values.split !== undefined) {
    if (values.split !== "train" && values.split !== "eval") {
      throw new TypeError(
        `Cannot render as --split must be train or eval: current value is ${values.split}`,
      );
    }
    prompts = [
      ...prompts,
      ...loadPrompts(values.split).slice(0, intOption("limit", values.limit, 16)),
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
    await writeAtomic(
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
    await writeAtomic(values.out, sheet);
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
  const rows = CATEGORIES.map((c) => {
    const count = (xs: string[], held: boolean | null) =>
      xs.filter((p) => {
        const m = parseCaption(p);
        return m.category === c && (held === null || (heldOutKind(m) !== null) === held);
      }).length;
    return `| ${c} | ${count(sets.train, null)} | ${count(sets.eval, null)} | ${
      count(sets.eval, true)
    } |`;
  });
  console.log("| category | train | eval | eval held-out |\n|---|---:|---:|---:|");
  console.log(rows.join("\n"));
  console.log(
    `| total | ${sets.train.length} | ${sets.eval.length} | ${
      sets.eval.filter((p) => heldOutKind(parseCaption(p)) !== null).length
    } |`,
  );
  console.log("\nwrote data/prompts/train.txt and data/prompts/eval.txt");
  return 0;
}

async function evaluate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const path = positionals[0];
  if (path === undefined || positionals.length > 1) {
    throw new TypeError(
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
  const { values } = parseArgs({
    args,
    options: { seeds: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const rows = robustnessCurve({ seeds: intOption("seeds", values.seeds, 1) });
  console.log(values.json ? JSON.stringify(rows) : formatRobustness(rows));
  return 0;
}

export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "render":
      return await render(rest);
    case "prompts":
      return await prompts();
    case "eval":
      return await evaluate(rest);
    case "robustness":
      return robustness(rest);
    case undefined:
    case "-h":
    case "--help":
      console.log(USAGE);
      return sub === undefined ? 2 : 0;
    default:
      console.error(`capo shapes: unknown subcommand '${sub}'\n\n${USAGE}`);
      return 2;
  }
}
