/**
 * Every pipeline test that runs onnxruntime-node (tests/ort_test.ts imports this module; see
 * there why ORT tests live in one test module).
 */
import "./method_run.ts";
import "./sweep_run.ts";
