import assert from "node:assert/strict";
import { join } from "node:path";
import { main as soupCli } from "../../../cli/soup.ts";
import { loadModel, saveModel } from "../../../models/weights.ts";
import { soupModels, soupWeights } from "../../../stages/train/soup.ts";
import { randomWeights, tinyConfig } from "../../models/_tiny.ts";

const cfg = tinyConfig("eps", { depth: 1 });

Deno.test("soupWeights() is the element-wise mean of the models", () => {
  const ms = [1, 2, 3].map((seed) => ({
    source: `m${seed}`,
    config: cfg,
    weights: randomWeights(cfg, seed),
  }));
  const soup = soupWeights(ms);
  for (const [name, v] of soup) {
    const [a, b, c] = ms.map((m) => m.weights.get(name)!);
    for (let i = 0; i < v.length; i++) {
      assert.equal(v[i], Math.fround((a![i]! + b![i]! + c![i]!) / 3), `${name}[${i}]`);
    }
  }
  // a soup of a model with itself is that model
  const self = soupWeights([ms[0]!, { ...ms[0]!, source: "again" }]);
  for (const [name, v] of self) assert.deepEqual(v, ms[0]!.weights.get(name));
});

Deno.test("soupWeights() names the tensor or config field that does not match", () => {
  const a = { source: "a", config: cfg, weights: randomWeights(cfg, 1) };
  const wideCfg = tinyConfig("eps", { depth: 1, width: 24 });
  const wide = { source: "wide", config: wideCfg, weights: randomWeights(wideCfg, 1) };
  assert.throws(
    () => soupWeights([a, wide]),
    /Cannot average 'wide' with 'a' as tensor 'text.embed' has 288 values in 'wide' and 192 in 'a'/,
  );
  const partial = new Map(a.weights);
  partial.delete("pos");
  assert.throws(
    () => soupWeights([a, { source: "b", config: cfg, weights: partial }]),
    /tensor 'pos' is missing from 'b'/,
  );
  const flowCfg = tinyConfig("flow", { depth: 1 });
  assert.throws(
    () => soupWeights([a, { source: "f", config: flowCfg, weights: randomWeights(flowCfg, 2) }]),
    /architectures differ: parameterization is "flow"/,
  );
  assert.throws(() => soupWeights([a]), /at least 2 models: current count is 1/);
});

Deno.test("capo soup writes the averaged model (safetensors, config.json, ONNX)", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const a = randomWeights(cfg, 1), b = randomWeights(cfg, 2);
    await saveModel(join(tmp, "a"), cfg, a);
    await saveModel(join(tmp, "b"), cfg, b);
    const out = join(tmp, "soup");
    assert.equal(await soupCli(["--out", out, join(tmp, "a"), join(tmp, "b")]), 0);
    const m = await loadModel(out);
    assert.deepEqual(m.config, cfg);
    const w = m.weights.get("final.proj.weight")!;
    assert.equal(
      w[3],
      Math.fround((a.get("final.proj.weight")![3]! + b.get("final.proj.weight")![3]!) / 2),
    );
    assert.ok((await Deno.stat(join(out, "model.onnx"))).size > 0);
    assert.equal(await soupCli(["--out", out, join(tmp, "a")]), 2, "one model is not a soup");
    await assert.rejects(
      soupModels([join(tmp, "a"), join(tmp, "none")], out),
      /Cannot load the soup input model from '.*none\/model.safetensors': no such file/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
