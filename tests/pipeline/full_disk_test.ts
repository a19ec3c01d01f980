/**
 * A full disk is a clean stop (lib/disk_full.ts): on a real, small tmpfs (tests/pipeline/
 * fixtures/tmpfs.ts; ignored with the reason printed where none can be mounted).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isTempName, writeFileAtomic } from "../../lib/atomic_write.ts";
import { DiskFullError } from "../../lib/disk_full.ts";
import { writeFileAtomic as writeWeightsAtomic } from "../../models/safetensors.ts";
import { atomicFile } from "../../pipeline/exchange/write_tables.ts";
import { readParquetFile } from "../../lib/parquet.ts";
import { readManifest } from "../../pipeline/stage_store.ts";
import { FIXTURE_STAGES } from "./fixtures/stages.ts";
import { listDir, tempRun } from "./fixtures/util.ts";
import { mountTmpfs, TMPFS_UNAVAILABLE } from "./fixtures/tmpfs.ts";
import { fixtureRun, sortedRows } from "./scale/fixtures/runs.ts";

const SCRIPT = new URL("./fixtures/run_fixture.ts", import.meta.url).pathname;
const ignore = TMPFS_UNAVAILABLE !== null;

/** Every file under `dir` whose name is an atomic write's temp file. */
async function tempFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await tempFiles(path));
    else if (isTempName(e.name)) out.push(path);
  }
  return out;
}

Deno.test({
  name:
    "every atomic writer (shards, manifests, checkpoints, exports) stops on a full disk naming the file and leaves no temp file",
  ignore,
  async fn() {
    const fs = await mountTmpfs(256);
    try {
      const big = new Uint8Array(512 * 1024).fill(7);
      const writers: [string, (path: string) => Promise<unknown>][] = [
        ["writeFileAtomic (shards, manifests, reports)", (p) => writeFileAtomic(p, big)],
        ["models/safetensors.ts (trainer checkpoints)", (p) => writeWeightsAtomic(p, big)],
        ["atomicFile (capo export --out)", (p) =>
          atomicFile(p, async (sink) => {
            for (let i = 0; i < 8; i++) await sink(big.subarray(0, 64 * 1024));
            return 8;
          })],
      ];
      for (const [what, write] of writers) {
        const path = join(fs.dir, "checkpoint.safetensors");
        await assert.rejects(write(path), (err: Error) => {
          assert.ok(err instanceof DiskFullError, `${what}: ${err}`);
          assert.equal(err.path, path);
          assert.match(
            err.message,
            new RegExp(
              `^No space left on device writing ${path}: every completed shard and ` +
                `checkpoint is intact .* Free space on that disk and run the same command again`,
            ),
          );
          return true;
        });
        assert.deepEqual(await listDir(fs.dir), [], `${what} left a file behind`);
      }
    } finally {
      await fs.unmount();
    }
  },
});

Deno.test({
  name:
    "a run that fills its disk exits 1 naming the file, keeps every completed shard, and once space is freed resumes to the uninterrupted run's rows",
  ignore,
  async fn() {
    const { dir, promptsPath } = await tempRun(300);
    const fs = await mountTmpfs(3 * 1024);
    try {
      // 2.5 MiB of the 3 MiB taken: the run's ~1.6 MiB of shards and manifests cannot fit.
      const filler = join(fs.dir, "filler");
      await Deno.writeFile(filler, new Uint8Array(2560 * 1024));
      const run = async () => {
        const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-read",
            `--allow-write=${fs.dir}`,
            "--allow-env",
            SCRIPT,
            "--runs-dir",
            fs.dir,
            "--prompts",
            promptsPath,
            "--shard-rows",
            "16",
          ],
          env: { CAPO_LOG: "warn", CAPO_LOG_FORMAT: "text" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = (b: Uint8Array) => new TextDecoder().decode(b);
        return { code, out: text(stdout), err: text(stderr) };
      };
      const full = await run();
      assert.equal(full.code, 1, full.out + full.err);
      const said = full.out + full.err;
      assert.match(
        said,
        new RegExp(
          `No space left on device writing ${fs.dir}/default/[a-z]+/[^ :]+: every completed ` +
            `shard and checkpoint is intact \\(.*\\)\\. Free space on that disk and run the same ` +
            `command again: it resumes where it stopped`,
        ),
      );
      const runDir = join(fs.dir, "default");
      assert.deepEqual(await tempFiles(runDir), [], "no temp file left");
      // Every listed shard is whole (its sha256 checks), and some work was kept.
      let kept = 0;
      for (const stage of FIXTURE_STAGES) {
        const m = await readManifest(join(runDir, stage), { index: 0, count: 1 });
        for (const s of m?.shards ?? []) {
          await readParquetFile(join(runDir, stage, s.file), s.sha256);
        }
        kept += m?.shards.length ?? 0;
      }
      assert.ok(kept > 0, "completed shards were kept");

      await Deno.remove(filler);
      const resumed = await run();
      assert.equal(resumed.code, 0, resumed.err);
      assert.match(resumed.out, /reused/);
      await fixtureRun(join(dir, "single"), promptsPath, "--shard-rows", "16");
      for (const stage of FIXTURE_STAGES) {
        assert.deepEqual(
          await sortedRows(runDir, stage),
          await sortedRows(join(dir, "single", "default"), stage),
          stage,
        );
      }
    } finally {
      await fs.unmount();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
