/**
 * The deploy/ files: shell syntax, the Slurm scripts' hand-off to capo, the Kubernetes shard
 * count, and the NATS server config (checked by nats-server itself).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { natsServerBinary, SKIP_NATS } from "./fixtures/nats_server.ts";

const DEPLOY = new URL("../../../deploy/", import.meta.url).pathname;
const SCRIPTS = ["slurm/capo_shards.sbatch", "slurm/capo_merge.sbatch", "slurm/submit.sh"];

async function bash(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("the Slurm scripts are valid bash and hand their arguments to deno task run / merge in CAPO_DIR", async () => {
  for (const s of SCRIPTS) {
    const r = await bash(["-n", join(DEPLOY, s)]);
    assert.equal(r.code, 0, `${s}: ${r.err}`);
  }
  // A stand-in `deno` on PATH records what the array task would run.
  const dir = await Deno.makeTempDir({ prefix: "capo-deploy-test-" });
  await Deno.writeTextFile(join(dir, "deno"), '#!/usr/bin/env bash\necho "$PWD|$*"\n');
  await Deno.chmod(join(dir, "deno"), 0o755);
  const env = { PATH: `${dir}:${Deno.env.get("PATH")}`, CAPO_DIR: dir };
  const shards = await bash([join(DEPLOY, "slurm/capo_shards.sbatch"), "--name", "exp1"], env);
  assert.equal(shards.out, `${dir}|task run --name exp1\n`, shards.err);
  const merge = await bash([join(DEPLOY, "slurm/capo_merge.sbatch"), "--run", "runs/exp1"], env);
  assert.equal(merge.out, `${dir}|task merge --run runs/exp1\n`, merge.err);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the Kubernetes Indexed Job's CAPO_SHARD_COUNT equals its completions", async () => {
  const text = await Deno.readTextFile(join(DEPLOY, "k8s/capo-shards.yaml"));
  assert.match(text, /^\s+completionMode: Indexed$/m);
  const completions = /^\s+completions: (\d+)/m.exec(text)?.[1];
  const count = /name: CAPO_SHARD_COUNT\s+value: "(\d+)"/.exec(text)?.[1];
  assert.ok(completions !== undefined && count !== undefined, "both are set");
  assert.equal(count, completions);
  assert.match(text, /command: \["deno", "task", "run"/);
  const merge = await Deno.readTextFile(join(DEPLOY, "k8s/capo-merge.yaml"));
  assert.match(merge, /command: \["deno", "task", "merge", "--run", "runs\/exp1"\]/);
});

Deno.test({
  name:
    "the NATS server config is valid and refuses to load without the password in the environment",
  ignore: SKIP_NATS,
  async fn() {
    const bin = await natsServerBinary();
    const conf = join(DEPLOY, "nats/nats-server.conf");
    const check = (env: Record<string, string>) =>
      new Deno.Command(bin, {
        args: ["-c", conf, "-t"],
        env,
        clearEnv: true,
        stderr: "piped",
        stdout: "piped",
      })
        .output();
    const ok = await check({ CAPO_NATS_PASSWORD: "s3cret" });
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    const missing = await check({});
    assert.notEqual(missing.code, 0);
    assert.match(new TextDecoder().decode(missing.stderr), /CAPO_NATS_PASSWORD/);
  },
});
