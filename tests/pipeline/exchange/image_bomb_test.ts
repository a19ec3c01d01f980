/**
 * Hostile images at the import decoder (pipeline/exchange/image_bytes.ts): decompression bombs
 * are refused from their header, fast and in little memory, measured in a fresh process
 * (fixtures/bomb_probe.ts) so the peak resident memory is the decoder's alone.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runImport } from "../../../pipeline/exchange/import_run.ts";
import { importImage } from "../../../pipeline/exchange/image_bytes.ts";
import { decodePng, encodePng } from "../../../lib/png.ts";
import { readManifest } from "../../../pipeline/stage_store.ts";
import type { Sample } from "../../../schemas/sample.ts";
import { tempDir } from "../fixtures/util.ts";
import { sortedRows } from "../scale/fixtures/runs.ts";
import { jpegBomb, pngBomb } from "./fixtures/bombs.ts";
import { jpegBytes, noise } from "./fixtures/images.ts";

const PROBE = new URL("./fixtures/bomb_probe.ts", import.meta.url).pathname;

async function probe(kind: string) {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PROBE, kind],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout)) as {
    fileBytes: number;
    ms: number;
    error: string | null;
    peakMb: number;
  };
}

for (
  const [kind, declared, why] of [
    ["png", "30000x30000", /PNG header declares 30000x30000 pixels \(900\.0 MP\), above the limit/],
    ["jpeg", "9000x9000", /JPEG header declares 9000x9000 pixels \(81\.0 MP\), above the limit/],
    ["png-inflate", "64x64", /image data inflates past the 64x64 its header declares/],
  ] as const
) {
  Deno.test(`a ${kind} decompression bomb (${declared}) is refused in under 1 s with peak memory under 200 MB`, async () => {
    const r = await probe(kind);
    assert.match(r.error ?? "accepted", why);
    assert.match(r.error!, /bomb\.(png|jpg)/, "the message names the image");
    assert.ok(r.ms < 1000, `${r.ms.toFixed(1)} ms`);
    assert.ok(r.peakMb < 200, `peak ${r.peakMb.toFixed(0)} MB`);
  });
}

Deno.test("the image limit is configurable: an image above it is refused naming the limit, one below it decodes", () => {
  const png = encodePng(noise(1, 40), 40, 40);
  assert.throws(
    () => importImage(png, "a.png", { maxPixels: 1000 }),
    /^RangeError: Cannot accept image a\.png as its PNG header declares 40x40 pixels \(0\.0 MP\), above the limit of 0\.0 MP \(--max-image-pixels\); it was not decoded$/,
  );
  assert.equal(importImage(png, "a.png", { maxPixels: 1600 }).width, 40);
  assert.throws(
    () =>
      importImage(jpegBomb(5000, 5000), "b.jpg", {
        maxPixels: 1e6,
        limitKey: "import.max_image_pixels",
      }),
    /b\.jpg as its JPEG header declares 5000x5000 pixels \(25\.0 MP\), above the limit of 1\.0 MP \(import\.max_image_pixels\)/,
  );
  // The scorer's and trainer's decoder has the same default limit.
  assert.throws(() => decodePng(pngBomb(20000, 20000)), /declares 20000x20000 pixels/);
});

Deno.test("capo import refuses an image of another size than the run's model and rewards take, unless --resize", async () => {
  const dir = await tempDir();
  const folder = join(dir, "in");
  await Deno.mkdir(folder);
  await Deno.writeFile(join(folder, "a_red_square.png"), encodePng(noise(1, 64), 64, 64));
  await Deno.writeFile(join(folder, "a_blue_circle.jpg"), jpegBytes(noise(2, 48), 48));
  await assert.rejects(
    runImport({ input: folder, runsDir: dir, name: "x" }).then((r) => {
      throw r.run.error ?? new Error(r.run.summary);
    }),
    new RegExp(
      `Cannot import image ${folder}/a_(red_square\\.png|blue_circle\\.jpg) as it is (64x64|48x48), ` +
        `not the 32x32 required by the run's model data/models/base-eps and rewards [a-z, ]+: ` +
        `pass --resize nearest or --resize bilinear to resize it`,
    ),
  );
  const r = await runImport({ input: folder, runsDir: dir, name: "y", resize: "bilinear" });
  assert.equal(r.run.status, "done", r.run.summary);
  const rows = await sortedRows(join(dir, "y"), "generate") as Sample[];
  assert.deepEqual(
    rows.map((s) => [decodePng(s.image.bytes).width, decodePng(s.image.bytes).height]),
    [
      [32, 32],
      [32, 32],
    ],
  );
  const m = await readManifest(join(dir, "y", "generate"), { index: 0, count: 1 });
  assert.equal((m!.config as { resize?: string }).resize, "bilinear");
  await Deno.remove(dir, { recursive: true });
});
