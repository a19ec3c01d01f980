/**
 * The task launcher (cli/launch.ts): each invocation's permissions scoped to the folders and
 * hosts it names, and `deno task run --runs-dir DIR` writing to a folder outside runs/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchArgs, taskArgs } from "../../cli/launch.ts";
import { envPermission } from "../../lib/env_vars.ts";
import { readManifest } from "../../pipeline/stage_store.ts";
import { fixturePrompts } from "../pipeline/fixtures/stages.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const TASKS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(join(REPO, "deno.json")),
).tasks;
const noEnv = () => undefined;
const noFiles = () => null;
const flag = (args: string[], name: string) => args.find((a) => a.startsWith(`${name}=`)) ?? null;

Deno.test("launchArgs() scopes --allow-write to the run folder the arguments name, else runs", () => {
  const line = ["deno", "run", "--allow-read", "--allow-write={runs_dir}", "cli/capo.ts", "run"];
  const at = (...args: string[]) =>
    flag(launchArgs([...line, ...args], noEnv, noFiles), "--allow-write");
  assert.equal(at(), "--allow-write=runs");
  assert.equal(at("--runs-dir", "/tmp/x"), "--allow-write=/tmp/x");
  assert.equal(at("--runs_dir=/data/runs", "--name", "a"), "--allow-write=/data/runs");
  const config = (p: string) => (p === "c.json" ? '{"runs_dir": "/scratch/r"}' : null);
  assert.equal(
    flag(launchArgs([...line, "--config", "c.json"], noEnv, config), "--allow-write"),
    "--allow-write=/scratch/r",
  );
  // A flag after --config wins, as in capo's own config loading.
  assert.equal(
    flag(
      launchArgs([...line, "--config", "c.json", "--runs-dir", "q"], noEnv, config),
      "--allow-write",
    ),
    "--allow-write=q",
  );
  // capo's own arguments pass through untouched, after the script.
  assert.deepEqual(launchArgs([...line, "--runs-dir", "/tmp/x"], noEnv, noFiles).slice(-3), [
    "run",
    "--runs-dir",
    "/tmp/x",
  ]);
});

Deno.test("launchArgs() expands the env list, the NATS hosts and output folders, dropping empty scopes", () => {
  const args = launchArgs(
    [
      "deno",
      "run",
      "--allow-env={env_vars}",
      "--allow-net={nats}",
      "--allow-write={parent:--out}",
      "cli/capo.ts",
      "export",
      "--run",
      "runs/a",
    ],
    (
      n,
    ) => (n === "CAPO_NATS_URL"
      ? "nats://nats:4222, tls://q.example.org, 10.0.0.7:5222"
      : undefined),
    noFiles,
    (host) => (host === "nats" ? ["10.96.0.12"] : ["192.0.2.1", "2001:db8::1"]),
  );
  assert.equal(flag(args, "--allow-env"), `--allow-env=${envPermission()}`);
  // A name: its lookup (any port) and its addresses on the given port; an address as given.
  assert.equal(
    flag(args, "--allow-net"),
    "--allow-net=nats,10.96.0.12:4222,q.example.org,192.0.2.1:4222,[2001:db8::1]:4222,10.0.0.7:5222",
  );
  assert.equal(flag(args, "--allow-write"), null, "export to stdout writes no file");
  const out = launchArgs(
    [
      "deno",
      "run",
      "--allow-write={parent:--out}",
      "cli/capo.ts",
      "export",
      "--out",
      "/d/p.parquet",
    ],
    noEnv,
    noFiles,
  );
  assert.equal(flag(out, "--allow-write"), "--allow-write=/d");
  const worker = launchArgs(
    [
      "deno",
      "run",
      "--allow-write={env:CAPO_RUNS_DIR=runs}",
      "--allow-net={nats}",
      "cli/capo.ts",
      "worker",
    ],
    (n) => (n === "CAPO_RUNS_DIR" ? "/mnt/runs" : undefined),
    noFiles,
  );
  assert.deepEqual(worker.slice(0, 3), [
    "run",
    "--allow-write=/mnt/runs",
    "--allow-net=127.0.0.1:4222",
  ]);
  const local = launchArgs(
    ["deno", "run", "--allow-net={nats}", "cli/capo.ts", "queue"],
    (n) => (n === "CAPO_NATS_URL" ? "nats://localhost:14222" : undefined),
    noFiles,
  );
  assert.equal(local[1], "--allow-net=localhost,127.0.0.1:14222,[::1]:14222");
  assert.throws(
    () => launchArgs(["deno", "run", "--allow-write={nope}", "x.ts"], noEnv, noFiles),
    /unknown placeholder \{nope\}/,
  );
});

Deno.test("deno task run, evaluate and soup run what the launcher expands, report writes only its run", () => {
  const run = taskArgs(TASKS.run!, ["--runs-dir", "/tmp/elsewhere"], noEnv, noFiles);
  assert.equal(flag(run, "--allow-write"), "--allow-write=/tmp/elsewhere");
  assert.deepEqual(run.slice(-4), ["cli/capo.ts", "run", "--runs-dir", "/tmp/elsewhere"]);
  const evaluate = taskArgs(
    TASKS.evaluate!,
    ["--base", "b", "--tuned", "t", "--out", "o"],
    noEnv,
    noFiles,
  );
  assert.equal(flag(evaluate, "--allow-write"), "--allow-write=o");
  const soup = taskArgs(TASKS.soup!, ["--out", "s", "m1", "m2"], noEnv, noFiles);
  assert.equal(flag(soup, "--allow-write"), "--allow-write=s");
  const report = taskArgs(TASKS.report!, ["runs/exp1", "--no-samples"], noEnv, noFiles);
  assert.equal(flag(report, "--allow-write"), "--allow-write=runs/exp1");
});

Deno.test("deno task run --runs-dir writes to a folder outside runs/, with write permission to it alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capo-runs-dir-test-" });
  try {
    await Deno.writeTextFile(join(dir, "train.txt"), fixturePrompts(12));
    // No base model: the run writes the prompt shards and stops before generating.
    await Deno.writeTextFile(
      join(dir, "c.json"),
      JSON.stringify({
        generate: { model: join(dir, "no-model") },
        train: { model: join(dir, "no-model") },
      }),
    );
    const runsDir = join(dir, "elsewhere");
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "run",
        "--config",
        join(dir, "c.json"),
        "--runs-dir",
        runsDir,
        "--prompts",
        join(dir, "train.txt"),
      ],
      cwd: REPO,
      env: { CAPO_LOG_FORMAT: "text" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 0, err);
    assert.match(err, new RegExp(`--allow-write=\\{runs_dir\\}`), "deno task printed the task");
    const m = await readManifest(join(runsDir, "default", "prompts"), { index: 0, count: 1 });
    assert.deepEqual([m?.rows, m?.complete], [12, true]);
    // A bad flag still exits 2 through the launcher.
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["task", "run", "--runs-dir", runsDir, "--no-such-flag=1"],
      cwd: REPO,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2, new TextDecoder().decode(bad.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
