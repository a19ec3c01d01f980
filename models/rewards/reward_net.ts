/**
 * The reward network shared by the three rewards of the default world (docs/method.md §8): a
 * small pre-LN transformer over image patches (and, for image_text, the prompt's tokens in
 * the same sequence, so every layer can compare words with pixels), attention-pooled to one
 * scalar. One definition: `rewardNetSpecs` names every weight; `rewardNetForward` (tfjs,
 * training) and `emitRewardNet` (ONNX, inference) walk the same names op for op; a test
 * checks their parity.
 *
 * Notation: B batch, S image side, p stem patch, G = S/p stem patches per side, P = p*p*3
 * values per patch, Ds stem width, m merge, T = (G/m)^2 image tokens, L prompt tokens,
 * N = T (+ L) sequence length, D width.
 * Inputs:  image [B, S, S, 3] float32 in [-1, 1] (NHWC; pixel / 127.5 - 1),
 *          tokens [B, L] token ids (image_text only; int32 in tfjs, int64 in ONNX).
 * Output:  score [B] (a scalar, or a logit that the manifest declares as "sigmoid").
 *
 * 1. stem: f = MLP_stem(patchify(image, p)), a per-patch MLP            [B, G*G, Ds]
 *    merge: u = patchify(f as [B, G, G, Ds], m) W_merge + pos_img        [B, T, D]
 *    (a cheap local feature extractor at 4 px, then attention over 8 px tokens)
 * 2. prompt tokens (image_text): v = E[tokens] + pos_txt; h = [u; v]       [B, N, D]
 * 3. per block: h += Attn(LN1 h); h += MLP(LN2 h)
 * 4. pool: n = LN(h); a = softmax_N(n w_pool); z = sum_N a n            [B, D]
 * 5. head: score = MLP_head(z)                                          [B]
 *
 * Conv-free and gather-free in tfjs (see models/nn/): tfjs-wasm has no gradient for either.
 */
import * as tf from "@tensorflow/tfjs";
import { OnnxGraph } from "../onnx/graph.ts";
import { attention, attentionSpecs, emitAttention } from "../nn/attention.ts";
import { embed, embeddingSpecs, emitEmbed } from "../nn/embedding.ts";
import { emitLayerNorm, layerNorm, layerNormSpecs } from "../nn/layer_norm.ts";
import { emitLinear, linear, linearSpecs } from "../nn/linear.ts";
import { matMul } from "../nn/matmul.ts";
import { emitMlp, mlp, mlpSpecs } from "../nn/mlp.ts";
import { type ParamSpec, weight, type Weights } from "../nn/params.ts";
import { emitPatchify, patchify } from "../nn/patchify.ts";
import { SPECIAL_TOKENS } from "../tokenizer.ts";
import { imageTokens, type RewardNetConfig, stemGrid } from "./net_config.ts";

/**
 * Token and position tables start at the scale of the image tokens (~1), not at 0.02: with
 * tiny word embeddings the first block's attention output swamps a word's identity in the
 * residual stream, and training sat on a plateau of chance accuracy for ~800 steps.
 */
const EMBED_STD = 1;
const POS_INIT = { kind: "normal", std: 0.5 } as const;

/** Every weight of the network, in a fixed order (init draws follow this order). */
export function rewardNetSpecs(cfg: RewardNetConfig): ParamSpec[] {
  const D = cfg.width;
  const P = cfg.patchSize * cfg.patchSize * 3;
  const Ds = cfg.stemWidth;
  const specs: ParamSpec[] = [
    ...mlpSpecs("stem", P, Ds, Ds),
    ...linearSpecs("merge", cfg.merge * cfg.merge * Ds, D),
    { name: "pos_img", shape: [imageTokens(cfg), D], init: POS_INIT, decay: false },
  ];
  if (cfg.inputs === "image_text") {
    specs.push(
      ...embeddingSpecs("text.embed", cfg.vocabulary.length + SPECIAL_TOKENS, D, EMBED_STD),
      { name: "text.pos", shape: [cfg.maxTokens, D], init: POS_INIT, decay: false },
    );
  }
  for (let i = 0; i < cfg.depth; i++) {
    const b = `blocks.${i}`;
    specs.push(
      ...layerNormSpecs(`${b}.norm1`, D),
      ...attentionSpecs(`${b}.attn`, D),
      ...layerNormSpecs(`${b}.norm2`, D),
      ...mlpSpecs(`${b}.mlp`, D, cfg.mlpRatio * D, D),
    );
  }
  specs.push(
    ...layerNormSpecs("norm", D),
    ...linearSpecs("pool", D, 1, { bias: false }),
    ...mlpSpecs("head", D, D, 1),
  );
  return specs;
}

/**
 * image [B,S,S,3] float32, tokens [B,L] int32 (image_text; null otherwise) -> score [B].
 * Call inside tf.tidy (or a gradient function): intermediates are not disposed here.
 */
export function rewardNetForward(
  cfg: RewardNetConfig,
  w: Weights,
  image: tf.Tensor,
  tokens: tf.Tensor | null,
): tf.Tensor {
  const B = image.shape[0]!;
  const D = cfg.width;
  // 1. stem and merge
  const G = stemGrid(cfg);
  const f = mlp(w, "stem", patchify(image, cfg.patchSize)).reshape([B, G, G, cfg.stemWidth]); // [B,G,G,Ds]
  let h = tf.add(linear(w, "merge", patchify(f, cfg.merge)), weight(w, "pos_img")); // [B,T,D]
  // 2. prompt tokens
  if (cfg.inputs === "image_text") {
    if (tokens === null) {
      throw new TypeError(
        "Cannot run an image_text reward net as tokens are missing: current value is null",
      );
    }
    const v = tf.add(embed(w, "text.embed", tokens), weight(w, "text.pos")); // [B,L,D]
    h = tf.concat([h, v], 1); // [B,N,D]
  }
  // 3. blocks
  for (let i = 0; i < cfg.depth; i++) {
    const b = `blocks.${i}`;
    const n1 = layerNorm(w, `${b}.norm1`, h);
    h = tf.add(h, attention(w, `${b}.attn`, n1, n1, cfg.heads));
    h = tf.add(h, mlp(w, `${b}.mlp`, layerNorm(w, `${b}.norm2`, h)));
  }
  // 4. attention pooling (tfjs softmax works on the last axis only, hence the reshapes)
  const n = layerNorm(w, "norm", h); // [B,N,D]
  const N = n.shape[1]!;
  const a = tf.softmax(linear(w, "pool", n).reshape([B, N])).reshape([B, 1, N]); // [B,1,N]
  const z = matMul(a, n).reshape([B, D]); // [B,D]
  // 5. head
  return mlp(w, "head", z).reshape([B]);
}

/** Names of the ONNX graph's inputs and output (the manifest repeats them). */
export const NET_IO = { image: "image", tokens: "tokens", score: "score" } as const;

/**
 * Emit the network into `g`: input "image" [batch,S,S,3] float32, "tokens" [batch,L] int64
 * (image_text only); output "score" [batch]. Every weight becomes an initializer of its name.
 */
export function emitRewardNet(
  g: OnnxGraph,
  cfg: RewardNetConfig,
  weights: ReadonlyMap<string, Float32Array>,
): void {
  const D = cfg.width;
  const S = cfg.imageSize;
  const shapes = new Map(rewardNetSpecs(cfg).map((s) => [s.name, s.shape]));
  for (const [name, shape] of shapes) {
    const v = weights.get(name);
    if (!v) throw new RangeError(`Cannot export reward net as weight '${name}' is missing`);
    g.initializer(name, v, shape);
  }
  // The emitters only ask whether a weight exists (biases), so a name-keyed view suffices.
  const has = shapes as unknown as Weights;
  const image = g.input(NET_IO.image, "float32", ["batch", S, S, 3]);
  // 1. stem and merge
  const G = stemGrid(cfg);
  const f = emitMlp(g, has, "stem", emitPatchify(g, image, cfg.patchSize, S, 3)); // [B,G*G,Ds]
  const grid = g.op("Reshape", [f, g.constInt64([-1, G, G, cfg.stemWidth])]); // [B,G,G,Ds]
  const merged = emitPatchify(g, grid, cfg.merge, G, cfg.stemWidth); // [B,T,m*m*Ds]
  let h = g.op("Add", [emitLinear(g, has, "merge", merged), "pos_img"]);
  // 2. prompt tokens
  if (cfg.inputs === "image_text") {
    const tokens = g.input(NET_IO.tokens, "int64", ["batch", cfg.maxTokens]);
    const v = g.op("Add", [emitEmbed(g, "text.embed", tokens), "text.pos"]);
    h = g.op("Concat", [h, v], { axis: 1 });
  }
  // 3. blocks
  for (let i = 0; i < cfg.depth; i++) {
    const b = `blocks.${i}`;
    const n1 = emitLayerNorm(g, `${b}.norm1`, h, D);
    h = g.op("Add", [h, emitAttention(g, has, `${b}.attn`, n1, n1, cfg.heads, D)]);
    h = g.op("Add", [h, emitMlp(g, has, `${b}.mlp`, emitLayerNorm(g, `${b}.norm2`, h, D))]);
  }
  // 4. attention pooling over the sequence axis
  const n = emitLayerNorm(g, "norm", h, D); // [B,N,D]
  const logits = g.op("Transpose", [emitLinear(g, has, "pool", n)], { perm: [0, 2, 1] }); // [B,1,N]
  const a = g.op("Softmax", [logits], { axis: -1 });
  const z = g.op("Reshape", [g.op("MatMul", [a, n]), g.constInt64([-1, D])]); // [B,D]
  // 5. head
  const score = g.op("Reshape", [emitMlp(g, has, "head", z), g.constInt64([-1])]); // [B]
  g.output(score, NET_IO.score, "float32", ["batch"]);
}

/** The network as ONNX bytes (opset 17). */
export function rewardNetOnnx(
  cfg: RewardNetConfig,
  weights: ReadonlyMap<string, Float32Array>,
  name: string,
): Uint8Array {
  const g = new OnnxGraph(`capo_reward_${name}`);
  emitRewardNet(g, cfg, weights);
  return g.toBytes();
}
