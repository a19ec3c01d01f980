/**
 * Every train test that runs onnxruntime-node (tests/ort_test.ts imports this module; see there
 * why ORT tests live in one test module).
 */
import "./trainer_sink.ts";
import "./pipeline_run.ts";
import "./grad_parity.ts";
import "./trainer_parity.ts";
import "./draws.ts";
