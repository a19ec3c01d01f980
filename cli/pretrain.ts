/**
 * `deno task pretrain --config models/configs/base-eps.json --out runs/pretrain-eps`
 *
 * Pretrains a base denoiser from scratch on ShapeWorld renders (docs/method.md §8). Resumes from
 * `<out>/checkpoint.safetensors` when present; logs the mean loss every `logEvery` steps to
 * `<out>/loss.jsonl`; checkpoints every `checkpointMinutes`, on SIGINT/SIGTERM and at the end;
 * finally exports the EMA weights (model.safetensors, config.json, model.onnx) to --export
 * (default `<out>/final`).
 *
 * Options:
 *   --config <json>     {"model": ModelConfig without vocabulary, "train": TrainConfig}
 *   --out <dir>         run directory (checkpoint, loss log)
 *   --steps <n>         override train.steps (e.g. to extend a finished run)
 *   --max-minutes <m>   stop (with a checkpoint) after this wall time; resume later
 *   --export <dir>      where to write the final model (default <out>/final)
 *   --threads <n>       onnxruntime intra-op threads (default: one per core); a resume is
 *                       bit-exact on the same machine with the same count
 * Other modes (cli/pretrain_card.ts): --snapshot <dir> --out <run> writes the latest
 * checkpoint's EMA weights; --evaluate <dir> --run <run> writes ShapeEval and the model card;
 * --sweep <g1,g2> --model <dir> compares guidance scales on train prompts.
 */
import { loadCheckpoint, saveCheckpoint } from "../models/checkpoint.ts";
import { type ModelConfig, parseModelConfig } from "../models/config.ts";
import { denoiserOnnx } from "../models/export_onnx.ts";
import { countParams } from "../models/nn/params.ts";
import { writeFileAtomic } from "../models/safetensors.ts";
import { parseTrainConfig, type TrainConfig } from "../models/train_config.ts";
import { DenoiserTrainer } from "../models/trainer.ts";
import { saveModel } from "../models/weights.ts";
import { evaluate, snapshot, sweep } from "./pretrain_card.ts";
import { positiveFlag } from "./positive_flag.ts";
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { UsageError } from "../lib/usage_error.ts";
import { logger, Progress } from "../lib/log.ts";
import { corpusItem, VOCABULARY } from "../shapeworld/mod.ts";

const log = logger("pretrain");

interface Args {
  config: string;
  out: string;
  steps?: number;
  maxMinutes?: number;
  exportDir?: string;
  threads?: number;
}

/** The training mode's flags; `--config` and `--out` are required (a UsageError). */
function trainArgs(f: TrainFlags): Args {
  const num = (name: "steps" | "max-minutes" | "threads") => positiveFlag(f, name);
  const { config, out } = f;
  if (!config || !out) {
    throw new UsageError("Cannot run pretrain as --config and --out are required");
  }
  const a: Args = { config, out };
  const steps = num("steps");
  if (steps !== undefined) a.steps = steps;
  const mm = num("max-minutes");
  if (mm !== undefined) a.maxMinutes = mm;
  if (f.export !== undefined) a.exportDir = f.export;
  const threads = num("threads");
  if (threads !== undefined) {
    if (!Number.isInteger(threads)) {
      throw new RangeError(
        `Cannot parse --threads as an integer >= 1: current value is ${threads}`,
      );
    }
    a.threads = threads;
  }
  return a;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Keep only loss-log lines up to `step`, so a resumed run's log has no duplicate steps. */
async function trimLossLog(path: string, step: number): Promise<void> {
  if (!(await exists(path))) return;
  const lines = (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim().length > 0);
  const keep = lines.filter((l) => (JSON.parse(l) as { step: number }).step <= step);
  await writeFileAtomic(path, new TextEncoder().encode(keep.map((l) => l + "\n").join("")));
}

const USAGE = `usage: capo pretrain --config FILE.json --out DIR [--steps N] [--max-minutes M]
                     [--export DIR] [--threads N]
       capo pretrain --snapshot DIR --out RUN          the latest checkpoint's EMA weights
       capo pretrain --evaluate DIR --run RUN [--name NAME]   ShapeEval and the model card
       capo pretrain --sweep G1,G2 --model DIR         guidance scales on train prompts

Pretrains a base denoiser on ShapeWorld renders, resuming from DIR/checkpoint.safetensors;
exports the EMA weights (model.safetensors, config.json, model.onnx) to --export (DIR/final).`;

/** Every flag of every mode (cli/pretrain_card.ts has the other modes); each takes a value. */
const OPTIONS = {
  config: { type: "string" },
  out: { type: "string" },
  steps: { type: "string" },
  "max-minutes": { type: "string" },
  export: { type: "string" },
  threads: { type: "string" },
  snapshot: { type: "string" },
  evaluate: { type: "string" },
  run: { type: "string" },
  name: { type: "string" },
  sweep: { type: "string" },
  model: { type: "string" },
  "seeds-per-prompt": { type: "string" },
  guidance: { type: "string" },
  limit: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

type TrainFlags = Readonly<
  Partial<Record<"config" | "out" | "steps" | "max-minutes" | "export" | "threads", string>>
>;

export async function main(args: string[]): Promise<number> {
  const values = await parsedOrExit("capo pretrain", USAGE, () => {
    const { values } = parseFlags("capo pretrain", { args, options: OPTIONS });
    return values.help ? "help" : values;
  });
  if (typeof values === "number") return values;
  if (values.snapshot !== undefined) return await snapshot(values);
  if (values.evaluate !== undefined) return await evaluate(values);
  if (values.sweep !== undefined) return await sweep(values);
  const a = trainArgs(values);
  const raw = JSON.parse(await Deno.readTextFile(a.config)) as { model?: unknown; train?: unknown };
  const model: ModelConfig = parseModelConfig({
    vocabulary: [...VOCABULARY],
    ...(raw.model as object),
  });
  const trainFromFile: TrainConfig = parseTrainConfig({
    ...(raw.train as object),
    ...(a.steps ? { steps: a.steps } : {}),
  });
  await Deno.mkdir(a.out, { recursive: true });
  const ckptPath = `${a.out}/checkpoint.safetensors`;
  const lossPath = `${a.out}/loss.jsonl`;

  let trainer: DenoiserTrainer;
  if (await exists(ckptPath)) {
    const s = await loadCheckpoint(ckptPath);
    // The checkpoint's vocabulary wins (the tokenizer is part of the trained model); a
    // ShapeWorld vocabulary that has changed since is reported, not silently adopted.
    if (JSON.stringify(s.model.vocabulary) !== JSON.stringify(model.vocabulary)) {
      log.warn("ShapeWorld's vocabulary differs from the checkpoint's; keeping the checkpoint's");
    }
    if (
      JSON.stringify({ ...s.model, vocabulary: [] }) !==
        JSON.stringify({ ...model, vocabulary: [] })
    ) {
      throw new RangeError(
        `Cannot resume ${ckptPath} as its model config differs from ${a.config}`,
      );
    }
    // The schedule (steps) may be extended; everything else must match to resume exactly.
    const { steps: _a, ...was } = s.train;
    const { steps: _b, ...now } = trainFromFile;
    if (JSON.stringify(was) !== JSON.stringify(now)) {
      log.warn("train config differs from the checkpoint's; using the new one", { was, now });
    }
    trainer = DenoiserTrainer.restore({ ...s, train: trainFromFile }, {
      threads: a.threads ?? null,
    });
    if (s.threads !== undefined && s.threads !== trainer.threads) {
      log.warn(
        `resuming on ${trainer.threads} onnxruntime threads where the checkpoint ran on ` +
          `${s.threads} (--threads): training continues, but not bit for bit`,
      );
    }
    await trimLossLog(lossPath, s.step);
    log.info("resumed", { checkpoint: ckptPath, step: s.step });
  } else {
    trainer = DenoiserTrainer.create(model, trainFromFile, { threads: a.threads ?? null });
    await Deno.writeTextFile(lossPath, "");
    log.info("started", { out: a.out });
  }
  const train = trainer.train;
  log.info("model", {
    parameterization: model.parameterization,
    params: countParams(trainer.specs),
    runtime: "onnxruntime",
    threads: trainer.threads,
    batchSize: train.batchSize,
    steps: train.steps,
  });

  const save = async () => {
    await saveCheckpoint(ckptPath, trainer.snapshot());
    log.info("checkpoint", { step: trainer.step, path: ckptPath });
  };
  let stop = false;
  const onSignal = () => {
    log.warn("signal: checkpointing and stopping after this step");
    stop = true;
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);

  const corpus = (i: number) => corpusItem(train.dataSeed, i);
  const start = performance.now();
  let lastCkpt = start;
  const progress = new Progress(`pretrain-${model.parameterization}`, train.steps - trainer.step);
  let acc = { loss: 0, grad: 0, n: 0 };
  const lossFile = await Deno.open(lossPath, { append: true, create: true });
  try {
    while (trainer.step < train.steps && !stop) {
      // A non-finite gradient throws here (models/finite_gradient.ts) before any update and
      // without a save: the checkpoint on disk stays the one from before that step.
      const r = await trainer.trainStep(corpus);
      acc = { loss: acc.loss + r.loss, grad: acc.grad + r.gradNorm, n: acc.n + 1 };
      progress.tick(1, { loss: r.loss });
      if (r.step % train.logEvery === 0 || r.step === train.steps) {
        const line = {
          step: r.step,
          loss: acc.loss / acc.n,
          grad_norm: acc.grad / acc.n,
          lr: r.lr,
          samples: trainer.cursor,
          elapsed_s: Math.round((performance.now() - start) / 1000),
          time: new Date().toISOString(),
        };
        await lossFile.write(new TextEncoder().encode(JSON.stringify(line) + "\n"));
        acc = { loss: 0, grad: 0, n: 0 };
      }
      const now = performance.now();
      if (now - lastCkpt >= train.checkpointMinutes * 60_000) {
        await save();
        lastCkpt = now;
      }
      if (a.maxMinutes && now - start >= a.maxMinutes * 60_000) {
        log.info("time limit reached", { maxMinutes: a.maxMinutes });
        break;
      }
    }
  } finally {
    lossFile.close();
  }
  await save();
  await trainer.dispose();
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, onSignal);
  // Export the EMA weights: to --export when finished, else to <out>/latest for a look.
  const done = trainer.step >= train.steps;
  const dir = done ? a.exportDir ?? `${a.out}/final` : `${a.out}/latest`;
  const ema = trainer.emaValues();
  await saveModel(dir, trainer.model, ema);
  await writeFileAtomic(`${dir}/model.onnx`, denoiserOnnx(trainer.model, ema));
  log.info("exported", { dir, step: trainer.step });
  if (!done) {
    log.info("stopped before the last step; run the same command to resume", {
      step: trainer.step,
    });
  }
  console.log(dir);
  return 0;
}
