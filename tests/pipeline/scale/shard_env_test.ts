import assert from "node:assert/strict";
import { join } from "node:path";
import { shardFromEnv, withShardFromEnv } from "../../../pipeline/scale/shard_env.ts";
import { listDir, tempRun } from "../fixtures/util.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("shardFromEnv() reads a Slurm array task as its position in the array, whatever the first id and step", () => {
  assert.deepEqual(
    shardFromEnv(env({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "8" }))?.shard,
    { index: 3, count: 8 },
  );
  assert.deepEqual(
    shardFromEnv(
      env({ SLURM_ARRAY_TASK_ID: "8", SLURM_ARRAY_TASK_COUNT: "8", SLURM_ARRAY_TASK_MIN: "1" }),
    )?.shard,
    { index: 7, count: 8 },
  );
  assert.deepEqual(
    shardFromEnv(env({
      SLURM_ARRAY_TASK_ID: "14",
      SLURM_ARRAY_TASK_COUNT: "8",
      SLURM_ARRAY_TASK_MIN: "0",
      SLURM_ARRAY_TASK_STEP: "2",
    }))?.shard,
    { index: 7, count: 8 },
  );
});

Deno.test("shardFromEnv() reads a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with CAPO_SHARD_COUNT", () => {
  const got = shardFromEnv(env({ JOB_COMPLETION_INDEX: "0", CAPO_SHARD_COUNT: "4" }));
  assert.deepEqual(got?.shard, { index: 0, count: 4 });
  assert.equal(got?.source, "JOB_COMPLETION_INDEX=0 of CAPO_SHARD_COUNT=4");
  assert.throws(
    () => shardFromEnv(env({ JOB_COMPLETION_INDEX: "2" })),
    /JOB_COMPLETION_INDEX=2 is set but CAPO_SHARD_COUNT is not: set it to the Job's spec\.completions/,
  );
});

Deno.test("shardFromEnv() prefers CAPO_SHARD, returns null without any variable, and names a bad value", () => {
  assert.deepEqual(
    shardFromEnv(env({ CAPO_SHARD: "1/2", SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "4" }))
      ?.shard,
    { index: 1, count: 2 },
  );
  assert.equal(shardFromEnv(env({})), null);
  assert.throws(
    () => shardFromEnv(env({ SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_COUNT: "4" })),
    /the index must be below the count: current value is 4\/4/,
  );
  assert.throws(
    () => shardFromEnv(env({ SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_COUNT: "4" })),
    /SLURM_ARRAY_TASK_ID must be an integer >= 0: current value is 'x'/,
  );
  assert.throws(
    () => shardFromEnv(env({ SLURM_ARRAY_TASK_ID: "1" })),
    /SLURM_ARRAY_TASK_COUNT must be an integer >= 1: current value is unset/,
  );
  assert.throws(
    () =>
      shardFromEnv(
        env({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4", SLURM_ARRAY_TASK_STEP: "2" }),
      ),
    /SLURM_ARRAY_TASK_ID=3 is not in the array 0, 2, \.\.\./,
  );
});

Deno.test("withShardFromEnv() adds --shard from the environment only when the arguments have none", () => {
  const e = env({ JOB_COMPLETION_INDEX: "1", CAPO_SHARD_COUNT: "3" });
  assert.deepEqual(withShardFromEnv(["--name", "x"], e).args, ["--shard", "1/3", "--name", "x"]);
  assert.deepEqual(withShardFromEnv(["--shard", "0/2"], e), {
    args: ["--shard", "0/2"],
    from: null,
  });
  assert.deepEqual(withShardFromEnv(["--shard=0/2"], e).args, ["--shard=0/2"]);
});

Deno.test("capo run in a Slurm array task runs the task's shard and writes that worker's manifest", async () => {
  const { dir, promptsPath } = await tempRun(20);
  // No base model: the run stops before generating, whether or not data/models/ has one.
  const config = join(dir, "no-model.json");
  await Deno.writeTextFile(config, JSON.stringify({ generate: { model: join(dir, "none") } }));
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${dir}`,
      "--allow-env",
      new URL("../../../cli/capo.ts", import.meta.url).pathname,
      "run",
      "--runs-dir",
      dir,
      "--prompts",
      promptsPath,
      "--config",
      config,
    ],
    env: {
      SLURM_ARRAY_TASK_ID: "2",
      SLURM_ARRAY_TASK_MIN: "1",
      SLURM_ARRAY_TASK_COUNT: "3",
      CAPO_LOG_FORMAT: "text",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  assert.match(err, /work shard 1\/3 from SLURM_ARRAY_TASK_ID=2 of SLURM_ARRAY_TASK_COUNT=3/);
  const files = await listDir(join(dir, "default", "prompts"));
  assert.ok(files.includes("manifest.w1of3.json"), files.join(", "));
  assert.ok(files.every((f) => !f.startsWith("part-") || f.startsWith("part-w1of3-")));
  await Deno.remove(dir, { recursive: true });
});
