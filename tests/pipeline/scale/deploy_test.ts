/**
 * The deploy/ files: shell syntax, the Slurm scripts' hand-off to capo, the Kubernetes shard
 * count, and the NATS server config (checked by nats-server itself).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { natsServerBinary, SKIP_NATS } from "./fixtures/nats_server.ts";

const DEPLOY = new URL("../../../deploy/", import.meta.url).pathname;
const SCRIPTS = [
  "slurm/capo_shards.sbatch",
  "slurm/capo_merge.sbatch",
  "slurm/capo_train.sbatch",
  "slurm/submit.sh",
  "slurm/requeue.sh",
];

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

Deno.test("the Slurm scripts are valid bash and hand their arguments to deno task run / merge / run in CAPO_DIR", async () => {
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
  const train = await bash([join(DEPLOY, "slurm/capo_train.sbatch"), "--name", "exp1"], env);
  assert.equal(train.out, `${dir}|task run --name exp1\n`, train.err);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("submit.sh submits the array, the merge after it and the training after the merge, and refuses a bad shard count", async () => {
  // A stand-in `sbatch` records its arguments and answers job ids 11, 12, 13 (--parsable).
  const dir = await Deno.makeTempDir({ prefix: "capo-deploy-test-" });
  await Deno.writeTextFile(
    join(dir, "sbatch"),
    `#!/usr/bin/env bash\nn=$(( $(wc -l < "${dir}/calls" 2>/dev/null || echo 0) + 11 ))\n` +
      `echo "$*" >> "${dir}/calls"\necho "$n;cluster"\n`,
  );
  await Deno.chmod(join(dir, "sbatch"), 0o755);
  const env = { PATH: `${dir}:${Deno.env.get("PATH")}` };
  const r = await bash([join(DEPLOY, "slurm/submit.sh"), "3", "exp1", "--prompts", "p.txt"], env);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "array job 11 (3 shards), merge job 12, train job 13\n");
  const here = join(DEPLOY, "slurm");
  assert.deepEqual((await Deno.readTextFile(join(dir, "calls"))).trim().split("\n"), [
    `--parsable --array=0-2 ${here}/capo_shards.sbatch --name exp1 --prompts p.txt`,
    `--parsable --dependency=afterok:11 ${here}/capo_merge.sbatch --run runs/exp1`,
    `--parsable --dependency=afterok:12 ${here}/capo_train.sbatch --name exp1 --prompts p.txt`,
  ]);
  const bad = await bash([join(DEPLOY, "slurm/submit.sh"), "0", "exp1"], env);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /usage: .*submit\.sh SHARDS NAME/);
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
