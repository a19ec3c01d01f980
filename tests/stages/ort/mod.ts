/**
 * Every stage test that runs onnxruntime-node, in ONE test module. The native addon destroys
 * its process-wide OrtEnv when the first test module that loaded it is torn down; any later
 * module's session then fails with "OrtEnv already destroyed" (tests/ort_test.ts
 * does the same for the models). Add ORT stage tests under ./ort/ and import them here.
 */
import "./onnx_reward.ts";
import "./score_onnx.ts";
