import assert from "node:assert/strict";
import { parseRewardManifest } from "../../../models/rewards/reward_manifest.ts";

const manifest = (extra: Record<string, unknown>) => ({
  name: "bright",
  file: "m.onnx",
  inputs: { image: { name: "image", layout: "NCHW", size: [4, 4] } },
  output: { name: "out" },
  ...extra,
});

Deno.test("parseRewardManifest() reads an optional calibration tau", () => {
  assert.equal(parseRewardManifest(manifest({}), "m.json", "/tmp").tau, null);
  assert.equal(parseRewardManifest(manifest({ tau: 0.12 }), "m.json", "/tmp").tau, 0.12);
});

Deno.test("parseRewardManifest() rejects a tau that is not a positive number, naming it", () => {
  for (const tau of [0, -1, "0.1"]) {
    assert.throws(
      () => parseRewardManifest(manifest({ tau }), "m.json", "/tmp"),
      /m\.json.*tau.*a number > 0/,
    );
  }
});
