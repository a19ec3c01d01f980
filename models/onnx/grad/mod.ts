/**
 * Reverse-mode differentiation of ONNX graphs: `appendGradients(g, loss, weights)` adds the
 * nodes computing dL/dw to a graph built with OnnxGraph; one rule per op family beside it.
 */
export { appendGradients } from "./backprop.ts";
export { GRAD_RULES } from "./rules.ts";
export type { GradRule, RuleContext } from "./rule.ts";
