/**
 * Every report test that runs onnxruntime-node (tests/ort_test.ts imports this module; see there
 * why ORT tests live in one test module).
 */
import "./report_samples.ts";
