import assert from "node:assert/strict";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import jpeg from "jpeg-js";
import { runImport } from "../../../pipeline/exchange/import_run.ts";
import { acquireRunLock } from "../../../pipeline/run_lock.ts";
import { writeParquetFile } from "../../../lib/parquet.ts";
import { readManifest } from "../../../pipeline/stage_store.ts";
import { imageType } from "../../../schemas/field.ts";
import type { Sample } from "../../../schemas/sample.ts";
import { decodePng } from "../../../lib/png.ts";
import { normalizePrompt, promptId } from "../../../stages/prompts/normalize.ts";
import { capoIn, tempDir } from "../fixtures/util.ts";
import { sortedRows } from "../scale/fixtures/runs.ts";
import { importedRunWithPairs, noise, SIZE, writeImageFolder } from "./fixtures/images.ts";

Deno.test("capo import brings PNG and JPEG images with captions.jsonl into the Sample stage, and capo run continues to pairs", async () => {
  const dir = await tempDir();
  const { runDir, images } = await importedRunWithPairs(dir, 6, 4);
  const samples = await sortedRows(runDir, "generate") as Sample[];
  assert.equal(samples.length, 24);
  for (const img of images) {
    const id = promptId(normalizePrompt(img.prompt));
    const k = Number(img.file.split("_")[2]!.split(".")[0]); // captions order within the prompt
    const row = samples.find((s) => s.sample_id === `${id}:${k}`)!;
    assert.deepEqual(
      [row.prompt, row.seed, row.sample_index, row.image.path, row.model_id],
      [img.prompt, img.seed, k, img.file, "imported"],
    );
    const png = decodePng(row.image.bytes);
    assert.deepEqual([png.width, png.height], [SIZE, SIZE]);
    if (img.file.endsWith(".png")) {
      assert.deepEqual(row.image.bytes, img.bytes); // a PNG is kept byte for byte
    } else {
      // A JPEG is stored as a lossless PNG of exactly the pixels the JPEG decodes to.
      const want = jpeg.decode(img.bytes, { useTArray: true, formatAsRGBA: false }).data;
      assert.deepEqual(png.rgb, new Uint8Array(want));
    }
  }
  // The run read the imported samples (no fixture generator bytes) and went on to pairs.
  const gen = (await readManifest(join(runDir, "generate"), { index: 0, count: 1 }))!;
  assert.equal((gen.config as { imported?: string }).imported, "folder");
  const select = (await readManifest(join(runDir, "select"), { index: 0, count: 1 }))!;
  assert.deepEqual([select.complete, select.groups], [true, 6]);
  assert.ok(select.rows > 0);
  await Deno.remove(dir, { recursive: true });
});

/** A folder of 3 prompts x 3 images with one truncated PNG and one ".jpg" that is text. */
async function folderWithBadImages(dir: string) {
  const folder = join(dir, "in");
  const images = await writeImageFolder(folder, 3, 3);
  const truncated = images[1]!; // a PNG
  await Deno.writeFile(join(folder, truncated.file), truncated.bytes.subarray(0, 60));
  const notImage = images.find((i) => i.file.endsWith(".jpg"))!;
  await Deno.writeTextFile(join(folder, notImage.file), "this is not an image");
  return { folder, truncated, notImage, images };
}

Deno.test("capo import of a folder with a bad image stops by default, naming the file", async () => {
  const dir = await tempDir();
  const { folder, truncated } = await folderWithBadImages(dir);
  const { code, out, err } = await capoIn(dir, ["import", "--input", folder, "--runs-dir", dir]);
  assert.equal(code, 1, out + err);
  assert.match(
    err,
    new RegExp(
      `stage 'generate' failed on prompt '[0-9a-f]{16}': Cannot import image ` +
        `${join(folder, truncated.file).replaceAll(".", "\\.")} as it is not a readable PNG`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo import --on-bad-image skip leaves bad images out with a warning naming each file, and goes on", async () => {
  const dir = await tempDir();
  const { folder, truncated, notImage, images } = await folderWithBadImages(dir);
  const r = await runImport({ input: folder, runsDir: dir, name: "skip", onBadImage: "skip" });
  assert.equal(r.run.status, "done", r.run.summary);
  assert.deepEqual(
    r.skipped.map((s) => s.source).sort(),
    [
      join(folder, truncated.file),
      join(folder, notImage.file),
    ].sort(),
  );
  assert.match(
    r.skipped.find((s) => s.source.endsWith(notImage.file))!.why,
    /it is neither PNG nor JPEG: its first bytes are 74 68 69 73/,
  );
  const rows = await sortedRows(join(dir, "skip"), "generate") as Sample[];
  assert.equal(rows.length, images.length - 2);
  // Indices stay contiguous within each prompt after a skip.
  for (const id of new Set(rows.map((s) => s.prompt_id))) {
    const idx = rows.filter((s) => s.prompt_id === id).map((s) => s.sample_index);
    assert.deepEqual(idx, [...idx.keys()]);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo import refuses an image missing from captions.jsonl and a malformed captions line, naming them", async () => {
  const dir = await tempDir();
  const folder = join(dir, "in");
  await writeImageFolder(folder, 2, 2);
  await Deno.writeFile(join(folder, "stray.png"), new Uint8Array([1]));
  await assert.rejects(
    runImport({ input: folder, runsDir: dir, name: "x" }),
    new RegExp(
      `Cannot import image ${join(folder, "stray.png")} as .*captions\\.jsonl has no line for it`,
    ),
  );
  await Deno.writeTextFile(join(folder, "captions.jsonl"), '{"file": "img_0_0.png"}\n', {
    append: true,
  });
  await assert.rejects(
    runImport({ input: folder, runsDir: dir, name: "x" }),
    /captions\.jsonl line 5 as it needs a string "file" and a non-empty string "prompt"/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo import of another source into a run that a live writer holds is refused before it writes anything", async () => {
  const dir = await tempDir();
  const first = join(dir, "first");
  const second = join(dir, "second");
  await writeImageFolder(first, 2, 2);
  await writeImageFolder(second, 3, 2);
  await runImport({ input: first, runsDir: dir, name: "x" });
  const prompts = join(dir, "x", "imported", "prompts.txt");
  const before = await Deno.readTextFile(prompts);
  const lock = await acquireRunLock(join(dir, "x"), { command: "capo run" });
  try {
    await assert.rejects(
      runImport({ input: second, runsDir: dir, name: "x" }),
      new RegExp(`Cannot import ${second} into .* as capo run \\(PID ${Deno.pid}.*another source`),
    );
    assert.equal(await Deno.readTextFile(prompts), before);
  } finally {
    await lock.release();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo import reads a Parquet file with prompt, image and seed columns", async () => {
  const dir = await tempDir();
  const path = join(dir, "gen.parquet");
  const { encodePng } = await import("../../../lib/png.ts");
  const prompts = ["a red circle", "a red circle", "two blue squares", "a red  circle"];
  const bytes = prompts.map((_, i) => encodePng(noise(i), SIZE, SIZE));
  const table = new arrow.Table({
    prompt: arrow.vectorFromArray(prompts, new arrow.Utf8()),
    image: arrow.vectorFromArray(
      bytes.map((b, i) => ({ bytes: b, path: `x${i}.png` })),
      imageType(),
    ),
    seed: arrow.vectorFromArray([7, 8, 9, 10].map(BigInt), new arrow.Int64()),
  });
  await writeParquetFile(path, table);
  const r = await runImport({ input: path, runsDir: dir, name: "pq", shardRows: 2 });
  assert.equal(r.run.status, "done", r.run.summary);
  const rows = await sortedRows(join(dir, "pq"), "generate") as Sample[];
  const red = rows.filter((s) => s.prompt === "a red circle");
  // "a red  circle" normalises to the same prompt: three samples, in row order.
  assert.deepEqual(red.map((s) => [s.sample_index, s.seed, s.image.path]), [
    [0, 7, "x0.png"],
    [1, 8, "x1.png"],
    [2, 10, "x3.png"],
  ]);
  assert.deepEqual(red[2]!.image.bytes, bytes[3]);
  assert.equal(rows.length, 4);
  await Deno.remove(dir, { recursive: true });
});
