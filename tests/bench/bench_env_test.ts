import assert from "node:assert/strict";
import { DEFAULT_MODEL, modelDirFromArgs, modelFile } from "../../bench/bench_env.ts";
import { fromBase64F32, toBase64 } from "../../bench/torch_python.ts";

Deno.test("modelDirFromArgs() reads --model among bench names and defaults to the base", () => {
  assert.equal(modelDirFromArgs(["sample"]), DEFAULT_MODEL);
  assert.equal(modelDirFromArgs(["sample", "--model", "runs/snapA"]), "runs/snapA");
  assert.throws(() => modelDirFromArgs(["--model"]), /must be followed by a model directory/);
  assert.throws(() => modelDirFromArgs(["--model", "--n"]), /current value is "--n"/);
});

Deno.test("modelFile() names the missing file", async () => {
  await assert.rejects(
    modelFile("/nonexistent/dir", "bench sampling"),
    /Cannot bench sampling as '\/nonexistent\/dir\/model.safetensors' does not exist/,
  );
});

Deno.test("float32 arrays cross to torch_dit.py as base64 exactly, past one 32 KiB chunk", () => {
  const a = Float32Array.from({ length: 20_000 }, (_, i) => Math.sin(i) * 1e3 + 1e-7 * i);
  const b = fromBase64F32(toBase64(a));
  assert.equal(b.length, a.length);
  assert.ok(a.every((v, i) => Object.is(v, b[i])));
  assert.equal(toBase64(Int32Array.from([1, -1])), "AQAAAP////8=");
});
