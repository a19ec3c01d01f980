import assert from "node:assert/strict";
import { join } from "node:path";
import { main as reportCli } from "../../../cli/report.ts";
import { writeRunReport } from "../../../pipeline/report/run_report.ts";
import { decodePng } from "../../../lib/png.ts";
import { EVAL_PROMPTS, fakeSamplers, TRAIN_PROMPTS, writeRun } from "./_fixture.ts";
import * as arrow from "apache-arrow";
import { runImport } from "../../../pipeline/exchange/import_run.ts";
import { writeParquetFile } from "../../../lib/parquet.ts";
import { encodePng } from "../../../lib/png.ts";
import { imageType } from "../../../schemas/field.ts";
import { noise, writeImageFolder } from "../exchange/fixtures/images.ts";

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
    // issue #19's diagnostics: first / last 2 steps, first / last probe
    assert.match(md, /\| share of loss weights pushing pairs backwards \| 0\.1000 \| 0\.3000 \|/);
    assert.match(md, /\| Var\(dR_theta\) \(probe, steps 4 \/ 12\) \| 0\.0400 \| 0\.1200 \|/);
    assert.match(
      md,
      /\| \(E\[dR_theta\] - c\)\^2 \(probe, steps 4 \/ 12\) \| 0\.0200 \| 0\.0200 \|/,
    );
    assert.match(
      md,
      /\| squared loss = bias\^2 \+ var \(probe, steps 4 \/ 12\) \| 0\.0600 \| 0\.1400 \|/,
    );
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

Deno.test("report --no-samples removes the contact sheets of an earlier report, and fewer --seeds the extra ones", async () => {
  await withRun(async (runDir) => {
    const sheet = (k: number) => join(runDir, "report", `samples_seed${k}.png`);
    const mine = join(runDir, "report", "my_notes.png"); // not a report figure: left alone
    await writeRunReport(runDir, { openSamplers: fakeSamplers });
    await Deno.writeFile(mine, new Uint8Array([1, 2, 3]));
    await Deno.stat(sheet(1));
    const one = await writeRunReport(runDir, { openSamplers: fakeSamplers, contactSeeds: 1 });
    assert.deepEqual(one.removed, [sheet(1)]);
    await assert.rejects(Deno.stat(sheet(1)), Deno.errors.NotFound);
    const log = console.log;
    console.log = () => {};
    try {
      assert.equal(await reportCli([runDir, "--no-samples"]), 0);
    } finally {
      console.log = log;
    }
    await assert.rejects(Deno.stat(sheet(0)), Deno.errors.NotFound);
    const md = await Deno.readTextFile(join(runDir, "report.md"));
    assert.ok(!md.includes("## Samples: base vs tuned"));
    for (const l of links(md)) await Deno.stat(join(runDir, l)); // every link still resolves
    const left = [];
    for await (const e of Deno.readDir(join(runDir, "report"))) left.push(e.name);
    assert.deepEqual(left.sort(), [
      "my_notes.png",
      "pareto_fronts.png",
      "reward_distributions.png",
      "training.png",
      "win_rates.png",
    ]);
  });
});

/** The Configuration table of a report.md, as {setting: value}. */
function configuration(md: string): Record<string, string> {
  const section = md.slice(md.indexOf("## Configuration"), md.indexOf("## Stage counts"));
  return Object.fromEntries(
    [...section.matchAll(/^\| (.+?) \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]),
  );
}

Deno.test("the report of an imported run says where the samples came from and that no generator ran", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    // A Parquet of 2, 3 and 1 images for three prompts, imported with the generator's fields.
    const input = join(tmp, "elsewhere.parquet");
    const prompts = ["a red circle", "a red circle", "two blue squares", "two blue squares"];
    prompts.push("two blue squares", "a green triangle");
    await writeParquetFile(
      input,
      new arrow.Table({
        prompt: arrow.vectorFromArray(prompts, new arrow.Utf8()),
        image: arrow.vectorFromArray(
          prompts.map((_, i) => ({ bytes: encodePng(noise(i), 32, 32), path: `x${i}.png` })),
          imageType(),
        ),
      }),
    );
    const imported = await runImport({
      input,
      runsDir: tmp,
      name: "imp",
      meta: { model_id: "my-sdxl@v2", sampler: "dpm++2m", steps: 30, guidance: 5.5 },
    });
    assert.equal(imported.run.status, "done", imported.run.summary);
    const runDir = join(tmp, "imp");
    const source = JSON.parse(await Deno.readTextFile(join(runDir, "imported", "source.json")));
    assert.deepEqual([source.input, source.kind, source.images, source.prompts], [
      input,
      "parquet",
      6,
      3,
    ]);
    await writeRun(runDir); // config, calibrate, select, training log and eval of the fixture
    await writeRunReport(runDir, { contactSheets: false });
    const config = configuration(await Deno.readTextFile(join(runDir, "report.md")));
    assert.equal(
      config["Samples"],
      `imported by \`capo import\` from the Parquet file \`${input}\` (digest ` +
        `\`${
          source.digest.slice(0, 16)
        }\`, size 32x32); no generator ran, so \`generate.*\` does not ` +
        "describe them",
    );
    assert.equal(config["Samples per prompt"], "1-3 images per prompt, 6 over 3 prompts");
    assert.equal(
      config["Sample fields as recorded"],
      "model_id `my-sdxl@v2`, sampler `dpm++2m`, steps 30, guidance 5.5",
    );
    // the generator's settings from config.json are not presented as the samples' origin
    assert.equal(config["Sampling model (generate)"], undefined);
    assert.equal(config["Samples per prompt (N)"], undefined);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the report of a folder import made before source.json existed says the path is not recorded", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const folder = join(tmp, "in");
    await writeImageFolder(folder, 2, 2);
    const imported = await runImport({ input: folder, runsDir: tmp, name: "imp" });
    assert.equal(imported.run.status, "done", imported.run.summary);
    const runDir = join(tmp, "imp");
    await Deno.remove(join(runDir, "imported", "source.json"));
    await writeRun(runDir);
    await writeRunReport(runDir, { contactSheets: false });
    const config = configuration(await Deno.readTextFile(join(runDir, "report.md")));
    assert.match(
      config["Samples"]!,
      /^imported by `capo import` from the folder \(path not recorded\)/,
    );
    assert.equal(config["Samples per prompt"], "2 images per prompt, 4 over 2 prompts");
    assert.equal(
      config["Sample fields as recorded"],
      "model_id `imported`, sampler `external`, steps 0, guidance 0 (0: not given at import)",
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
