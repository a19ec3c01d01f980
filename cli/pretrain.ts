/**
 * `deno task pretrain --config models/configs/base-eps.json --out runs/pretrain-eps`
 *
 * Pretrains a base denoiser from scratch on ShapeWorld renders (SPEC section 3). Resumes from
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
 * Other modes (cli/pretrain_card.ts): --snapshot <dir> --out <run> writes the latest
 * checkpoint's EMA weights; --evaluate <dir> --run <run> writes ShapeEval and the model card;
 * --sweep <g1,g2> --model <dir> compares guidance scales on train prompts.
 */
import { initBackend } from "../models/backend.ts";
import { loadCheckpoint, saveCheckpoint } from "../models/checkpoint.ts";
import { type ModelConfig, parseModelConfig } from "../models/config.ts";
import { denoiserOnnx } from "../models/export_onnx.ts";
import { countParams } from "../models/nn/params.ts";
import { writeFileAtomic } from "../models/safetensors.ts";
import { parseTrainConfig, type TrainConfig } from "../models/train_config.ts";
import { DenoiserTrainer } from "../models/trainer.ts";
import { saveModel } from "../models/weights.ts";
import { evaluate, flag, snapshot, sweep } from "./pretrain_card.ts";
import { logger, Progress } from "../lib/log.ts";
import { corpusItem, VOCABULARY } from "../shapeworld/mod.ts";

const log = logger("pretrain");

interface Args {
  config: string;
  out: string;
  steps?: number;
  maxMinutes?: number;
  exportDir?: string;
}

function parseArgs(args: string[]): Args {
  const get = (name: string) => flag(args, name);
  const num = (name: string): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
      throw new RangeError(`Cannot parse ${name} as a positive number: current value is ${v}`);
    }
    return n;
  };
  const config = get("--config");
  const out = get("--out");
  if (!config || !out) {
    throw new TypeError("Cannot run pretrain as --config and --out are required");
  }
  const a: Args = { config, out };
  const steps = num("--steps");
  if (steps !== undefined) a.steps = steps;
  const mm = num("--max-minutes");
  if (mm !== undefined) a.maxMinutes = mm;
  const ex = get("--export");
  if (ex !== undefined) a.exportDir = ex;
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

export async function main(args: string[]): Promise<number> {
  if (args.includes("--snapshot")) return await snapshot(args);
  if (args.includes("--evaluate")) return await evaluate(args);
  if (args.includes("--sweep")) return await sweep(args);
  const a = parseArgs(args);
  const raw = JSON.parse(await Deno.readTextFile(a.config)) as { model?: unknown; train?: unknown };
  const model: ModelConfig = parseModelConfig({
    vocabulary: [...VOCABULARY],
    ...(raw.model as object),
  });
  const trainFromFile: TrainConfig = parseTrainConfig({
    ...(raw.train as object),
    ...(a.steps ? { steps: a.steps } : {}),
  });
  const backend = await initBackend();
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
    trainer = DenoiserTrainer.restore({ ...s, train: trainFromFile });
    await trimLossLog(lossPath, s.step);
    log.info("resumed", { checkpoint: ckptPath, step: s.step });
  } else {
    trainer = DenoiserTrainer.create(model, trainFromFile);
    await Deno.writeTextFile(lossPath, "");
    log.info("started", { out: a.out });
  }
  const train = trainer.train;
  log.info("model", {
    parameterization: model.parameterization,
    params: countParams(trainer.specs),
    backend,
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
      const r = trainer.trainStep(corpus);
      if (!Number.isFinite(r.loss)) {
        throw new RangeError(`Cannot continue training as the loss is ${r.loss} at step ${r.step}`);
      }
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
