/**
 * The denoiser as an ONNX model (opset 17) for onnxruntime: inputs x [batch,S,S,C] float32,
 * t [batch] float32, tokens [batch,L] int32; output prediction [batch,S,S,C].
 */
import type { ModelConfig } from "./config.ts";
import { emitDenoiser } from "./denoiser.ts";
import { OnnxGraph } from "./onnx/graph.ts";

export function denoiserOnnx(
  cfg: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
): Uint8Array {
  const g = new OnnxGraph(`capo_dit_${cfg.parameterization}`);
  emitDenoiser(g, cfg, weights);
  return g.toBytes();
}
