/**
 * Layer building blocks, each with a tfjs forward and an ONNX emitter side by side, over
 * weights named by `ParamSpec`s. Shared by the diffusion model and the reward models.
 */
export * from "./params.ts";
export * from "./linear.ts";
export * from "./layer_norm.ts";
export * from "./attention.ts";
export * from "./mlp.ts";
export * from "./patchify.ts";
export * from "./embedding.ts";
export * from "./timestep.ts";
