/**
 * The diffusion model's config: architecture, parameterisation and noise schedule.
 * It travels with the weights (safetensors `__metadata__.config` and `config.json`), so a
 * weights file is self-describing; the tokenizer's vocabulary is part of it.
 */

/** The two parameterisations of the paper's two bases (docs/method.md §1.2). */
export type Parameterization = "eps" | "flow";
export const PARAMETERIZATIONS: readonly Parameterization[] = ["eps", "flow"];

/** DDPM beta schedules (eps only). */
export type BetaSchedule = "cosine" | "linear" | "scaled_linear";
export const BETA_SCHEDULES: readonly BetaSchedule[] = ["cosine", "linear", "scaled_linear"];

export interface ModelConfig {
  format: "capo-dit/1";
  /** "eps": epsilon prediction, DDPM schedule, DDIM sampling (SDXL-like);
   *  "flow": rectified flow, velocity prediction, Euler sampling (SD3-like). */
  parameterization: Parameterization;
  /** Square image side in pixels. @default {32} */
  imageSize: number;
  /** @default {3} (RGB) */
  channels: number;
  /** Patch side; 4 gives 64 tokens for 32x32. @default {4} */
  patchSize: number;
  /** Transformer width D. */
  width: number;
  /** Number of DiT blocks. */
  depth: number;
  /** Attention heads (width must divide). */
  heads: number;
  /** MLP hidden = mlpRatio * width. */
  mlpRatio: number;
  /** Transformer blocks over the prompt tokens before cross-attention. */
  textDepth: number;
  /** Prompt length in tokens (padded/truncated). @default {16} */
  maxTokens: number;
  /** Sinusoidal timestep feature size (even). */
  timeFeatures: number;
  /** Tokenizer words (the specials <pad>, <unk>, <null> are prepended by the tokenizer). */
  vocabulary: string[];
  /** eps only: DDPM beta schedule. @default {"cosine"} */
  betaSchedule: BetaSchedule;
  /** eps only: number of DDPM training timesteps. @default {1000} */
  trainSteps: number;
  /** Add the input skip c(tau) x_t to the network output (models/input_skip.ts).
   *  @default {false} (configs written before it existed have none) */
  inputSkip: boolean;
  /** The data scale sigma_d the skip coefficient assumes. @default {0.5} */
  sigmaData: number;
}

function fail(field: string, why: string, value: unknown): never {
  throw new RangeError(
    `Cannot use model config as ${field} ${why}: current value is ${JSON.stringify(value)}`,
  );
}

function posInt(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    fail(k, "must be a positive integer", v);
  }
  return v;
}

/** Validate a parsed JSON object as a ModelConfig (fills documented defaults). */
export function parseModelConfig(raw: unknown): ModelConfig {
  if (typeof raw !== "object" || raw === null) fail("config", "must be an object", raw);
  const o = {
    imageSize: 32,
    channels: 3,
    patchSize: 4,
    maxTokens: 16,
    betaSchedule: "cosine",
    trainSteps: 1000,
    inputSkip: false,
    sigmaData: 0.5,
    format: "capo-dit/1",
    ...raw,
  } as Record<string, unknown>;
  if (o.format !== "capo-dit/1") fail("format", 'must be "capo-dit/1"', o.format);
  const p = o.parameterization;
  if (!PARAMETERIZATIONS.includes(p as Parameterization)) {
    fail("parameterization", `must be one of ${PARAMETERIZATIONS.join(", ")}`, p);
  }
  const bs = o.betaSchedule;
  if (!BETA_SCHEDULES.includes(bs as BetaSchedule)) {
    fail("betaSchedule", `must be one of ${BETA_SCHEDULES.join(", ")}`, bs);
  }
  const cfg: ModelConfig = {
    format: "capo-dit/1",
    parameterization: p as Parameterization,
    imageSize: posInt(o, "imageSize"),
    channels: posInt(o, "channels"),
    patchSize: posInt(o, "patchSize"),
    width: posInt(o, "width"),
    depth: posInt(o, "depth"),
    heads: posInt(o, "heads"),
    mlpRatio: posInt(o, "mlpRatio"),
    textDepth: typeof o.textDepth === "number" && o.textDepth === 0 ? 0 : posInt(o, "textDepth"),
    maxTokens: posInt(o, "maxTokens"),
    timeFeatures: posInt(o, "timeFeatures"),
    vocabulary: [],
    betaSchedule: bs as BetaSchedule,
    trainSteps: posInt(o, "trainSteps"),
    inputSkip: o.inputSkip === true,
    sigmaData: typeof o.sigmaData === "number" && o.sigmaData > 0
      ? o.sigmaData
      : fail("sigmaData", "must be a positive number", o.sigmaData),
  };
  if (typeof o.inputSkip !== "boolean") fail("inputSkip", "must be true or false", o.inputSkip);
  const vocab = o.vocabulary;
  if (!Array.isArray(vocab) || !vocab.every((w) => typeof w === "string" && w.length > 0)) {
    fail("vocabulary", "must be an array of non-empty strings", vocab);
  }
  if (new Set(vocab).size !== vocab.length) fail("vocabulary", "must not repeat words", vocab);
  cfg.vocabulary = [...vocab];
  if (cfg.imageSize % cfg.patchSize !== 0) {
    fail("patchSize", `must divide imageSize ${cfg.imageSize}`, cfg.patchSize);
  }
  if (cfg.width % cfg.heads !== 0) fail("heads", `must divide width ${cfg.width}`, cfg.heads);
  if (cfg.timeFeatures % 2 !== 0) fail("timeFeatures", "must be even", cfg.timeFeatures);
  return cfg;
}

/** Tokens per image: (imageSize / patchSize)^2. */
export function numPatches(cfg: ModelConfig): number {
  return (cfg.imageSize / cfg.patchSize) ** 2;
}

/** Values per image: imageSize^2 * channels. */
export function imageValues(cfg: ModelConfig): number {
  return cfg.imageSize * cfg.imageSize * cfg.channels;
}
