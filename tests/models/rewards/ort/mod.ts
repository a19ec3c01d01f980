/**
 * Every reward-model test that runs onnxruntime-node (parity, the harness, the shipped
 * models, the train-rewards command), imported by tests/ort_test.ts: the native addon may be
 * loaded by only one test module per process (see there).
 */
import "./reward_net.ts";
import "./bring_your_own.ts";
import "./correlations.ts";
import "./train_rewards.ts";
import "./shipped.ts";
