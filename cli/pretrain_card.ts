/**
 * The non-training modes of `capo pretrain`:
 *   --snapshot <dir> --out <run>   write the run's latest checkpoint EMA weights to <dir>
 *                                  (model.safetensors, config.json, model.onnx) while it trains
 *   --evaluate <dir> --run <run>   ShapeEval the model in <dir> on the eval prompts and write
 *                                  shapeeval.json, contact_sheet.png and README.md (model card)
 *       [--seeds-per-prompt 4] [--steps 30] [--guidance 4] [--threads 1] [--limit <prompts>]
 *       [--name <model name, default the dir's; the card's reproduce line uses
 *        models/configs/<name>.json>]
 *   --sweep <g1,g2,...> --model <dir>   ShapeEval per guidance scale on the first --limit
 *                                  (default 100) TRAIN prompts, to choose the guidance without
 *                                  looking at the eval prompts; prints a table, writes nothing
 */
import os from "node:os";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { denoiserSpecs } from "../models/denoiser.ts";
import { denoiserOnnx } from "../models/export_onnx.ts";
import { modelCard, trainingCost } from "../models/model_card.ts";
import { countParams } from "../models/nn/params.ts";
import { writeFileAtomic } from "../models/safetensors.ts";
import { Sampler } from "../models/sampler.ts";
import { shapeEval } from "../models/shapeeval.ts";
import { saveModel } from "../models/weights.ts";
import { logger } from "../lib/log.ts";
import { contactSheet, formatEvalTable, loadPrompts } from "../shapeworld/mod.ts";
import { positiveFlag } from "./positive_flag.ts";

const log = logger("pretrain");

/** The flags these modes read; cli/pretrain.ts parses them (each a string when given). */
type Flag =
  | "snapshot"
  | "out"
  | "evaluate"
  | "run"
  | "name"
  | "sweep"
  | "model"
  | "seeds-per-prompt"
  | "steps"
  | "guidance"
  | "threads"
  | "limit";
export type PretrainFlags = Readonly<Partial<Record<Flag, string>>>;

function numFlag(f: PretrainFlags, name: Flag, dflt: number): number {
  return positiveFlag(f, name) ?? dflt;
}

export async function snapshot(f: PretrainFlags): Promise<number> {
  const dir = f.snapshot!;
  const run = f.out;
  if (!run) throw new TypeError("Cannot snapshot as --out <run dir> is required");
  const s = await loadCheckpoint(`${run}/checkpoint.safetensors`);
  await saveModel(dir, s.model, s.ema);
  await writeFileAtomic(`${dir}/model.onnx`, denoiserOnnx(s.model, s.ema));
  log.info("snapshot", { dir, step: s.step });
  console.log(dir);
  return 0;
}

function hardware(): string {
  let cpu = "an unknown CPU";
  try {
    cpu = `${os.cpus()[0]?.model ?? cpu} (${os.cpus().length} cores)`;
  } catch {
    // no --allow-sys: keep the generic description
  }
  return `${cpu}, onnxruntime training graph (models/onnx/grad/; the shipped bases were ` +
    `trained on tfjs-wasm: data/checkpoints/<run>/notes.md)`;
}

export async function sweep(f: PretrainFlags): Promise<number> {
  const scales = f.sweep!.split(",").map(Number);
  if (scales.some((g) => !Number.isFinite(g))) {
    throw new RangeError(
      `Cannot parse --sweep as comma-separated numbers: current value is ${f.sweep}`,
    );
  }
  const dir = f.model;
  if (!dir) throw new TypeError("Cannot sweep as --model <dir> is required");
  const sampler = await Sampler.load(dir, { intraOpThreads: numFlag(f, "threads", 1) });
  const prompts = loadPrompts("train").slice(0, numFlag(f, "limit", 100));
  const rows = [];
  for (const g of scales) {
    const r = await shapeEval(sampler, prompts, {
      seedsPerPrompt: numFlag(f, "seeds-per-prompt", 2),
      steps: numFlag(f, "steps", 30),
      guidance: g,
    });
    rows.push({ label: `guidance ${g}`, table: r.table });
    log.info("sweep", { guidance: g, overall: r.table.overall });
  }
  await sampler.release();
  console.log(formatEvalTable(rows));
  return 0;
}

export async function evaluate(f: PretrainFlags): Promise<number> {
  const dir = f.evaluate!;
  const run = f.run;
  if (!run) {
    throw new TypeError("Cannot evaluate as --run <run dir> (for the training cost) is required");
  }
  const sampler = await Sampler.load(dir, { intraOpThreads: numFlag(f, "threads", 1) });
  const limit = numFlag(f, "limit", Infinity);
  const prompts = loadPrompts("eval").slice(0, limit);
  const report = await shapeEval(sampler, prompts, {
    seedsPerPrompt: numFlag(f, "seeds-per-prompt", 4),
    steps: numFlag(f, "steps", 30),
    guidance: numFlag(f, "guidance", 4),
    progress: "shapeeval",
  });
  await sampler.release();
  const ips = report.items.length / report.seconds;
  log.info("shapeeval", { ...report.table, imagesPerSecond: Number(ips.toFixed(2)) });
  const first = report.items.filter((_, i) => i % report.options.seedsPerPrompt === 0).slice(0, 48);
  const sheet = contactSheet(
    first.map((i) => ({
      rgb: i.image,
      caption: i.prompt,
      score: i.correct ? "shapeeval: correct" : "shapeeval: wrong",
    })),
    {
      columns: 8,
      title:
        `${dir}: eval prompts, seed ${report.options.seedBase}+, guidance ${report.options.guidance}`,
    },
  );
  await writeFileAtomic(`${dir}/contact_sheet.png`, sheet);
  const json = {
    table: report.table,
    options: report.options,
    seconds: report.seconds,
    items: report.items.map(({ image: _i, ...rest }) => rest),
  };
  await writeFileAtomic(
    `${dir}/shapeeval.json`,
    new TextEncoder().encode(JSON.stringify(json, null, 1) + "\n"),
  );
  const cfg = sampler.config;
  // <run>/notes.md, when present, records training history the loss log cannot show.
  const notes = await Deno.readTextFile(`${run}/notes.md`).catch(() => "");
  const name = f.name ?? dir.replace(/\/+$/, "").split("/").pop()!;
  const card = modelCard({
    name,
    config: cfg,
    params: countParams(denoiserSpecs(cfg)),
    cost: trainingCost(await Deno.readTextFile(`${run}/loss.jsonl`)),
    hardware: hardware(),
    report,
    sheetFile: "contact_sheet.png",
    imagesPerSecond: ips,
    command: `deno task pretrain --config models/configs/${name}.json --out ${run}`,
    ...(notes ? { notes } : {}),
  });
  await writeFileAtomic(`${dir}/README.md`, new TextEncoder().encode(card));
  console.log(JSON.stringify(report.table));
  return 0;
}
