import assert from "node:assert/strict";
import { DEFAULT_MODEL, intFlag, modelDirFromArgs, modelFile } from "../../bench/bench_env.ts";
import { fromBase64F32, toBase64 } from "../../bench/torch_python.ts";

Deno.test("modelDirFromArgs() reads --model among bench names and defaults to the base", () => {
  assert.equal(modelDirFromArgs(["sample"]), DEFAULT_MODEL);
  assert.equal(modelDirFromArgs(["sample", "--model", "runs/snapA"]), "runs/snapA");
  assert.throws(() => modelDirFromArgs(["--model"]), /Cannot use --model as it needs a value/);
  assert.throws(
    () => modelDirFromArgs(["--model", "--n"]),
    /the next argument '--n' starts with a dash/,
  );
  assert.throws(() => modelDirFromArgs(["--modle", "x"]), /did you mean --model\?/);
});

Deno.test("intFlag() reads a bench's integer flag, defaults when absent and names a bad value", () => {
  assert.equal(intFlag(["generate_memory", "--prompts", "8"], "prompts", 64), 8);
  assert.equal(intFlag(["--json"], "prompts", 64), 64);
  assert.throws(
    () => intFlag(["--rows", "8"], "rows", 1_000_000, 16),
    /Cannot read --rows as it must be an integer >= 16: current value is 8/,
  );
  assert.throws(
    () => intFlag(["--n", "0"], "n", 16),
    /--n as it must be a positive integer: current value is 0/,
  );
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
