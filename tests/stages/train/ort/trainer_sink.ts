import assert from "node:assert/strict";
import { join } from "node:path";
import { loadModel } from "../../../../models/weights.ts";
import { OrtDenoiser } from "../../../../models/ort_denoiser.ts";
import { initBackend } from "../../../../models/backend.ts";
import { tinyConfig } from "../../../models/_tiny.ts";
import { pairGroups } from "../_pairs.ts";
import { runSink, writeModel } from "./_sink_run.ts";
import type { StepMetrics } from "../../../../stages/train/preference_trainer.ts";
import { TRAIN } from "../../../../stages/train/trainer_options.ts";
import { defaultsOf, merge } from "../../../../lib/config_table.ts";
import { trainerSink } from "../../../../stages/train/trainer_sink.ts";
import { exists } from "../../../../lib/read_if_exists.ts";

await initBackend();

const stripTime = (lines: string) =>
  lines.trim().split("\n").map((l) => {
    const { seconds: _s, ...rest } = JSON.parse(l);
    return rest;
  });

for (const p of ["eps", "flow"] as const) {
  Deno.test(`an interrupted and resumed training reaches the same weights as an uninterrupted one (${p})`, async () => {
    const tmp = await Deno.makeTempDir();
    try {
      const cfg = tinyConfig(p, { depth: 1 });
      const model = await writeModel(join(tmp, "base"), cfg, 3);
      const groups = pairGroups(6, 1, 16);
      const options = {
        model,
        beta: 50,
        lr: 1e-3,
        batch_pairs: 4,
        max_steps: 6,
        warmup_steps: 2,
        schedule: "cosine",
        checkpoint_every: 100,
        weighting: p === "flow" ? "sigmoid" : "constant",
      };
      // uninterrupted
      const a = await runSink(join(tmp, "a"), options, groups);
      // interrupted by a cancel after step 3 (a checkpoint is written on the way out) ...
      const stop = new AbortController();
      await assert.rejects(
        runSink(join(tmp, "b"), options, groups, {
          onStep: (m) => m.step === 3 && stop.abort("SIGINT"),
        }, stop.signal),
      );
      // ... then resumed, with the groups arriving in another order
      const seen: number[] = [];
      const b = await runSink(join(tmp, "b"), options, [...groups].reverse(), {
        onStep: (m) => seen.push(m.step),
      });
      assert.deepEqual(seen, [4, 5, 6], "the resumed run continues at step 4");
      const wa = await loadModel(a.stageDir), wb = await loadModel(b.stageDir);
      for (const [name, v] of wa.weights) assert.deepEqual(wb.weights.get(name), v, name);
      const base = await loadModel(model);
      assert.notDeepEqual(
        base.weights.get("final.proj.weight"),
        wa.weights.get("final.proj.weight"),
      );
      assert.deepEqual(
        stripTime(await Deno.readTextFile(join(b.stageDir, "log.jsonl"))),
        stripTime(await Deno.readTextFile(join(a.stageDir, "log.jsonl"))),
      );
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

Deno.test("a training killed between checkpoints redoes the lost steps identically", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const cfg = tinyConfig("eps", { depth: 1 });
    const model = await writeModel(join(tmp, "base"), cfg, 4);
    const groups = pairGroups(5, 1, 16);
    const options = {
      model,
      beta: 50,
      lr: 1e-3,
      batch_pairs: 2,
      max_steps: 5,
      checkpoint_every: 2,
    };
    const a = await runSink(join(tmp, "a"), options, groups);
    // A crash at step 3 (no checkpoint on the way out): the step-2 checkpoint survives.
    await assert.rejects(
      runSink(join(tmp, "b"), options, groups, {
        onStep: (m) => {
          if (m.step === 3) throw new Error("killed");
        },
      }),
      /killed/,
    );
    const seen: number[] = [];
    const b = await runSink(join(tmp, "b"), options, groups, { onStep: (m) => seen.push(m.step) });
    assert.deepEqual(seen, [3, 4, 5]);
    const wa = await loadModel(a.stageDir), wb = await loadModel(b.stageDir);
    for (const [name, v] of wa.weights) assert.deepEqual(wb.weights.get(name), v, name);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the first step sees dR_theta ~ 0: the ORT reference gets the policy's x_t, t and prompt", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    for (const p of ["eps", "flow"] as const) {
      const model = await writeModel(join(tmp, `base-${p}`), tinyConfig(p), 5);
      const steps: StepMetrics[] = [];
      await runSink(
        join(tmp, p),
        { model, beta: 1, max_steps: 1, batch_pairs: 4 },
        pairGroups(4, 1, 16),
        {
          onStep: (m) => steps.push(m),
        },
      );
      // err_theta (tfjs) and err_ref (ORT) of the same weights agree to float32 rounding
      assert.ok(Math.abs(steps[0]!.dr_theta) < 1e-5, `${p}: dR_theta ${steps[0]!.dr_theta}`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

// What each loss does to the implicit reward gap on 4 fixed pairs (mean dR_ca = 0.376), from
// dR_theta = 0 at step 0, averaged over the last 10 of 40 steps (each step draws new t, eps):
// CaPO regresses it onto dR_ca, IPO onto 1, DPO pushes it up without bound; the unbiased
// products (issue #19) regress onto the same targets.
const EXPECT: Record<string, (dR: number, dRca: number) => boolean> = {
  capo: (dR, dRca) => dR > 0.4 * dRca && dR < 2.5 * dRca,
  ipo: (dR) => dR > 0.5 && dR < 1.5,
  dpo: (dR) => dR > 2,
};
EXPECT.capo_unbiased = EXPECT.capo!;
EXPECT.ipo_unbiased = EXPECT.ipo!;

for (const loss of ["capo", "dpo", "ipo", "capo_unbiased", "ipo_unbiased"] as const) {
  Deno.test(`${loss} training moves the implicit reward gap towards its target`, async () => {
    const tmp = await Deno.makeTempDir();
    try {
      const model = await writeModel(join(tmp, "base"), tinyConfig("eps", { depth: 1 }), 6);
      const steps: StepMetrics[] = [];
      await runSink(
        join(tmp, "run"),
        { model, loss, beta: 200, lr: 3e-3, batch_pairs: 4, max_steps: 40, warmup_steps: 0 },
        pairGroups(4, 1, 16),
        { onStep: (m) => steps.push(m) },
      );
      const tail = steps.slice(-10);
      const avg = (f: (m: StepMetrics) => number) => tail.reduce((a, m) => a + f(m), 0) / 10;
      const dR = avg((m) => m.dr_theta), dRca = avg((m) => m.dr_ca);
      assert.ok(EXPECT[loss]!(dR, dRca), `${loss}: mean dR_theta ${dR}, dR_ca ${dRca}`);
      assert.ok(avg((m) => m.accuracy) >= 0.7, "the policy prefers x+ over x-");
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

Deno.test("a reference of another architecture is rejected before any work, naming the field", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const model = await writeModel(join(tmp, "base"), tinyConfig("eps"), 1);
    const wide = await writeModel(join(tmp, "wide"), tinyConfig("eps", { width: 24 }), 1);
    const flow = await writeModel(join(tmp, "flow"), tinyConfig("flow"), 1);
    await assert.rejects(
      runSink(join(tmp, "run"), { model, reference: wide }, []),
      /architectures differ: width is 24 in the reference and 16 in the policy/,
    );
    await assert.rejects(
      runSink(join(tmp, "run"), { model, reference: flow }, []),
      /parameterization is "flow" in the reference and "eps" in the policy/,
    );
    await assert.rejects(
      runSink(join(tmp, "run"), { model: join(tmp, "nothing") }, []),
      /Cannot load the base model from '.*nothing\/model.safetensors': no such file/,
    );
    await assert.rejects(runSink(join(tmp, "run"), { model, loss: "kto" }, []), /'capo', 'dpo'/);
    assert.equal(await exists(join(tmp, "run")), false, "nothing was written");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a run whose select stage yielded no pairs fails with the reason", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const model = await writeModel(join(tmp, "base"), tinyConfig("eps"), 1);
    await assert.rejects(
      runSink(join(tmp, "run"), { model }, pairGroups(3, 0, 16)),
      /Cannot train as no pairs were selected: 3 prompt group\(s\) arrived and none had a pair/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the fine-tuned model is written as safetensors, config.json and ONNX; a finished run is not redone", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const cfg = tinyConfig("flow", { depth: 1 });
    const model = await writeModel(join(tmp, "base"), cfg, 2);
    const options = { model, max_steps: 3, batch_pairs: 2 };
    const groups = pairGroups(3, 1, 16);
    const { stageDir } = await runSink(join(tmp, "run"), options, groups);
    const tuned = await loadModel(stageDir);
    assert.deepEqual(tuned.config, cfg);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(stageDir, "config.json"))), cfg);
    const ort = await OrtDenoiser.create(cfg, await Deno.readFile(join(stageDir, "model.onnx")));
    const out = await ort.predict(
      new Float32Array(16 * 16 * 3),
      new Float32Array([0.5]),
      new Int32Array(8),
    );
    assert.equal(out.length, 16 * 16 * 3);
    await ort.release();
    const summary = JSON.parse(await Deno.readTextFile(join(stageDir, "summary.json")));
    assert.equal(summary.steps, 3);
    assert.equal(summary.pairs, 3);
    const again: number[] = [];
    await runSink(join(tmp, "run"), options, groups, { onStep: (m) => again.push(m.step) });
    assert.deepEqual(again, [], "the same pairs and options: nothing to redo");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a changed training config moves the old checkpoint aside and starts over", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const model = await writeModel(join(tmp, "base"), tinyConfig("eps", { depth: 1 }), 2);
    const groups = pairGroups(3, 1, 16);
    const runDir = join(tmp, "run");
    await runSink(runDir, { model, max_steps: 2, batch_pairs: 2, beta: 10 }, groups);
    const seen: number[] = [];
    await runSink(runDir, { model, max_steps: 2, batch_pairs: 2, beta: 20 }, groups, {
      onStep: (m) => seen.push(m.step),
    });
    assert.deepEqual(seen, [1, 2], "trained from step 0 again");
    const stale = [...Deno.readDirSync(join(runDir, ".stale"))].map((e) => e.name);
    assert.equal(stale.length, 1);
    assert.match(stale[0]!, /^train-[0-9a-f]{12}$/);
    assert.ok(await exists(join(runDir, ".stale", stale[0]!, "checkpoint.safetensors")));
    const log = (await Deno.readTextFile(join(runDir, "train", "log.jsonl"))).trim().split("\n");
    assert.equal(log.length, 2, "the new log holds only the new run's steps");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a sharded worker (--shard i/n, n > 1) skips training and writes nothing", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const model = await writeModel(join(tmp, "base"), tinyConfig("eps"), 1);
    const spec = await trainerSink(merge(TRAIN, defaultsOf(TRAIN), { model }, "test"));
    const stageDir = join(tmp, "run", "train");
    const ws = spec.create({
      runDir: join(tmp, "run"),
      stageDir,
      worker: { index: 1, count: 2 },
      signal: new AbortController().signal,
    });
    await ReadableStream.from(pairGroups(2, 1, 16)).pipeTo(ws);
    assert.equal(await exists(stageDir), false);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a snapshot at step k is the model a k-step run gives (constant schedule)", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const cfg = tinyConfig("eps", { depth: 1 });
    const model = await writeModel(join(tmp, "base"), cfg, 4);
    const groups = pairGroups(4, 1, 16);
    const common = { model, batch_pairs: 2, threads: 1, warmup_steps: 1, export_onnx: false };
    const long = await runSink(
      join(tmp, "long"),
      { ...common, max_steps: 6, snapshot_every: 2 },
      groups,
    );
    const short = await runSink(join(tmp, "short"), { ...common, max_steps: 4 }, groups);
    const snap = join(long.stageDir, "snapshots", "step-4");
    assert.ok(await exists(join(long.stageDir, "snapshots", "step-2", "model.safetensors")));
    assert.ok(
      !(await exists(join(long.stageDir, "snapshots", "step-6"))),
      "the last step is the model",
    );
    assert.deepEqual(
      await Deno.readFile(join(snap, "model.safetensors")),
      await Deno.readFile(join(short.stageDir, "model.safetensors")),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
