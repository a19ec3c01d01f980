/**
 * capo's diffusion model (docs/method.md §1.2, §7, §8): a small DiT denoiser defined once
 * (`denoiser.ts`: named weights + tfjs forward + ONNX emitter), run on onnxruntime for inference
 * and for training (the gradient graph derived from the emitted forward by models/onnx/grad/,
 * `train_graph.ts`); tfjs stays the reference autodiff the gradients are tested against.
 *
 * For a generator stage:   `const s = await Sampler.load("data/models/base-eps");`
 *                          `const images = await s.sample({ prompts, seeds, steps, guidance });`
 * For a frozen reference:  `OrtDenoiser.create(config, weights).predict(x, t, tokens)`
 * For a training step:     `trainingGraph(name, denoiserSpecs(config), emitLoss)` on
 *                          `OrtTrainSession`, then `FlatAdamW` over one `ParamLayout` buffer.
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
export * from "./flat_adamw.ts";
export * from "./flat_params.ts";
export * from "./finite_gradient.ts";
export * from "./train_graph.ts";
export * from "./ort_train_session.ts";
export * from "./pretrain_batch.ts";
export * from "./pretrain_loss.ts";
export * from "./train_config.ts";
export * from "./trainer.ts";
export * from "./checkpoint.ts";
export * from "./backend.ts";
export * from "./shapeeval.ts";
