/**
 * capo's diffusion model (SPEC sections 1.5, 2, 3): a small DiT denoiser defined once
 * (`denoiser.ts`: named weights + tfjs forward + ONNX emitter), trained in tfjs, run on
 * onnxruntime for inference.
 *
 * For a generator stage:   `const s = await Sampler.load("data/models/base-eps");`
 *                          `const images = await s.sample({ prompts, seeds, steps, guidance });`
 * For a frozen reference:  `OrtDenoiser.create(config, weights).predict(x, t, tokens)`
 * For fine-tuning (tfjs):  `denoiserForward(config, weights, x, t, tokens)` with
 *                          `toVariables(denoiserSpecs(config), weights)`, `Schedule`, `AdamW`.
 */
export * from "./config.ts";
export * from "./tokenizer.ts";
export * from "./schedule.ts";
export * from "./denoiser.ts";
export * from "./export_onnx.ts";
export * from "./ort_denoiser.ts";
export * from "./sampler.ts";
export * from "./safetensors.ts";
export * from "./weights.ts";
export * from "./adamw.ts";
export * from "./train_config.ts";
export * from "./trainer.ts";
export * from "./checkpoint.ts";
export * from "./backend.ts";
export * from "./shapeeval.ts";
