/** ONNX graph building, shared by the diffusion model and the reward models. */
export { type Attr, type Dim, type ElemType, OnnxGraph } from "./graph.ts";
