/**
 * The preference losses (docs/method.md §5.2) as one onnxruntime training graph: forward of the
 * policy on the 2B noised images, err_theta, the implicit reward gap, the loss, and the gradient of the
 * loss with respect to every weight (models/train_graph.ts). The tfjs formulas in
 * stages/train/implicit_reward.ts and losses.ts are the reference it is tested against.
 *
 * Notation (per pair j of B, winners in rows 0..B-1, losers in rows B..2B-1, N = 2B):
 *   err_theta(x) = mean over pixels of (target - f_theta(x_t, c, t))^2         [N]
 *   err_ref(x)   the frozen reference's error, an input (one ORT inference call) [N]
 *   h(x)         = -(err_theta(x) - err_ref(x)) = err_ref - err_theta            [N]
 *   dR_theta     = beta * w(t) * (h(x+) - h(x-))                                 [B]
 *   capo: L = (dR_theta - dR_ca)^2;  dpo: L = -log sigmoid(dR_theta) = softplus(-dR_theta);
 *   ipo:  L = (dR_theta - 1)^2;      loss = mean over pairs of L.
 * Inputs: "x", "t", "tokens" (the denoiser's, N rows), "target" [N,S,S,C], "err_ref" [N],
 * "w" [B], "dr_ca" [B]. Outputs: "loss", "grad", "dr_theta" [B].
 */
import type { ModelConfig } from "../../models/config.ts";
import { denoiserSpecs, emitDenoiser } from "../../models/denoiser.ts";
import type { OnnxGraph } from "../../models/onnx/graph.ts";
import { type TrainingGraph, trainingGraph } from "../../models/train_graph.ts";
import type { LossKind } from "./loss_kinds.ts";

/** L per pair [B] of kind `kind` from dR_theta [B] and dR_ca [B]. */
function emitPairLoss(g: OnnxGraph, kind: LossKind, dR: string, dRca: string): string {
  const square = (v: string) => g.op("Mul", [v, v]);
  switch (kind) {
    case "capo":
      return square(g.op("Sub", [dR, dRca]));
    case "dpo":
      return g.op("Softplus", [g.op("Neg", [dR])]);
    case "ipo":
      return square(g.op("Sub", [dR, g.constFloat([1], [])]));
  }
}

export function preferenceGraph(
  cfg: ModelConfig,
  pairs: number,
  kind: LossKind,
  beta: number,
): TrainingGraph {
  const B = pairs, N = 2 * pairs;
  const S = cfg.imageSize, C = cfg.channels;
  const name = `capo_${kind}_${cfg.parameterization}`;
  return trainingGraph(name, denoiserSpecs(cfg), (g) => {
    const prediction = emitDenoiser(g, cfg, null, N); // f_theta(x_t, c, t)  [N,S,S,C]
    const target = g.input("target", "float32", [N, S, S, C]);
    const errRef = g.input("err_ref", "float32", [N]);
    const w = g.input("w", "float32", [B]);
    const dRca = g.input("dr_ca", "float32", [B]);
    // 1. err_theta = mean over pixels of (target - f_theta)^2                  [N]
    const diff = g.op("Sub", [target, prediction]);
    const errTheta = g.op("ReduceMean", [g.op("Mul", [diff, diff])], {
      axes: [1, 2, 3],
      keepdims: 0,
    });
    // 2. h = err_ref - err_theta; h(x+) - h(x-)                                  [B]
    const h = g.op("Sub", [errRef, errTheta]);
    const [hPlus, hMinus] = g.node("Split", [h, g.constInt64([B, B])], { axis: 0 }, 2) as [
      string,
      string,
    ];
    // 3. dR_theta = beta * w(t) * (h(x+) - h(x-))                               [B]
    const dR = g.op("Mul", [
      g.op("Mul", [w, g.constFloat([beta], [])]),
      g.op("Sub", [hPlus, hMinus]),
    ]);
    // 4. loss = mean over pairs of L(dR_theta, dR_ca)                            []
    const loss = g.op("ReduceMean", [emitPairLoss(g, kind, dR, dRca)], { keepdims: 0 });
    return { loss, outputs: { dr_theta: [dR, [B]] } };
  });
}
