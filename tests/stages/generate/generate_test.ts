import assert from "node:assert/strict";
import type { Group } from "../../../schemas/group.ts";
import type { Prompt } from "../../../schemas/prompt.ts";
import { decodePng } from "../../../lib/png.ts";
import {
  GenerateStream,
  type ImageSampler,
  sampleSeed,
} from "../../../stages/generate/generate.ts";

const S = 2; // 2x2 images

function prompts(n: number): Group<Prompt>[] {
  return Array.from({ length: n }, (_, i) => {
    const p: Prompt = {
      prompt_id: `p${i}`,
      prompt: `prompt ${i}`,
      split: "train",
      source_index: i,
    };
    return { prompt_id: p.prompt_id, prompt: p.prompt, rows: [p] };
  });
}

/** A sampler whose image is the seed's low byte in every pixel; records each call's size. */
function fakeSampler(calls: number[], released: { n: number }): ImageSampler {
  return {
    sample: (req) => {
      calls.push(req.prompts.length);
      return Promise.resolve(req.seeds.map((s) => new Uint8Array(S * S * 3).fill(s & 255)));
    },
    release: () => {
      released.n++;
      return Promise.resolve();
    },
  };
}

function stream(calls: number[], released: { n: number }, over: { n?: number; batch?: number }) {
  return new GenerateStream({
    sampler: () => Promise.resolve(fakeSampler(calls, released)),
    imageSize: S,
    n: over.n ?? 4,
    batch: over.batch ?? 6,
    steps: 3,
    guidance: 2,
    seed: 11,
    modelId: "tiny@abc",
    samplerName: "ddim",
  });
}

Deno.test("GenerateStream() samples N images per prompt in batches across prompts, in input order", async () => {
  const calls: number[] = [];
  const released = { n: 0 };
  const out = await Array.fromAsync(
    ReadableStream.from(prompts(5)).pipeThrough(stream(calls, released, {})),
  );
  assert.deepEqual(out.map((g) => g.prompt_id), ["p0", "p1", "p2", "p3", "p4"]);
  assert.deepEqual(calls, [6, 6, 6, 2], "batches of at most 6 images, the rest on close");
  assert.equal(released.n, 1, "the sampler is released once, on close");
  for (const g of out) {
    assert.equal(g.rows.length, 4);
    g.rows.forEach((r, i) => {
      assert.equal(r.sample_id, `${g.prompt_id}:${i}`);
      assert.equal(r.seed, sampleSeed(11, g.prompt_id, i));
      assert.deepEqual([r.model_id, r.sampler, r.steps, r.guidance], ["tiny@abc", "ddim", 3, 2]);
      const img = decodePng(r.image.bytes);
      assert.deepEqual([img.width, img.height, img.rgb[0]], [S, S, r.seed & 255]);
    });
  }
});

Deno.test("GenerateStream() seeds are a function of (seed, prompt_id, index) only", () => {
  assert.equal(sampleSeed(11, "p1", 2), sampleSeed(11, "p1", 2));
  const seeds = new Set([
    sampleSeed(11, "p1", 2),
    sampleSeed(12, "p1", 2),
    sampleSeed(11, "p2", 2),
    sampleSeed(11, "p1", 3),
  ]);
  assert.equal(seeds.size, 4);
});

Deno.test("GenerateStream() does not create a sampler for empty input", async () => {
  let created = 0;
  const s = new GenerateStream({
    sampler: () => {
      created++;
      return Promise.resolve(fakeSampler([], { n: 0 }));
    },
    imageSize: S,
    n: 2,
    steps: 1,
    guidance: 1,
    seed: 0,
    modelId: "m",
    samplerName: "euler",
  });
  assert.deepEqual(await Array.fromAsync(ReadableStream.from([]).pipeThrough(s)), []);
  assert.equal(created, 0);
});

Deno.test("GenerateStream() errors on an image of the wrong size, naming the sample, and releases the sampler", async () => {
  const released = { n: 0 };
  const s = new GenerateStream({
    sampler: () =>
      Promise.resolve({
        sample: (req) => Promise.resolve(req.seeds.map(() => new Uint8Array(5))),
        release: () => {
          released.n++;
          return Promise.resolve();
        },
      }),
    imageSize: S,
    n: 2,
    batch: 2,
    steps: 1,
    guidance: 1,
    seed: 0,
    modelId: "m",
    samplerName: "ddim",
  });
  await assert.rejects(
    Array.fromAsync(ReadableStream.from(prompts(1)).pipeThrough(s)),
    /sample 'p0:0' as it must have 12 bytes: current length is 5/,
  );
  assert.equal(released.n, 1);
});

Deno.test("GenerateStream() rejects N < 2, naming the option", () => {
  assert.throws(
    () => stream([], { n: 0 }, { n: 1 }),
    /Cannot construct GenerateStream: Cannot use config key 'generate\.n' .* an integer >= 2: current value is 1/,
  );
});
