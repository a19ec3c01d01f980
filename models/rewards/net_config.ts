/**
 * The reward network's architecture config (models/rewards/reward_net.ts). It travels with
 * the weights, so a trained reward is self-describing.
 */

/** "image": image tokens only (aesthetic); "image_text": image and prompt tokens (alignment, preference). */
export const NET_INPUTS = ["image", "image_text"] as const;
export type NetInputs = typeof NET_INPUTS[number];

export interface RewardNetConfig {
  format: "capo-reward-net/1";
  inputs: NetInputs;
  /** Square image side in pixels. @default {32} ShapeWorld's size */
  imageSize: number;
  /** Patch side of the stem. @default {4} an object spans 2-3 patches per side */
  patchSize: number;
  /** Hidden and output width of the stem, a per-patch MLP. @default {32} */
  stemWidth: number;
  /**
   * Stem patches merged m x m into one transformer token. @default {2} 16 tokens of 8x8 px:
   * attention over 64 tokens costs 4-5x more per step on tfjs-wasm for little gain
   */
  merge: number;
  /** Transformer width D. */
  width: number;
  /** Transformer blocks over the joint token sequence. */
  depth: number;
  /** Attention heads (must divide width). */
  heads: number;
  /** MLP hidden = mlpRatio * width. */
  mlpRatio: number;
  /** Prompt length in tokens (image_text only). @default {12} the longest caption has 12 words */
  maxTokens: number;
  /** Tokenizer words (models/tokenizer.ts prepends <pad>, <unk>, <null>). */
  vocabulary: string[];
}

function fail(field: string, why: string, value: unknown): never {
  throw new RangeError(
    `Cannot use reward net config as ${field} ${why}: current value is ${JSON.stringify(value)}`,
  );
}

function posInt(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    fail(k, "must be a positive integer", v);
  }
  return v;
}

const KEYS = [
  "format",
  "inputs",
  "imageSize",
  "patchSize",
  "stemWidth",
  "merge",
  "width",
  "depth",
  "heads",
  "mlpRatio",
  "maxTokens",
  "vocabulary",
];

/** Validate a parsed JSON object as a RewardNetConfig (fills documented defaults). */
export function parseRewardNetConfig(raw: unknown): RewardNetConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    fail("config", "must be an object", raw);
  }
  for (const k of Object.keys(raw)) {
    if (!KEYS.includes(k)) fail(k, `is not a known key (known: ${KEYS.join(", ")})`, "present");
  }
  const o = {
    format: "capo-reward-net/1",
    imageSize: 32,
    patchSize: 4,
    stemWidth: 32,
    merge: 2,
    maxTokens: 12,
    ...raw,
  } as Record<string, unknown>;
  if (o.format !== "capo-reward-net/1") fail("format", 'must be "capo-reward-net/1"', o.format);
  if (!NET_INPUTS.includes(o.inputs as NetInputs)) {
    fail("inputs", `must be one of ${NET_INPUTS.join(", ")}`, o.inputs);
  }
  const vocab = o.vocabulary;
  if (!Array.isArray(vocab) || !vocab.every((w) => typeof w === "string" && w.length > 0)) {
    fail("vocabulary", "must be an array of non-empty strings", vocab);
  }
  if (new Set(vocab).size !== vocab.length) fail("vocabulary", "must not repeat words", vocab);
  const cfg: RewardNetConfig = {
    format: "capo-reward-net/1",
    inputs: o.inputs as NetInputs,
    imageSize: posInt(o, "imageSize"),
    patchSize: posInt(o, "patchSize"),
    stemWidth: posInt(o, "stemWidth"),
    merge: posInt(o, "merge"),
    width: posInt(o, "width"),
    depth: posInt(o, "depth"),
    heads: posInt(o, "heads"),
    mlpRatio: posInt(o, "mlpRatio"),
    maxTokens: posInt(o, "maxTokens"),
    vocabulary: [...vocab],
  };
  if (cfg.imageSize % cfg.patchSize !== 0) {
    fail("patchSize", `must divide imageSize ${cfg.imageSize}`, cfg.patchSize);
  }
  if ((cfg.imageSize / cfg.patchSize) % cfg.merge !== 0) {
    fail(
      "merge",
      `must divide the ${cfg.imageSize / cfg.patchSize} stem patches per side`,
      cfg.merge,
    );
  }
  if (cfg.width % cfg.heads !== 0) fail("heads", `must divide width ${cfg.width}`, cfg.heads);
  return cfg;
}

/** Stem patches per image side: imageSize / patchSize. */
export function stemGrid(cfg: RewardNetConfig): number {
  return cfg.imageSize / cfg.patchSize;
}

/** Image tokens of the transformer: (imageSize / (patchSize * merge))^2. */
export function imageTokens(cfg: RewardNetConfig): number {
  return (stemGrid(cfg) / cfg.merge) ** 2;
}
