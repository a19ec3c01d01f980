/**
 * The denoiser: a small DiT (patch transformer) conditioned on the prompt by cross-attention
 * to encoded prompt tokens and on the timestep (+ pooled prompt) by adaLN-Zero.
 * One definition: `denoiserSpecs` names every weight; `denoiserForward` (tfjs, training) and
 * `emitDenoiser` (ONNX, inference) walk the same names op for op; a test checks parity.
 *
 * Notation: B batch, S image side, C channels, p patch, T = (S/p)^2 image tokens,
 * P = p*p*C values per patch, L = maxTokens prompt tokens, D width, F time features.
 * Inputs:  x [B, S, S, C] noisy image in [-1, 1]-ish scale (NHWC),
 *          t [B] time in [0, 1] (eps: DDPM index / trainSteps; flow: t of x_t),
 *          tokens [B, L] int32 token ids.
 * Output:  [B, S, S, C] the prediction (eps: noise; flow: velocity eps - x0).
 *
 * 1. prompt: ctx = TextBlocks(E[tokens] + pos_text), LayerNorm          [B, L, D]
 * 2. condition: c = MLP(sinusoid(t)) + W_pool mean_L(ctx)              [B, D]
 * 3. tokens: h = patchify(x) W_patch + pos                              [B, T, D]
 * 4. per block: h += g1 * SelfAttn(mod(LN h; s1, k1))
 *               h += CrossAttn(LN_affine h, ctx)
 *               h += g2 * MLP(mod(LN h; s2, k2)),  (s, k, g) = split(W_ada silu(c))
 * 5. out: unpatchify( mod(LN h; s, k) W_out ) (+ c(tau) x if inputSkip)  [B, S, S, C]
 * mod(y; shift, scale) = y * (1 + scale) + shift. adaLN and output weights start at zero, so
 * each block starts as the identity and the initial prediction is 0, or just the skip term
 * (DiT's adaLN-Zero).
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.ts";
import { numPatches } from "./config.ts";
import type { Dim, OnnxGraph } from "./onnx/graph.ts";
import { attention, attentionSpecs, emitAttention } from "./nn/attention.ts";
import { embed, embeddingSpecs, emitEmbed } from "./nn/embedding.ts";
import { emitLayerNorm, layerNorm, layerNormSpecs } from "./nn/layer_norm.ts";
import { emitLinear, linear, linearSpecs } from "./nn/linear.ts";
import { emitMlp, emitSilu, mlp, mlpSpecs, silu } from "./nn/mlp.ts";
import type { ParamSpec, Weights } from "./nn/params.ts";
import { weight } from "./nn/params.ts";
import { emitPatchify, emitUnpatchify, patchify, unpatchify } from "./nn/patchify.ts";
import { emitInputSkip, inputSkip } from "./input_skip.ts";
import { emitTimestepFeatures, timestepFeatures } from "./nn/timestep.ts";
import { SPECIAL_TOKENS } from "./tokenizer.ts";

const ZERO = { kind: "zeros" } as const;

/** 2D sin-cos position table [T, D] (MAE/DiT), the starting value of the learned `pos`. */
function sincos2d(grid: number, dim: number): Float32Array {
  const out = new Float32Array(grid * grid * dim);
  const quarter = dim / 4;
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const row = (r * grid + c) * dim;
      for (let i = 0; i < quarter; i++) {
        const f = 1 / 10000 ** (i / quarter);
        out[row + i] = Math.sin(c * f);
        out[row + quarter + i] = Math.cos(c * f);
        out[row + 2 * quarter + i] = Math.sin(r * f);
        out[row + 3 * quarter + i] = Math.cos(r * f);
      }
    }
  }
  return out;
}

/** Every weight of the model, in a fixed order (init draws follow this order). */
export function denoiserSpecs(cfg: ModelConfig): ParamSpec[] {
  const D = cfg.width;
  const H = cfg.mlpRatio * D;
  const P = cfg.patchSize * cfg.patchSize * cfg.channels;
  const V = cfg.vocabulary.length + SPECIAL_TOKENS;
  const specs: ParamSpec[] = [
    ...embeddingSpecs("text.embed", V, D),
    {
      name: "text.pos",
      shape: [cfg.maxTokens, D],
      init: { kind: "normal", std: 0.02 },
      decay: false,
    },
  ];
  for (let i = 0; i < cfg.textDepth; i++) {
    const p = `text.blocks.${i}`;
    specs.push(
      ...layerNormSpecs(`${p}.norm1`, D),
      ...attentionSpecs(`${p}.attn`, D),
      ...layerNormSpecs(`${p}.norm2`, D),
      ...mlpSpecs(`${p}.mlp`, D, H, D),
    );
  }
  specs.push(
    ...layerNormSpecs("text.norm", D),
    ...mlpSpecs("t_embed", cfg.timeFeatures, D, D),
    ...linearSpecs("pool", D, D),
    ...linearSpecs("patch_embed", P, D),
    {
      name: "pos",
      shape: [numPatches(cfg), D],
      init: { kind: "values", values: sincos2d(cfg.imageSize / cfg.patchSize, D) },
      decay: false,
    },
  );
  for (let i = 0; i < cfg.depth; i++) {
    const p = `blocks.${i}`;
    specs.push(
      ...linearSpecs(`${p}.ada`, D, 6 * D, { init: ZERO }),
      ...attentionSpecs(`${p}.attn`, D),
      ...layerNormSpecs(`${p}.norm_ca`, D),
      ...attentionSpecs(`${p}.cross`, D, D),
      ...mlpSpecs(`${p}.mlp`, D, H, D),
    );
  }
  specs.push(...linearSpecs("final.ada", D, 2 * D, { init: ZERO }));
  specs.push(...linearSpecs("final.proj", D, P, { init: ZERO }));
  return specs;
}

// ---- tfjs forward ----

function modulate(y: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(y, tf.add(scale, 1)), shift);
}

/** Encoded prompt [B, L, D]. */
function encodeText(cfg: ModelConfig, w: Weights, tokens: tf.Tensor): tf.Tensor {
  let h = tf.add(embed(w, "text.embed", tokens), weight(w, "text.pos"));
  for (let i = 0; i < cfg.textDepth; i++) {
    const p = `text.blocks.${i}`;
    const n = layerNorm(w, `${p}.norm1`, h);
    h = tf.add(h, attention(w, `${p}.attn`, n, n, cfg.heads));
    h = tf.add(h, mlp(w, `${p}.mlp`, layerNorm(w, `${p}.norm2`, h)));
  }
  return layerNorm(w, "text.norm", h);
}

/**
 * x [B,S,S,C] float32, t [B] float32, tokens [B,L] int32 -> prediction [B,S,S,C].
 * Call inside tf.tidy (or a gradient function): intermediates are not disposed here.
 */
export function denoiserForward(
  cfg: ModelConfig,
  w: Weights,
  x: tf.Tensor,
  t: tf.Tensor,
  tokens: tf.Tensor,
): tf.Tensor {
  const D = cfg.width;
  const B = x.shape[0]!;
  // 1. prompt
  const ctx = encodeText(cfg, w, tokens); // [B, L, D]
  // 2. condition
  const temb = mlp(w, "t_embed", timestepFeatures(t, cfg.timeFeatures)); // [B, D]
  const c = tf.add(temb, linear(w, "pool", tf.mean(ctx, 1))); // [B, D]
  const cs = silu(c);
  // 3. image tokens
  let h = tf.add(linear(w, "patch_embed", patchify(x, cfg.patchSize)), weight(w, "pos")); // [B,T,D]
  // 4. blocks
  for (let i = 0; i < cfg.depth; i++) {
    const p = `blocks.${i}`;
    const mods = tf.split(linear(w, `${p}.ada`, cs).reshape([B, 1, 6 * D]), 6, -1); // 6 x [B,1,D]
    const [s1, k1, g1, s2, k2, g2] = mods as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
    const n = modulate(layerNorm(w, null, h), s1, k1);
    const a = attention(w, `${p}.attn`, n, n, cfg.heads);
    h = tf.add(h, tf.mul(g1, a));
    h = tf.add(h, attention(w, `${p}.cross`, layerNorm(w, `${p}.norm_ca`, h), ctx, cfg.heads));
    h = tf.add(h, tf.mul(g2, mlp(w, `${p}.mlp`, modulate(layerNorm(w, null, h), s2, k2))));
  }
  // 5. output
  const [s, k] = tf.split(linear(w, "final.ada", cs).reshape([B, 1, 2 * D]), 2, -1) as [
    tf.Tensor,
    tf.Tensor,
  ];
  const out = linear(w, "final.proj", modulate(layerNorm(w, null, h), s, k)); // [B, T, P]
  const y = unpatchify(out, cfg.patchSize, cfg.imageSize, cfg.channels); // [B, S, S, C]
  return cfg.inputSkip ? tf.add(y, inputSkip(cfg, x, t)) : y;
}

// ---- ONNX twin ----

function emitModulate(g: OnnxGraph, y: string, shift: string, scale: string, one: string): string {
  return g.op("Add", [g.op("Mul", [y, g.op("Add", [scale, one])]), shift]);
}

/**
 * Emit the denoiser into `g`: inputs "x" [B,S,S,C] float32, "t" [B] float32, "tokens" [B,L]
 * int32; output "prediction" [B,S,S,C]; returns the prediction's name. Every weight in `w`
 * becomes an initializer of its name. With `w` null the weights must already be values of `g`
 * under their names (the training graph makes them from one flat input, models/train_graph.ts)
 * and the prediction is not declared an output (the loss is). `batch` fixes B (a training
 * graph's shapes are static); by default it is the symbolic "batch".
 */
export function emitDenoiser(
  g: OnnxGraph,
  cfg: ModelConfig,
  w: ReadonlyMap<string, Float32Array> | null,
  batch: Dim = "batch",
): string {
  const D = cfg.width;
  const S = cfg.imageSize;
  const C = cfg.channels;
  const shapes = new Map(denoiserSpecs(cfg).map((s) => [s.name, s.shape]));
  for (const [name, shape] of w === null ? [] : shapes) {
    const v = w!.get(name);
    if (!v) throw new RangeError(`Cannot export denoiser as weight '${name}' is missing`);
    g.initializer(name, v, shape);
  }
  const has = shapes; // the emitters only ask which weights exist
  const x = g.input("x", "float32", [batch, S, S, C]);
  const t = g.input("t", "float32", [batch]);
  const tokens = g.input("tokens", "int32", [batch, cfg.maxTokens]);
  const one = g.constFloat([1], []);
  // 1. prompt
  let ctx = g.op("Add", [emitEmbed(g, "text.embed", tokens), "text.pos"]);
  for (let i = 0; i < cfg.textDepth; i++) {
    const p = `text.blocks.${i}`;
    const n = emitLayerNorm(g, `${p}.norm1`, ctx, D);
    ctx = g.op("Add", [ctx, emitAttention(g, has, `${p}.attn`, n, n, cfg.heads, D)]);
    ctx = g.op("Add", [ctx, emitMlp(g, has, `${p}.mlp`, emitLayerNorm(g, `${p}.norm2`, ctx, D))]);
  }
  ctx = emitLayerNorm(g, "text.norm", ctx, D);
  // 2. condition
  const temb = emitMlp(g, has, "t_embed", emitTimestepFeatures(g, t, cfg.timeFeatures));
  const pooled = g.op("ReduceMean", [ctx], { axes: [1], keepdims: 0 });
  const cs = emitSilu(g, g.op("Add", [temb, emitLinear(g, has, "pool", pooled)]));
  // 3. image tokens
  let h = g.op("Add", [
    emitLinear(g, has, "patch_embed", emitPatchify(g, x, cfg.patchSize, S, C)),
    "pos",
  ]);
  // 4. blocks
  for (let i = 0; i < cfg.depth; i++) {
    const p = `blocks.${i}`;
    const ada = g.op("Unsqueeze", [emitLinear(g, has, `${p}.ada`, cs), g.constInt64([1])]); // [B,1,6D]
    const [s1, k1, g1, s2, k2, g2] = g.node("Split", [ada, g.constInt64(Array(6).fill(D))], {
      axis: -1,
    }, 6) as [string, string, string, string, string, string];
    const n = emitModulate(g, emitLayerNorm(g, null, h, D), s1, k1, one);
    const a = emitAttention(g, has, `${p}.attn`, n, n, cfg.heads, D);
    h = g.op("Add", [h, g.op("Mul", [g1, a])]);
    h = g.op("Add", [
      h,
      emitAttention(
        g,
        has,
        `${p}.cross`,
        emitLayerNorm(g, `${p}.norm_ca`, h, D),
        ctx,
        cfg.heads,
        D,
      ),
    ]);
    const m = emitMlp(
      g,
      has,
      `${p}.mlp`,
      emitModulate(g, emitLayerNorm(g, null, h, D), s2, k2, one),
    );
    h = g.op("Add", [h, g.op("Mul", [g2, m])]);
  }
  // 5. output
  const ada = g.op("Unsqueeze", [emitLinear(g, has, "final.ada", cs), g.constInt64([1])]);
  const [s, k] = g.node("Split", [ada, g.constInt64([D, D])], { axis: -1 }, 2) as [string, string];
  const out = emitLinear(
    g,
    has,
    "final.proj",
    emitModulate(g, emitLayerNorm(g, null, h, D), s, k, one),
  );
  const y = emitUnpatchify(g, out, cfg.patchSize, S, C);
  const prediction = cfg.inputSkip ? g.op("Add", [y, emitInputSkip(g, cfg, x, t)]) : y;
  if (w === null) return prediction; // a training graph: its loss is the output
  return g.output(prediction, "prediction", "float32", [batch, S, S, C]);
}
