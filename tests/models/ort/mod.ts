/**
 * Every test that runs onnxruntime-node, in ONE test module: the native addon destroys its
 * process-wide OrtEnv when the first module that loaded it is torn down, after which any other
 * test module's session fails with "OrtEnv already destroyed". Add ORT tests in this folder and import them here.
 */
import "./onnx_graph.ts";
import "./parity.ts";
import "./sampler.ts";
import "./grad_parity.ts";
import "./grad_rules.ts";
import "./trainer.ts";
