/**
 * Shipping a trained reward: the ONNX graph (reward_net.ts) and its manifest in the scorer
 * harness' format (models/rewards/reward_manifest.ts, docs/reward_manifest.md), so the
 * pipeline loads it like any bring-your-own model. Files are written atomically.
 */
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { NULL, PAD, SPECIAL_TOKENS, UNK } from "../tokenizer.ts";
import type { RewardNetConfig } from "./net_config.ts";
import { NET_IO, rewardNetOnnx } from "./reward_net.ts";
import type { Objective } from "./trainer.ts";

const { onnx } = onnxProto;

/** The tokenizer's id -> word table: <pad>, <unk>, <null>, then the vocabulary. */
export function vocabWords(net: RewardNetConfig): string[] {
  const specials = ["<pad>", "<unk>", "<null>"];
  if (specials.length !== SPECIAL_TOKENS) {
    throw new Error("tokenizer specials changed: update vocabWords");
  }
  return [...specials, ...net.vocabulary];
}

/** The manifest of a reward network whose model file is `file` (relative to the manifest). */
export function rewardManifest(
  name: string,
  file: string,
  net: RewardNetConfig,
  objective: Objective,
  description: string,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {
    image: {
      name: NET_IO.image,
      layout: "NHWC",
      size: [net.imageSize, net.imageSize],
      channels: 3,
      dtype: "float32",
      // x = (pixel / 127.5 - 1): pixel * scale - mean with scale 1/127.5, mean 1, std 1.
      scale: 1 / 127.5,
      mean: [1, 1, 1],
      std: [1, 1, 1],
      resize: "error",
    },
  };
  if (net.inputs === "image_text") {
    inputs.prompt = {
      name: NET_IO.tokens,
      kind: "tokens",
      vocab: vocabWords(net),
      max_len: net.maxTokens,
      pad_id: PAD,
      unk_id: UNK,
      empty_id: NULL,
      lowercase: true,
      dtype: "int64",
    };
  }
  return {
    name,
    file,
    description,
    inputs,
    // The alignment net outputs a logit; "sigmoid" makes the score the probability.
    output: { name: NET_IO.score, kind: objective === "binary" ? "sigmoid" : "scalar" },
  };
}

export interface WrittenReward {
  manifestPath: string;
  onnxPath: string;
  onnxBytes: number;
}

/** Write `<dir>/<name>.onnx` and `<dir>/<name>.json` (the manifest), atomically. */
export async function writeRewardFiles(
  dir: string,
  name: string,
  net: RewardNetConfig,
  weights: ReadonlyMap<string, Float32Array>,
  objective: Objective,
  description: string,
): Promise<WrittenReward> {
  await Deno.mkdir(dir, { recursive: true });
  const onnx = rewardNetOnnx(net, weights, name);
  const onnxPath = join(dir, `${name}.onnx`);
  const manifestPath = join(dir, `${name}.json`);
  await writeFileAtomic(onnxPath, onnx);
  const manifest = rewardManifest(name, `${name}.onnx`, net, objective, description);
  await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  return { manifestPath, onnxPath, onnxBytes: onnx.length };
}

/**
 * The float32 initializers of an ONNX file, by name: a shipped reward's weights, read back to
 * warm-start another reward from it (rewards_config.ts `initFrom`).
 */
export async function readOnnxWeights(path: string): Promise<Map<string, Float32Array>> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new TypeError(`Cannot read weights from '${path}': ${(err as Error).message}`);
  }
  const model = onnx.ModelProto.decode(bytes);
  const out = new Map<string, Float32Array>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT || !t.name) continue;
    const raw = t.rawData;
    if (raw && raw.length > 0) {
      out.set(t.name, new Float32Array(raw.slice().buffer));
    } else if (t.floatData && t.floatData.length > 0) {
      out.set(t.name, Float32Array.from(t.floatData));
    }
  }
  return out;
}
