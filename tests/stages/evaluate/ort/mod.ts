/**
 * Every eval test that runs onnxruntime-node (tests/ort_test.ts imports this module; see there
 * why ORT tests live in one test module).
 */
import "./evaluate_run.ts";
import "./compare_run.ts";
