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
 *
 * With D = K * G draws of (t, eps) per pair (K = `train.draws_per_pair`, G = 2 estimates for the
 * unbiased kinds, else 1; stages/train/pair_noise.ts `noiseDraws`) every per-image input has D N
 * rows, draw d at rows [d N, (d + 1) N), and w has D B. Estimate g is the mean of dR_theta over
 * draws gK .. gK + K - 1;
 *   capo_unbiased: L = (dR¹ - dR_ca)(dR² - dR_ca);  ipo_unbiased: L = (dR¹ - 1)(dR² - 1).
 * With D = 1 the graph is the one-draw graph node for node.
 * Inputs: "x", "t", "tokens" (the denoiser's, D N rows), "target" [D N,S,S,C], "err_ref" [D N],
 * "w" [D B], "dr_ca" [B]. Outputs: "loss", "grad", "dr_theta" [B] (the mean over all D draws),
 * and for G = 2 "dr_1", "dr_2" [B] (the two estimates).
 */
import type { ModelConfig } from "../../models/config.ts";
import { denoiserSpecs, emitDenoiser } from "../../models/denoiser.ts";
import type { OnnxGraph } from "../../models/onnx/graph.ts";
import { type TrainingGraph, trainingGraph } from "../../models/train_graph.ts";
import { gapEstimates, type LossKind } from "./loss_kinds.ts";

/** L per pair [B] of kind `kind` from the estimates of dR_theta (1 or 2, [B]) and dR_ca [B]. */
function emitPairLoss(g: OnnxGraph, kind: LossKind, dRs: string[], dRca: string): string {
  const square = (v: string) => g.op("Mul", [v, v]);
  const dR = dRs[0]!;
  const product = (c: string) => g.op("Mul", [g.op("Sub", [dR, c]), g.op("Sub", [dRs[1]!, c])]);
  switch (kind) {
    case "capo":
      return square(g.op("Sub", [dR, dRca]));
    case "dpo":
      return g.op("Softplus", [g.op("Neg", [dR])]);
    case "ipo":
      return square(g.op("Sub", [dR, g.constFloat([1], [])]));
    case "capo_unbiased":
      return product(dRca);
    case "ipo_unbiased":
      return product(g.constFloat([1], []));
  }
}

export function preferenceGraph(
  cfg: ModelConfig,
  pairs: number,
  kind: LossKind,
  beta: number,
  drawsPerPair = 1,
): TrainingGraph {
  const G = gapEstimates(kind), K = drawsPerPair, D = G * K;
  if (!Number.isInteger(K) || K < 1) {
    throw new RangeError(
      `Cannot build the preference graph as draws per pair must be an integer >= 1: current ${K}`,
    );
  }
  const B = pairs, N = 2 * pairs * D;
  const S = cfg.imageSize, C = cfg.channels;
  const name = `capo_${kind}_${cfg.parameterization}${D === 1 ? "" : `_d${D}`}`;
  return trainingGraph(name, denoiserSpecs(cfg), (g) => {
    const prediction = emitDenoiser(g, cfg, null, N); // f_theta(x_t, c, t)  [N,S,S,C]
    const target = g.input("target", "float32", [N, S, S, C]);
    const errRef = g.input("err_ref", "float32", [N]);
    const w = g.input("w", "float32", [B * D]);
    const dRca = g.input("dr_ca", "float32", [B]);
    // 1. err_theta = mean over pixels of (target - f_theta)^2                  [N]
    const diff = g.op("Sub", [target, prediction]);
    const errTheta = g.op("ReduceMean", [g.op("Mul", [diff, diff])], {
      axes: [1, 2, 3],
      keepdims: 0,
    });
    // 2. h = err_ref - err_theta; h(x+) - h(x-) per draw                        [B] x D
    const h = g.op("Sub", [errRef, errTheta]);
    const halves = g.node("Split", [h, g.constInt64(Array(2 * D).fill(B))], { axis: 0 }, 2 * D);
    const ws = D === 1
      ? [w]
      : g.node("Split", [w, g.constInt64(Array(D).fill(B))], { axis: 0 }, D) as string[];
    // 3. dR_theta = beta * w(t) * (h(x+) - h(x-)) per draw                       [B] x D
    const perDraw = ws.map((wd, d) =>
      g.op("Mul", [
        g.op("Mul", [wd, g.constFloat([beta], [])]),
        g.op("Sub", [halves[2 * d]!, halves[2 * d + 1]!]),
      ])
    );
    // 4. each estimate: the mean of K draws                                       [B] x G
    const mean = (vs: string[]) =>
      vs.length === 1 ? vs[0]! : g.op("Mul", [g.op("Sum", vs), g.constFloat([1 / vs.length], [])]);
    const dRs = Array.from({ length: G }, (_, e) => mean(perDraw.slice(e * K, (e + 1) * K)));
    // 5. loss = mean over pairs of L(dR_theta, dR_ca)                            []
    const loss = g.op("ReduceMean", [emitPairLoss(g, kind, dRs, dRca)], { keepdims: 0 });
    const outputs: Record<string, [string, number[]]> = {
      dr_theta: [G === 1 ? dRs[0]! : mean(perDraw), [B]],
    };
    if (G === 2) {
      outputs.dr_1 = [dRs[0]!, [B]];
      outputs.dr_2 = [dRs[1]!, [B]];
    }
    return { loss, outputs };
  });
}
