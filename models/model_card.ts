/**
 * The model card shipped next to a base model's weights: what it is, what it cost to train,
 * and how it scores (ShapeEval on the eval prompts), with a contact sheet.
 */
import { formatEvalTable } from "../shapeworld/mod.ts";
import type { ModelConfig } from "./config.ts";
import type { ShapeEvalReport } from "./shapeeval.ts";

export interface TrainingCost {
  steps: number;
  samples: number;
  /** Wall seconds spent training, summed over sessions (resumes). */
  trainSeconds: number;
  sessions: number;
  finalLoss: number;
}

/**
 * Read the cost from a loss log (JSONL: step, loss, samples, elapsed_s per line). elapsed_s
 * restarts at each resume, so a drop starts a new session and the sessions' last values add up.
 */
export function trainingCost(lossLog: string): TrainingCost {
  const rows = lossLog.split("\n").filter((l) => l.trim()).map((l) =>
    JSON.parse(l) as { step: number; loss: number; samples: number; elapsed_s: number }
  );
  if (rows.length === 0) throw new RangeError("Cannot read training cost as the loss log is empty");
  let total = 0, sessions = 1, prev = 0;
  for (const r of rows) {
    if (r.elapsed_s < prev) {
      total += prev;
      sessions++;
    }
    prev = r.elapsed_s;
  }
  total += prev;
  const last = rows[rows.length - 1]!;
  return {
    steps: last.step,
    samples: last.samples,
    trainSeconds: total,
    sessions,
    finalLoss: last.loss,
  };
}

/** Issue #4's band for a shipped base: good, with room to align (SDXL scores 0.55 on GenEval). */
export const SHAPEEVAL_TARGET = { min: 0.35, max: 0.8 } as const;

/** One line saying whether `overall` is inside SHAPEEVAL_TARGET, and if not, which side. */
export function targetStatus(overall: number): string {
  const band = `${SHAPEEVAL_TARGET.min.toFixed(2)}-${SHAPEEVAL_TARGET.max.toFixed(2)}`;
  const got = overall.toFixed(2);
  if (!Number.isFinite(overall)) return `**unknown**: overall is ${overall}`;
  if (overall < SHAPEEVAL_TARGET.min) {
    return `**below the target**: overall ${got}, the target band is ${band}`;
  }
  if (overall > SHAPEEVAL_TARGET.max) {
    return `**above the target**: overall ${got} leaves little room to align (band ${band})`;
  }
  return `**within the target**: overall ${got} in the band ${band}`;
}

export interface CardInput {
  name: string;
  config: ModelConfig;
  params: number;
  cost: TrainingCost;
  hardware: string;
  report: ShapeEvalReport;
  sheetFile: string;
  imagesPerSecond: number;
  command: string;
  /** Free-form training history (e.g. a config change on resume), shown as is. */
  notes?: string;
}

export function modelCard(c: CardInput): string {
  const cfg = c.config;
  const what = cfg.parameterization === "eps"
    ? `epsilon prediction, DDPM ${cfg.betaSchedule} schedule (${cfg.trainSteps} steps), DDIM sampling (SDXL-like)`
    : "rectified flow, velocity prediction, Euler sampling (SD3-like)";
  const o = c.report.options;
  const wrong = c.report.items.filter((i) => !i.correct).slice(0, 8);
  return `# ${c.name}

A ShapeWorld base text-to-image model for capo (docs/method.md §8): ${what}.
Small DiT: patch ${cfg.patchSize} (${
    (cfg.imageSize / cfg.patchSize) ** 2
  } tokens), width ${cfg.width}, depth ${cfg.depth}, ${cfg.heads} heads,
MLP x${cfg.mlpRatio}, ${cfg.textDepth} text block(s), cross-attention to the prompt and adaLN-Zero on time + pooled prompt;
${
    c.params.toLocaleString("en-US")
  } parameters; word-level tokenizer of ${cfg.vocabulary.length} words + <pad>/<unk>/<null>.
Weights are the EMA weights: \`model.safetensors\` (F32, linear weights stored [in, out], config in
\`__metadata__.config\`), \`config.json\`, and \`model.onnx\` (opset 17: x [B,32,32,3], t [B], tokens [B,16] int32).

## Training cost

| | |
|---|---|
| steps | ${c.cost.steps} |
| images seen | ${c.cost.samples.toLocaleString("en-US")} (ShapeWorld train captions only) |
| wall time | ${(c.cost.trainSeconds / 3600).toFixed(2)} h over ${c.cost.sessions} session(s) |
| hardware | ${c.hardware} |
| final training loss | ${c.cost.finalLoss.toFixed(4)} (mean of the last logging window) |

Reproduce: \`${c.command}\`
${c.notes ? `\n${c.notes.trim()}\n` : ""}
## ShapeEval (eval prompts)

${c.report.items.length} images: every eval prompt x ${o.seedsPerPrompt} seeds (seeds ${o.seedBase}+), ${o.steps} steps,
guidance ${o.guidance}. Sampling through onnxruntime: ${
    c.imagesPerSecond.toFixed(1)
  } images/s on this machine.

${formatEvalTable([{ label: c.name, table: c.report.table }])}

Target for a shipped base: ${targetStatus(c.report.table.overall)}.

Some failures, as ShapeEval explains them:

${wrong.map((w) => `- "${w.prompt}" (seed ${w.seed}): ${w.reason ?? "incorrect"}`).join("\n")}

## Contact sheet

![eval prompts](${c.sheetFile})

First seed of the first eval prompts; the line under each caption is ShapeEval's verdict.
`;
}
