import assert from "node:assert/strict";
import initPq, * as pq from "parquet-wasm/esm";
import {
  Binary,
  Field,
  makeData,
  makeVector,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { main } from "../../cli/shapes.ts";
import {
  decodePng,
  encodePng,
  layoutFor,
  parseCaption,
  renderScene,
} from "../../shapeworld/mod.ts";
import { readSamples } from "../../shapeworld/sample_files.ts";
import { Rng } from "../../lib/rng.ts";
import { writePng } from "./png_fixture.ts";

function render(caption: string, seed: number): Uint8Array {
  return renderScene(layoutFor(parseCaption(caption), new Rng(seed)));
}

/** Run `shapes` with stdout captured. */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log, err = console.error;
  console.log = (...xs: unknown[]) => lines.push(xs.join(" "));
  console.error = () => {};
  try {
    return { code: await main(args), out: lines.join("\n") };
  } finally {
    console.log = log;
    console.error = err;
  }
}

Deno.test("shapes render writes a 32x32 PNG for one prompt and a contact sheet for several", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(
      (await run(["render", "--prompt", "a red circle", "--seed", "1", "--out", `${dir}/one.png`]))
        .code,
      0,
    );
    const one = decodePng(await Deno.readFile(`${dir}/one.png`));
    assert.equal(one.width, 32);
    const expected = renderScene(layoutFor(parseCaption("a red circle"), Rng.derive(1, 0)));
    assert.deepEqual(one.rgb, expected);
    const r = await run([
      "render",
      "--prompt",
      "a red circle",
      "--prompt",
      "two squares",
      "--out",
      `${dir}/sheet.png`,
    ]);
    assert.equal(r.code, 0);
    assert.ok(decodePng(await Deno.readFile(`${dir}/sheet.png`)).width > 2 * 4 * 32);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shapes eval scores a folder of PNGs named by captions.jsonl or by file name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = "a red circle to the left of a blue square";
    await Deno.writeFile(`${dir}/0.png`, encodePng(render(good, 1), 32, 32));
    await Deno.writeFile(`${dir}/1.png`, encodePng(render("three green triangles", 2), 32, 32));
    await Deno.writeTextFile(
      `${dir}/captions.jsonl`,
      JSON.stringify({ file: "0.png", prompt: good }) + "\n" +
        JSON.stringify({ file: "1.png", prompt: "two green triangles" }) + "\n",
    );
    const r = await run(["eval", dir, "--json"]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.table, { counting: 0, position: 1, overall: 0.5 });
    assert.match(j.results[1].reason, /expected 2 object\(s\)/);
    // without captions.jsonl the file name is the caption
    await Deno.remove(`${dir}/captions.jsonl`);
    await Deno.remove(`${dir}/0.png`);
    await Deno.rename(`${dir}/1.png`, `${dir}/three_green_triangles.0.png`);
    const named = await readSamples(dir);
    assert.equal(named[0]!.prompt, "three green triangles");
    const t = await run(["eval", dir]);
    assert.match(
      t.out,
      /\| Overall \| Single object \| Two object \| Counting \| Colors \| Position \| Color attribution \|/,
    );
    assert.match(t.out, /1\.00 \| - \| - \| 1\.00 \| - \| - \| - \|/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shapes eval reports 'cannot evaluate' prompts with a failing exit code, never a silent 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a.png`, encodePng(render("a red circle", 1), 32, 32));
    await Deno.writeTextFile(
      `${dir}/captions.jsonl`,
      JSON.stringify({ file: "a.png", prompt: "a photo of a cat" }),
    );
    const r = await run(["eval", dir, "--json"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.equal(j.evaluated, 0);
    assert.match(j.cannot_evaluate[0].reason, /^cannot evaluate: "photo" is not in the vocabulary/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shapes eval names the file of an image of the wrong size or channels", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a_red_circle.png`, encodePng(new Uint8Array(16 * 16 * 3), 16, 16));
    await assert.rejects(
      () => readSamples(dir),
      /a_red_circle\.png as it must be 32x32: current value is 16x16/,
    );
    await Deno.remove(`${dir}/a_red_circle.png`);
    await Deno.writeFile(
      `${dir}/a_circle.png`,
      writePng(new Uint8Array(32 * 32), 32, 32, 0, 1, [0]),
    );
    await assert.rejects(
      () => readSamples(dir),
      /a_circle\.png as it must be RGB \(3 or 4 channels\): current value is 1 channel\(s\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shapes eval reads a Parquet of samples with prompt and image {bytes, path}", async () => {
  await initPq();
  const prompts = ["a yellow square", "a cyan triangle and a red square"];
  const pngs = prompts.map((p, i) => encodePng(render(p, i), 32, 32));
  const imageType = new Struct([new Field("bytes", new Binary()), new Field("path", new Utf8())]);
  const image = makeVector(makeData({
    type: imageType,
    length: pngs.length,
    nullCount: 0,
    children: [
      vectorFromArray(pngs, new Binary()).data[0]!,
      vectorFromArray(["", ""], new Utf8()).data[0]!,
    ],
  }));
  const table = new Table({ prompt: vectorFromArray(prompts, new Utf8()), image });
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, "stream")));
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/samples.parquet`, bytes);
    const r = await run(["eval", `${dir}/samples.parquet`, "--json"]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out).table, { colors: 1, color_attr: 1, overall: 1 });
    assert.equal(JSON.parse(r.out).results[1].source, `${dir}/samples.parquet#1`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
