/**
 * Bring-your-own ONNX rewards: the manifest of docs/bring_your_own_reward.md, unchanged, runs
 * against a stand-in model that this test builds with the same inputs and output; a
 * prompt-conditioned one exercises the token path (vocab file, int32 ids, truncation); broken
 * models stop the scorer with errors naming the model (and, for NaN, the sample).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { OnnxGraph } from "../../../../models/onnx/graph.ts";
import type { Group } from "../../../../schemas/group.ts";
import type { Sample } from "../../../../schemas/sample.ts";
import { encodePng } from "../../../../lib/png.ts";
import { OnnxReward } from "../../../../models/rewards/onnx_reward.ts";
import type { RgbImage } from "../../../../models/rewards/reward_model.ts";
import { ScoreStream } from "../../../../stages/score/score.ts";

const DOC = new URL("../../../../docs/bring_your_own_reward.md", import.meta.url);

/** The JSON manifest of the doc's section 2. */
async function docManifest(): Promise<Record<string, unknown>> {
  const text = await Deno.readTextFile(DOC);
  const section = text.slice(text.indexOf("## 2."));
  const m = section.match(/```json\n([\s\S]*?)```/);
  assert.ok(m, "the doc's section 2 has a json block");
  return JSON.parse(m[1]!);
}

/** score = sum_c w[c] * mean_hw(x[:, c]) + bias: input pixel_values [B,3,224,224]. */
function clipStandIn(w: number[], bias: number): Uint8Array {
  const g = new OnnxGraph("clip_aesthetic_stand_in");
  const x = g.input("pixel_values", "float32", ["batch", 3, 224, 224]);
  const m = g.op("ReduceMean", [x], { axes: [2, 3], keepdims: 0 }); // [B, 3]
  const s = g.op("MatMul", [m, g.constFloat(w, [3, 1])]); // [B, 1]
  const y = g.op("Reshape", [g.op("Add", [s, g.constFloat([bias], [])]), g.constInt64([-1])]);
  g.output(y, "aesthetic_score", "float32", ["batch"]);
  return g.toBytes();
}

async function writeModel(
  manifest: Record<string, unknown>,
  model: Uint8Array,
  extra: Record<string, string> = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "capo-byo-" });
  await Deno.writeFile(join(dir, String(manifest.file)), model);
  for (const [name, text] of Object.entries(extra)) await Deno.writeTextFile(join(dir, name), text);
  const path = join(dir, `${manifest.name}.json`);
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  return path;
}

const solid = (rgb: [number, number, number]): RgbImage => ({
  width: 32,
  height: 32,
  rgb: new Uint8Array(32 * 32 * 3).map((_, i) => rgb[i % 3]!),
});

function group(prompts: string[], image = solid([10, 20, 30])): Group<Sample> {
  const rows = prompts.map((prompt, i): Sample => ({
    sample_id: `g:${i}`,
    prompt_id: "g",
    prompt,
    sample_index: i,
    seed: i,
    image: { bytes: encodePng(image.rgb, 32, 32), path: null },
    model_id: "test",
    sampler: "ddim",
    steps: 1,
    guidance: 1,
  }));
  return { prompt_id: "g", prompt: prompts[0]!, rows };
}

Deno.test("the doc's CLIP aesthetic manifest runs a 32x32 sample through bilinear resize and CLIP normalisation", async () => {
  const manifest = await docManifest();
  const w = [0.5, -1, 2], bias = 0.25;
  const reward = await OnnxReward.load(await writeModel(manifest, clipStandIn(w, bias)));
  try {
    const px: [number, number, number] = [200, 100, 50];
    const mean = [0.48145466, 0.4578275, 0.40821073], std = [0.26862954, 0.26130258, 0.27577711];
    // A solid image stays solid under bilinear resizing, so each channel's mean is its value.
    const want = bias + px.reduce((s, p, c) => s + w[c]! * ((p / 255 - mean[c]!) / std[c]!), 0);
    const got = await reward.score([solid(px), solid([0, 0, 0])], [
      "a red circle",
      "a blue square",
    ]);
    assert.equal(got.length, 2);
    assert.ok(Math.abs(got[0]! - want) < 1e-4, `${got[0]} != ${want}`);
    const [out] = await Array.fromAsync(
      ReadableStream.from([group(["a", "b", "c"])]).pipeThrough(
        new ScoreStream({ rewards: [reward] }),
      ),
    );
    assert.equal(out!.rows.length, 3);
    assert.ok(out!.rows.every((r) => Number.isFinite(r.reward_clip_aesthetic)));
  } finally {
    await reward.close();
  }
});

/** score = count of token id `target` among ids [B, L] int32 (NaN when `nanId` appears). */
function tokenCounter(L: number, target: number, nanId: number | null): Uint8Array {
  const g = new OnnxGraph("token_counter");
  g.input("image", "float32", ["batch", 3, 32, 32]);
  const ids = g.input("ids", "int32", ["batch", L]);
  const hits = g.op("Cast", [
    g.op("Equal", [ids, g.initializer("target", Int32Array.of(target), [])]),
  ], { to: 1 });
  let s = g.op("ReduceSum", [hits, g.constInt64([1])], { keepdims: 0 }); // [B]
  if (nanId !== null) {
    const bad = g.op("Cast", [
      g.op("Equal", [ids, g.initializer("nan_id", Int32Array.of(nanId), [])]),
    ], { to: 1 });
    const anyBad = g.op("ReduceMax", [bad], { axes: [1], keepdims: 0 }); // [B] 1 where present
    // 0 / 0 = NaN where the id appears, 0 / 1 = 0 elsewhere
    const one = g.constFloat([1], []);
    s = g.op("Add", [
      s,
      g.op("Div", [g.op("Mul", [anyBad, g.constFloat([0], [])]), g.op("Sub", [one, anyBad])]),
    ]);
  }
  g.output(s, "count", "float32", ["batch"]);
  return g.toBytes();
}

const VOCAB = ["<pad>", "<unk>", "a", "red", "blue", "circle", "and", "square"];

function promptManifest(name: string) {
  return {
    name,
    file: `${name}.onnx`,
    inputs: {
      image: { name: "image", layout: "NCHW", size: [32, 32] },
      prompt: {
        name: "ids",
        kind: "tokens",
        vocab: "vocab.txt",
        max_len: 4,
        pad_id: 0,
        unk_id: 1,
        dtype: "int32",
      },
    },
    output: { name: "count", kind: "scalar" },
  };
}

Deno.test("a prompt-conditioned BYO model gets word ids from a vocab file, truncated to max_len", async () => {
  const path = await writeModel(promptManifest("reds"), tokenCounter(4, 3, null), {
    "vocab.txt": VOCAB.join("\n"),
  });
  const reward = await OnnxReward.load(path);
  try {
    const img = solid([1, 2, 3]);
    const got = await reward.score([img, img, img], [
      "a RED circle and a red square", // truncated to "a red circle and": one "red"
      "red, red!", // punctuation splits words: two
      "a purple circle", // an unknown word is <unk>, not "red": zero
    ]);
    assert.deepEqual([...got], [1, 2, 0]);
  } finally {
    await reward.close();
  }
});

Deno.test("a BYO model returning NaN stops the scorer with the model and the sample named", async () => {
  const path = await writeModel(promptManifest("fragile"), tokenCounter(4, 3, 4), {
    "vocab.txt": VOCAB.join("\n"),
  });
  const reward = await OnnxReward.load(path);
  try {
    await assert.rejects(
      Array.fromAsync(
        ReadableStream.from([group(["a red circle", "a blue circle", "a red square"])])
          .pipeThrough(new ScoreStream({ rewards: [reward] })),
      ),
      /reward model 'fragile' for sample 'g:1' as it must be finite: current value is NaN/,
    );
  } finally {
    await reward.close();
  }
});

Deno.test("a BYO model with a wrong output shape or batch size stops the scorer, naming the model", async () => {
  // [B, 2]: two values per image for kind "scalar"
  const wide = new OnnxGraph("wide");
  const x = wide.input("image", "float32", ["batch", 3, 32, 32]);
  const m = wide.op("ReduceMean", [x], { axes: [2, 3], keepdims: 0 }); // [B, 3]
  const two = wide.op("Slice", [
    m,
    wide.constInt64([0]),
    wide.constInt64([2]),
    wide.constInt64([1]),
  ]);
  wide.output(two, "score", "float32", ["batch", 2]);
  // [1]: one value for the whole batch
  const pooled = new OnnxGraph("pooled");
  const y = pooled.input("image", "float32", ["batch", 3, 32, 32]);
  const all = pooled.op("ReduceMean", [y], { axes: [0, 1, 2, 3], keepdims: 0 });
  pooled.output(pooled.op("Reshape", [all, pooled.constInt64([1])]), "score", "float32", [1]);
  const cases: [string, Uint8Array, RegExp][] = [
    ["wide", wide.toBytes(), /reward model 'wide' as it must be \[B\] or \[B, 1\]/],
    [
      "pooled",
      pooled.toBytes(),
      /reward model 'pooled' as its batch dimension must be 2: current shape is \[1\]/,
    ],
  ];
  for (const [name, bytes, pattern] of cases) {
    const manifest = {
      name,
      file: `${name}.onnx`,
      inputs: { image: { name: "image", layout: "NCHW", size: [32, 32] } },
      output: { name: "score" },
    };
    const reward = await OnnxReward.load(await writeModel(manifest, bytes));
    try {
      await assert.rejects(
        Array.fromAsync(
          ReadableStream.from([group(["a", "b"])]).pipeThrough(
            new ScoreStream({ rewards: [reward] }),
          ),
        ),
        pattern,
      );
    } finally {
      await reward.close();
    }
  }
});
