/**
 * The bench tests that run onnxruntime-node, imported by tests/ort_test.ts (one module loads
 * the native addon: see there). Add them in this folder and import them here.
 */
import "./tfjs_denoiser.ts";
