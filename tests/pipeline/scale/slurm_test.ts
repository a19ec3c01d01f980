/**
 * deploy/slurm/ on a real single-node Slurm cluster (fixtures/slurm_cluster.ts), submitted as
 * docs/scale_out.md tells a user: `deploy/slurm/submit.sh 3 NAME --config small.json` from the
 * checkout, `deploy/slurm/requeue.sh ARRAY INDEX...` for the tasks that died. The jobs run the
 * real method (`deno task run`: the shipped eps base, the three ONNX rewards, the trainer) on a
 * small config, so this checks the scripts, the Slurm environment capo reads its shard from, the
 * merge dependency and the training job, not stand-ins.
 *
 * Job logs go to the cluster's temp directory through SBATCH_OUTPUT (which overrides the
 * scripts' `#SBATCH --output`), so the checkout gets no capo-*.log files.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { readManifest } from "../../../pipeline/stage_store.ts";
import { SLURM_SKIP, type SlurmCluster, startSlurmCluster } from "./fixtures/slurm_cluster.ts";
import { rawStageRows } from "./fixtures/raw_rows.ts";

const REPO = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const STAGES = ["prompts", "generate", "score", "calibrate", "select"];
const SHARDS = 3;
const PROMPTS = 24;

// Small enough to finish in seconds, slow enough (12 sampling steps, a Parquet shard per prompt)
// that a task can be caught between its first and last generate shard.
const CONFIG = {
  prompts: { limit: PROMPTS },
  shard_rows: 4,
  generate: { n: 4, steps: 12, batch: 8 },
  train: { batch_pairs: 4, epochs: 1 },
  // (cache: false keeps the evaluation's score cache out of the checkout's runs/eval-cache)
  evaluate: { max_prompts: 2, seeds_per_prompt: 1, steps: 2, resamples: 50, cache: false },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    }
    await sleep(20);
  }
}

/** The job's state once it has ended (COMPLETED, FAILED, CANCELLED, ...), else null. */
async function ended(slurm: SlurmCluster, id: string): Promise<Record<string, string> | null> {
  const j = await slurm.job(id);
  if (j === null) throw new Error(`Slurm does not know job ${id}`);
  return /^(PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|SUSPENDED)/.test(j.JobState ?? "")
    ? null
    : j;
}

/** Worker i's generate manifest says it has written a shard and is not complete. */
async function midRun(runDir: string, index: number): Promise<boolean> {
  const m = await readManifest(join(runDir, "generate"), { index, count: SHARDS }).catch(() =>
    null
  );
  return m !== null && m.shards.length >= 1 && !m.complete;
}

/** The pid of task `job`'s `deno run ... cli/capo.ts run` process (not its `deno task`). */
async function capoPid(slurm: SlurmCluster, job: string): Promise<number> {
  // listpids takes the task's own job id, not ARRAY_INDEX
  const r = await slurm.run("scontrol", ["listpids", (await slurm.job(job))!.JobId!]);
  const pids = r.out.split("\n").slice(1).map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean);
  // (Deno reads /proc/<pid>/ only with --allow-all, so ps tells the command lines.)
  const ps = await slurm.run("ps", ["-o", "pid=,args=", "-p", pids.join(",")]);
  // (deno task run may start capo through cli/launch.ts, whose command line names capo.ts too)
  const line = ps.out.split("\n").find((l) =>
    / run .*cli\/capo\.ts run /.test(l) && !l.includes("cli/launch.ts")
  );
  if (!line) throw new Error(`no capo run process in job ${job}: ${r.out}${r.err}\n${ps.out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

Deno.test({
  name:
    "a Slurm array from deploy/slurm/submit.sh with one task scancel'ed and one SIGKILLed mid-run, requeued with deploy/slurm/requeue.sh, merges and trains on exactly a one-process run's rows",
  ignore: SLURM_SKIP !== null,
  async fn() {
    const slurm = await startSlurmCluster();
    const name = `slurm-test-${crypto.randomUUID().slice(0, 8)}`;
    const runDir = join(REPO, "runs", name);
    const single = `${name}-single`;
    const configPath = join(slurm.dir, "small.json");
    await Deno.writeTextFile(configPath, JSON.stringify(CONFIG));
    // As a user's shell on a login node: deno on PATH, submitting from the checkout.
    const env = {
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH")}`,
      SBATCH_OUTPUT: join(slurm.dir, "%x-%j.log"),
    };
    const sh = (args: string[]) => slurm.run("bash", args, { cwd: REPO, env });
    const jobLog = async (id: string) => {
      const jobId = (await slurm.job(id))?.JobId ?? id;
      return await Deno.readTextFile(join(slurm.dir, `capo-shards-${jobId}.log`)).catch(() => "");
    };
    let reference: Promise<Deno.CommandOutput> | null = null;
    try {
      // 1. The array, its merge and the training job, exactly as docs/scale_out.md prints them.
      const submitted = await sh([
        "deploy/slurm/submit.sh",
        `${SHARDS}`,
        name,
        "--config",
        configPath,
      ]);
      assert.equal(submitted.code, 0, submitted.err);
      const ids = /^array job (\d+) \(3 shards\), merge job (\d+), train job (\d+)$/m.exec(
        submitted.out,
      );
      assert.ok(ids, submitted.out);
      const [, array, merge, train] = ids;

      // 2. Two tasks caught mid-run (a generate shard written, the stage not complete): one
      // cancelled as `scancel --signal=KILL` does it (Slurm sends SIGTERM, then SIGKILL after
      // KillWait), one SIGKILLed outright like a crashed node, with no chance to clean up.
      const victims: number[] = [];
      await until("two tasks mid-run", 60_000, async () => {
        for (let i = 0; i < SHARDS && victims.length < 2; i++) {
          if (victims.includes(i) || !(await midRun(runDir, i))) continue;
          if (victims.length === 0) {
            const r = await slurm.run("scancel", ["--signal=KILL", `${array}_${i}`]);
            assert.equal(r.code, 0, r.err);
          } else {
            Deno.kill(await capoPid(slurm, `${array}_${i}`), "SIGKILL");
          }
          victims.push(i);
        }
        if (victims.length === 2) return true;
        const all = await Promise.all([0, 1, 2].map((i) => ended(slurm, `${array}_${i}`)));
        if (all.every((j) => j !== null)) {
          throw new Error(`the array ended before two tasks were caught mid-run: ${victims}`);
        }
        return null;
      });
      const [cancelled, killed] = victims as [number, number];
      const states = await Promise.all(
        [0, 1, 2].map((i) =>
          until(`task ${i} to end`, 60_000, () => ended(slurm, `${array}_${i}`))
        ),
      );
      assert.equal(states[cancelled]!.JobState, "CANCELLED");
      assert.equal(states[killed]!.JobState, "FAILED");
      for (const i of victims) {
        const m = await readManifest(join(runDir, "generate"), { index: i, count: SHARDS });
        assert.equal(m?.complete, false, `task ${i} was stopped mid-run`);
      }
      assert.match(
        await jobLog(`${array}_${cancelled}`),
        /cancelled by SIGTERM: completed shards kept/,
      );
      // Slurm now holds the merge for good: an afterok on an array fails with its first task.
      await until("the merge to be held for good", 10_000, async () => {
        const held = (await slurm.job(merge!))!;
        return held.Reason === "DependencyNeverSatisfied" ? held : null;
      });

      // 3. The one-process run to compare with, while Slurm works.
      reference = new Deno.Command(Deno.execPath(), {
        args: ["task", "run", "--name", single, "--config", configPath],
        cwd: REPO,
        stdout: "piped",
        stderr: "piped",
      }).output();

      // 4. Rerun both tasks in their array, which re-arms the merge.
      const requeued = await sh(["deploy/slurm/requeue.sh", array!, ...victims.map(String)]);
      assert.equal(requeued.code, 0, requeued.err);
      assert.match(
        requeued.out,
        new RegExp(`job ${merge} now waits for ${array}_\\d:${array}_\\d`),
      );
      const trained = await until("the train job to end", 150_000, () => ended(slurm, train!));
      // On failure: the merge's and the training's own logs, then the daemons'.
      const report = async () => {
        const tail = async (f: string) =>
          (await Deno.readTextFile(join(slurm.dir, f)).catch(() => "(none)")).split("\n")
            .slice(-12).join("\n");
        return `\n--- merge\n${await tail(`capo-merge-${merge}.log`)}\n--- train\n${await tail(
          `capo-train-${train}.log`,
        )}\n${await slurm.logs()}`;
      };
      assert.equal(trained.JobState, "COMPLETED", await report());
      for (const i of [0, 1, 2]) {
        assert.equal((await slurm.job(`${array}_${i}`))!.JobState, "COMPLETED");
      }
      assert.equal((await slurm.job(merge!))!.JobState, "COMPLETED");
      // The victims resumed: they reused the generate shards written before they were stopped.
      for (const i of victims) {
        assert.match(
          await jobLog(`${array}_${i}`),
          /generate 8 groups in \d+ shards \[\d+ computed, [1-9]\d* reused\]/,
        );
      }

      // 5. Every merged stage holds exactly the one-process run's rows; the tuned model exists.
      const ref = await reference;
      reference = null;
      assert.equal(ref.code, 0, new TextDecoder().decode(ref.stderr));
      const singleDir = join(REPO, "runs", single);
      for (const stage of STAGES) {
        const merged = await rawStageRows(runDir, stage);
        const one = await rawStageRows(singleDir, stage);
        assert.equal(merged.rows.length, one.rows.length, stage);
        assert.equal(new Set(merged.keys).size, merged.keys.length, `${stage}: a row twice`);
        assert.deepEqual(merged.rows, one.rows, stage);
        const m = (await readManifest(join(runDir, stage), { index: 0, count: 1 }))!;
        assert.equal(m.groups, PROMPTS, stage);
        assert.ok(m.shards.some((s) => s.file.startsWith("part-w2of3-")), stage);
      }
      for (const f of ["model.safetensors", "model.onnx", "summary.json"]) {
        assert.ok((await Deno.stat(join(runDir, "train", f))).size > 0, f);
      }
      assert.ok((await Deno.stat(join(runDir, "report.md"))).isFile);
    } finally {
      await reference?.catch(() => {});
      await slurm.stop();
      for (const d of [name, single]) {
        await Deno.remove(join(REPO, "runs", d), { recursive: true }).catch(() => {});
      }
    }
  },
});
