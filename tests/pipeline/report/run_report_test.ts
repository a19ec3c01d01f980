import assert from "node:assert/strict";
import { join } from "node:path";
import { main as reportCli } from "../../../cli/report.ts";
import { writeRunReport } from "../../../pipeline/report/run_report.ts";
import { decodePng } from "../../../lib/png.ts";
import { EVAL_PROMPTS, fakeSamplers, TRAIN_PROMPTS, writeRun } from "./_fixture.ts";

async function withRun(
  fn: (runDir: string) => Promise<void>,
  opts: { withPerImage?: boolean } = {},
): Promise<void> {
  const tmp = await Deno.makeTempDir();
  try {
    const runDir = join(tmp, "run");
    await writeRun(runDir, opts);
    await fn(runDir);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The relative image links of a markdown text. */
const links = (md: string) => [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);

Deno.test("report.md holds the config, stage counts and evaluation tables and links every PNG", async () => {
  await withRun(async (runDir) => {
    const { path, pngs } = await writeRunReport(runDir, { openSamplers: fakeSamplers });
    assert.equal(path, join(runDir, "report.md"));
    const md = await Deno.readTextFile(path);
    assert.match(md, /^# Run report: synthetic$/m);
    assert.match(md, /\| Base model \| `base-dir` \|/);
    assert.match(md, /\| Samples per prompt \(N\) \| 6 /);
    assert.match(md, /\| Pair selection \| frs, 1 pair\(s\) per prompt/);
    assert.match(md, /\| Beta \| 500 \|/);
    assert.match(md, /\| Training steps \| 12 \|/);
    assert.match(md, /\| calibrate \| calibrated \| 3 \| 18 \| 0 \| 1 \| yes \|/);
    assert.match(md, /\| select \| pair \| 3 \| 2 \| 1 \| 1 \| yes \|/);
    assert.match(md, /2 pairs \(1 prompts without a pair\) -> 12 training steps/);
    // the evaluation section (formatEvalSection) with ShapeEval's table
    assert.match(md, /## Evaluation: fine-tuned vs base/);
    assert.match(md, /\| correct \| 75\.0 \[/);
    assert.match(md, /\| tuned \| 1\.00 \|/);
    assert.deepEqual(links(md), [
      "report/win_rates.png",
      "report/reward_distributions.png",
      "report/pareto_fronts.png",
      "report/training.png",
      "report/samples_seed0.png",
      "report/samples_seed1.png",
    ]);
    for (const l of links(md)) {
      const png = decodePng(await Deno.readFile(join(runDir, l)));
      assert.ok(png.width > 100 && png.height > 100, `${l}: ${png.width}x${png.height}`);
    }
    assert.equal(pngs.length, 6);
    // the pareto panels show the two prompts with a pair, the contact sheets every eval prompt
    assert.match(md, new RegExp(`"${TRAIN_PROMPTS[0]}", "${TRAIN_PROMPTS[1]}"\\.`));
    for (const p of EVAL_PROMPTS) assert.ok(md.includes(`"${p}"`), p);
    assert.match(md, /agree with eval\.json on 6 \(the same images\)/);
  });
});

Deno.test("a missing eval.json is an error naming it, and nothing is written", async () => {
  await withRun(async (runDir) => {
    await Deno.remove(join(runDir, "eval", "eval.json"));
    await assert.rejects(
      writeRunReport(runDir, { openSamplers: fakeSamplers }),
      (err: Error) =>
        err instanceof TypeError && err.message.includes(join(runDir, "eval", "eval.json")),
    );
    await assert.rejects(Deno.stat(join(runDir, "report.md")), Deno.errors.NotFound);
  });
});

Deno.test("a missing training log is an error naming it", async () => {
  await withRun(async (runDir) => {
    await Deno.remove(join(runDir, "train", "log.jsonl"));
    await assert.rejects(
      writeRunReport(runDir, { contactSheets: false }),
      new RegExp(`${join(runDir, "train", "log.jsonl")} does not exist`),
    );
  });
});

Deno.test("an eval.json without per-image scores gets a note instead of the distributions", async () => {
  await withRun(async (runDir) => {
    await Deno.writeTextFile(join(runDir, "eval.txt"), EVAL_PROMPTS.join("\n") + "\n");
    const config = JSON.parse(await Deno.readTextFile(join(runDir, "config.json")));
    config.evaluate.prompts = join(runDir, "eval.txt");
    await writeRunReport(runDir, { config, openSamplers: fakeSamplers, contactSeeds: 1 });
    const md = await Deno.readTextFile(join(runDir, "report.md"));
    assert.match(md, /keeps no per-image scores/);
    assert.ok(!links(md).includes("report/reward_distributions.png"));
    // the contact sheets take the prompts from the config's eval prompt file
    assert.ok(links(md).includes("report/samples_seed0.png"));
    assert.ok(!links(md).includes("report/samples_seed1.png"));
  }, { withPerImage: false });
});

Deno.test("capo report writes the report without samples and rejects bad arguments", async () => {
  await withRun(async (runDir) => {
    const log = console.log;
    console.log = () => {};
    const error = console.error;
    console.error = () => {};
    try {
      assert.equal(await reportCli([runDir, "--no-samples"]), 0);
      assert.equal(await reportCli([]), 2);
      assert.equal(await reportCli([runDir, "--prompts", "0"]), 2);
      assert.equal(await reportCli([runDir, "other"]), 2);
    } finally {
      console.log = log;
      console.error = error;
    }
    const md = await Deno.readTextFile(join(runDir, "report.md"));
    assert.ok(!md.includes("## Samples: base vs tuned"));
  });
});
