import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { TfjsDenoiser } from "../../../bench/tfjs_denoiser.ts";
import { Sampler } from "../../../models/sampler.ts";
import { randomWeights, tinyConfig } from "../../models/_tiny.ts";

for (const p of ["eps", "flow"] as const) {
  Deno.test(`the sampler over the tfjs forward draws the ORT sampler's images (${p})`, async () => {
    await tf.setBackend("wasm");
    const cfg = tinyConfig(p);
    const weights = randomWeights(cfg, 11, 0.1);
    const prompts = ["a red circle", "two blue circles", "a red square above a blue circle"];
    const seeds = [5, 6, 7];
    const s = await Sampler.create(cfg, weights, { intraOpThreads: 1 });
    const want = await s.sample({ prompts, seeds, steps: 5, guidance: 3 });
    await s.release();
    const d = Sampler.over(new TfjsDenoiser(cfg, weights));
    const got = await d.sample({ prompts, seeds, steps: 5, guidance: 3 });
    await d.release();
    assert.equal(got.length, 3);
    // The two runtimes' forwards differ by ~1e-6, so a value may round to the next byte.
    let off = 0;
    got.forEach((img, j) =>
      img.forEach((v, i) => {
        const diff = Math.abs(v - want[j]![i]!);
        assert.ok(diff <= 1, `image ${j} byte ${i}: ${v} vs ${want[j]![i]}`);
        off += diff;
      })
    );
    assert.ok(off <= 0.01 * 3 * 16 * 16 * 3, `${off} bytes off by one`);
    assert.ok(!got[0]!.every((v, i) => v === got[1]![i]), "different seeds, different images");
  });
}
