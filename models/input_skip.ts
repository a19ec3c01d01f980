/**
 * Input skip: the denoiser's output is c(tau) x_t + F(x_t, tau, prompt), where c is the best
 * linear predictor of the target from x_t when x0 ~ N(0, sigma_d^2) (the c_skip idea of EDM,
 * Karras et al. 2022, here on the target itself). The network then learns only a residual.
 * This matters in pixel space: at high noise the eps target is almost x_t itself, and a
 * transformer without a skip must pass the noise through its residual stream precisely (any
 * error is amplified by sqrt(1-abar)/sqrt(abar) in the x0 estimate); U-Nets get this for free.
 *
 * Notation: x_t = a x0 + s eps, sigma_d = sigmaData.
 *   eps target: c = Cov(eps, x_t) / Var(x_t) = s / (a^2 sigma_d^2 + s^2)
 *   flow (v = eps - x0, a = 1 - t, s = t): c = (t - (1 - t) sigma_d^2) / ((1 - t)^2 sigma_d^2 + t^2)
 * eps reads c from a table over the T DDPM steps (index round(tau T)); flow computes it.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.ts";
import type { OnnxGraph } from "./onnx/graph.ts";
import { alphasCumprod } from "./schedule.ts";

/** c_i for DDPM steps i = 0..T-1. */
export function epsSkipTable(cfg: ModelConfig): Float32Array {
  const ab = alphasCumprod(cfg.betaSchedule, cfg.trainSteps);
  const v = cfg.sigmaData ** 2;
  return Float32Array.from(ab, (a2) => Math.sqrt(1 - a2) / (a2 * v + 1 - a2));
}

/** c(tau) for a batch of times: t [B] -> [B]. */
function coefficient(cfg: ModelConfig, t: tf.Tensor): tf.Tensor {
  const v = cfg.sigmaData ** 2;
  if (cfg.parameterization === "flow") {
    const num = tf.sub(tf.mul(t, 1 + v), v);
    const u = tf.sub(1, t);
    return tf.div(num, tf.add(tf.mul(tf.square(u), v), tf.square(t)));
  }
  const T = cfg.trainSteps;
  const idx = tf.cast(tf.clipByValue(tf.round(tf.mul(t, T)), 0, T - 1), "int32");
  return tf.gather(tf.tensor1d(epsSkipTable(cfg)), idx);
}

/** The skip term c(tau) x: x [B,S,S,C], t [B] -> [B,S,S,C]. */
export function inputSkip(cfg: ModelConfig, x: tf.Tensor, t: tf.Tensor): tf.Tensor {
  return tf.mul(coefficient(cfg, t).reshape([-1, 1, 1, 1]), x);
}

/** ONNX twin of `inputSkip`. */
export function emitInputSkip(g: OnnxGraph, cfg: ModelConfig, x: string, t: string): string {
  const v = cfg.sigmaData ** 2;
  let c: string;
  if (cfg.parameterization === "flow") {
    const num = g.op("Sub", [g.op("Mul", [t, g.constFloat([1 + v], [])]), g.constFloat([v], [])]);
    const u = g.op("Sub", [g.constFloat([1], []), t]);
    const den = g.op("Add", [
      g.op("Mul", [g.op("Mul", [u, u]), g.constFloat([v], [])]),
      g.op("Mul", [t, t]),
    ]);
    c = g.op("Div", [num, den]);
  } else {
    const T = cfg.trainSteps;
    const scaled = g.op("Round", [g.op("Mul", [t, g.constFloat([T], [])])]);
    const clipped = g.op("Clip", [scaled, g.constFloat([0], []), g.constFloat([T - 1], [])]);
    const idx = g.op("Cast", [clipped], { to: 6 }); // 6 = INT32
    c = g.op("Gather", [g.constFloat(epsSkipTable(cfg)), idx], { axis: 0 });
  }
  return g.op("Mul", [g.op("Reshape", [c, g.constInt64([-1, 1, 1, 1])]), x]);
}
