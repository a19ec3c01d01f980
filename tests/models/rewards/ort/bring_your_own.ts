/**
 * Bring-your-own ONNX rewards, following docs/bring_your_own_reward.md: its steps run as the
 * guide prints them (route B's build script, the check command with its task's permissions, the
 * run config beside the shipped rewards), on a tiny base; its CLIP manifest, unchanged, runs
 * against a stand-in model that this test builds with the same inputs and output; a
 * prompt-conditioned model exercises the token path (vocab file, int32 ids, truncation); broken
 * models stop the scorer with errors naming the model (and, for NaN, the sample).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OnnxGraph } from "../../../../models/onnx/graph.ts";
import type { Group } from "../../../../schemas/group.ts";
import type { Sample } from "../../../../schemas/sample.ts";
import { encodePng } from "../../../../lib/png.ts";
import { OnnxReward } from "../../../../models/rewards/onnx_reward.ts";
import type { RgbImage } from "../../../../models/rewards/reward_model.ts";
import { ScoreStream } from "../../../../stages/score/score.ts";
import { openStage, shardTables } from "../../../../pipeline/exchange/stage_data.ts";
import { tinyConfig } from "../../_tiny.ts";
import { writeModel as writeBaseModel } from "../../../stages/train/ort/_sink_run.ts";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const DOC = join(REPO, "docs", "bring_your_own_reward.md");

/** The guide's fenced blocks of language `lang`. */
async function docBlocks(lang: string): Promise<string[]> {
  const text = await Deno.readTextFile(DOC);
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

/** The guide's JSON block that `pick` selects, parsed. */
async function docJson(pick: (text: string) => boolean): Promise<Record<string, unknown>> {
  const block = (await docBlocks("json")).find(pick);
  assert.ok(block, "the guide has the json block");
  return JSON.parse(block);
}

/** The CLIP aesthetic manifest of the guide's section 2.3. */
const docManifest = () => docJson((b) => b.includes('"clip_aesthetic"'));

/** The guide's shell command starting with `prefix`, as words. */
async function docCommand(prefix: string): Promise<string[]> {
  const lines = (await docBlocks("sh")).flatMap((b) => b.split("\n"));
  const line = lines.find((l) => l.startsWith(prefix));
  assert.ok(line, `the guide prints a command starting '${prefix}'`);
  return line.trim().split(/\s+/);
}

/** Fails unless deno.json defines the task the guide runs (a clearer error than deno's own). */
async function requireTask(name: string): Promise<void> {
  const tasks = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json"))).tasks ?? {};
  assert.equal(typeof tasks[name], "string", `deno.json has a task '${name}' (the guide runs it)`);
}

/** Runs `deno <args>` from the repository root; its stdout, or a failure showing both streams. */
async function deno(args: string[], what: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO,
    env: { CAPO_LOG_FORMAT: "text" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(out.code, 0, `${what} failed:\n${text(out.stdout)}\n${text(out.stderr)}`);
  return text(out.stdout);
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `base` with `over` merged in, objects key by key. */
function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObj(v) && isObj(b) ? deepMerge(b, v) : v;
  }
  return out;
}

const sd = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

const GUIDE_PROMPTS = [
  "a red circle",
  "a blue square",
  "two red circles",
  "a red square and a blue circle",
  "a blue circle above a red square",
  "two blue circles",
];

Deno.test("the bring-your-own-reward guide runs as printed: build, check and tau, run beside the shipped rewards, evaluate", async () => {
  // Inside the repository (runs/ is writable by the tests), as the guide's my_rewards/ is: a
  // script outside it would not get deno.json's import map.
  await Deno.mkdir(join(REPO, "runs"), { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: join(REPO, "runs"), prefix: "test-byo-guide-" });
  try {
    const mine = join(tmp, "my_rewards");
    await Deno.mkdir(mine);
    const local = (w: string) => w.replaceAll("my_rewards", mine);
    // 1. route B: the guide's script, with its import of the repo's graph helpers made absolute
    const script = (await docBlocks("ts")).find((b) =>
      b.startsWith("// my_rewards/build_warmth.ts")
    );
    assert.ok(script, "the guide has route B's script");
    await Deno.writeTextFile(
      join(mine, "build_warmth.ts"),
      script.replaceAll('"../models/', `"${join(REPO, "models")}/`),
    );
    const build = await docCommand("deno run --allow-read --allow-write=my_rewards");
    await deno(build.slice(1).map(local), "the build script");
    // 2. the manifest, before tau is measured
    const manifest = await docJson((b) => b.includes('"name": "warmth"') && !b.includes('"tau"'));
    await Deno.writeTextFile(join(mine, "warmth.json"), JSON.stringify(manifest));
    // 3. the check, as its task runs it, on a tiny 32x32 base and a few prompts
    const base = await writeBaseModel(
      join(tmp, "base"),
      tinyConfig("eps", { imageSize: 32, patchSize: 8, depth: 1 }),
      5,
    );
    const prompts = join(tmp, "train.txt");
    await Deno.writeTextFile(prompts, GUIDE_PROMPTS.join("\n") + "\n");
    const check = await docCommand("deno task check-reward");
    await requireTask("check-reward");
    const printed = await deno(
      [
        ...check.slice(1).map(local),
        ...["--base", base, "--prompts", prompts, "--max-prompts", "6", "--samples", "4"],
        ...["--steps", "2"],
      ],
      "the check command",
    );
    assert.match(printed, /reward 'warmth' .* loads: image NCHW 32x32 -> logit \(sigmoid\)/);
    assert.match(printed, /scored 24 samples .*: every score finite/);
    const tau = Number(/"tau": ([0-9.e-]+)\s*$/.exec(printed)?.[1]);
    assert.ok(tau > 0 && tau < 0.5, `measured tau ${tau}:\n${printed}`);
    const rcaSd = [...printed.matchAll(/^ {2}tau \S+ \([^)]*\)\s+([0-9.]+)/gm)].map((m) =>
      Number(m[1])
    );
    assert.equal(rcaSd.length, 2, printed);
    assert.ok(rcaSd[1]! > 4 * rcaSd[0]!, `sd of Rca at tau 1 and at the measured tau: ${rcaSd}`);
    await Deno.writeTextFile(join(mine, "warmth.json"), JSON.stringify({ ...manifest, tau }));
    // 4. the guide's run config (beside the shipped rewards) on the tiny base, at a tiny size
    const guideRun = await docJson((b) => b.includes('"score"') && b.includes('"evaluate"'));
    const paths = (v: unknown) => (v as string[]).map(local);
    const score = guideRun.score as Json, evaluate = guideRun.evaluate as Json;
    const cfg = deepMerge(
      {
        ...guideRun,
        score: { ...score, rewards: paths(score.rewards) },
        evaluate: { ...evaluate, rewards: paths(evaluate.rewards) },
      },
      {
        runs_dir: join(tmp, "runs"),
        shard_rows: 8,
        prompts: { path: prompts, limit: 6 },
        generate: { model: base, n: 4, batch: 12, steps: 2, guidance: 2 },
        train: { model: base, batch_pairs: 2, epochs: 1 },
        evaluate: { prompts, max_prompts: 2, seeds_per_prompt: 1, steps: 2, resamples: 20 },
      },
    );
    await Deno.writeTextFile(join(mine, "run.json"), JSON.stringify(cfg));
    const run = await docCommand("deno task run --config my_rewards/run.json");
    await deno(run.slice(1).map(local), "the run");
    const runDir = join(tmp, "runs", run[run.indexOf("--name") + 1]!);
    // the new reward's calibrated column varies: with tau it ranks samples, not ~0.5 everywhere
    const cal = await openStage(runDir, "calibrate");
    assert.deepEqual(
      cal.manifest.schema.columns.filter((c) => c.startsWith("rca_")),
      ["rca_aesthetic", "rca_alignment", "rca_preference", "rca_warmth"],
    );
    assert.equal((cal.manifest.config as { tau: Record<string, number> }).tau.warmth, tau);
    const rca: number[] = [];
    for await (const { table } of shardTables(cal)) {
      rca.push(...table.getChild("rca_warmth")!.toArray());
    }
    assert.equal(rca.length, 24);
    assert.ok(sd(rca) > 0.1, `sd of rca_warmth ${sd(rca)}: ${rca.map((x) => x.toFixed(2))}`);
    // ... and it is in the evaluation and the run's report
    const evalJson = JSON.parse(await Deno.readTextFile(join(runDir, "eval", "eval.json")));
    assert.deepEqual(
      evalJson.rewards.map((r: { reward: string }) => r.reward),
      ["aesthetic", "alignment", "preference", "warmth"],
    );
    const evalMd = await Deno.readTextFile(join(runDir, "eval", "eval.md"));
    assert.match(evalMd, /^\| warmth \| \d+\.\d \[/m);
    assert.match(await Deno.readTextFile(join(runDir, "report.md")), /\| warmth \| \d+\.\d \[/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

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
