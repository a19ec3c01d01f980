/**
 * The pretraining loss as ONNX, for the training graph (models/train_graph.ts).
 *
 * Notation (docs/method.md §1.2, models/trainer.ts): B examples, x_t [B,S,S,C] the noised
 * images, tau [B] the network time, target eps (eps models) or eps - x0 (flow models), w [B] the per-example
 * weight (Min-SNR-gamma for eps with minSnrGamma > 0, else 1):
 *   loss = mean over b and pixels of w_b (f_theta(x_t, tau, c) - target)^2
 * Inputs "x", "t", "tokens" (the denoiser's), "target" [B,S,S,C], "weight" [B].
 */
import type { ModelConfig } from "./config.ts";
import { emitDenoiser } from "./denoiser.ts";
import { denoiserSpecs } from "./denoiser.ts";
import { type TrainingGraph, trainingGraph } from "./train_graph.ts";

export function pretrainGraph(cfg: ModelConfig, batch: number): TrainingGraph {
  const B = batch;
  const S = cfg.imageSize, C = cfg.channels;
  return trainingGraph(`capo_pretrain_${cfg.parameterization}`, denoiserSpecs(cfg), (g) => {
    const prediction = emitDenoiser(g, cfg, null, B); // f_theta(x_t, tau, c)  [B,S,S,C]
    const target = g.input("target", "float32", [B, S, S, C]);
    const weight = g.input("weight", "float32", [B]);
    const diff = g.op("Sub", [prediction, target]);
    const sq = g.op("Mul", [diff, diff]); // (f - target)^2
    const w = g.op("Reshape", [weight, g.constInt64([B, 1, 1, 1])]);
    const loss = g.op("ReduceMean", [g.op("Mul", [sq, w])], { keepdims: 0 }); // []
    return { loss };
  });
}
