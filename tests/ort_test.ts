/**
 * Every test that runs onnxruntime-node, in ONE test module.
 *
 * The native addon destroys its process-wide OrtEnv when the first test module that loaded it
 * is torn down; any later module's session then fails with "OrtEnv already destroyed" (and may
 * crash the process). So no `*_test.ts` file other than this one may load onnxruntime: put ORT
 * tests in a `tests/<area>/ort/` folder (files not named `*_test.ts`) and import them from that
 * folder's `mod.ts`, listed here.
 */
import "./models/ort/mod.ts";
import "./models/rewards/ort/mod.ts";
import "./stages/ort/mod.ts";
import "./stages/train/ort/mod.ts";
import "./stages/evaluate/ort/mod.ts";
import "./pipeline/ort/mod.ts";
import "./pipeline/report/ort/mod.ts";
import "./bench/ort/mod.ts";
