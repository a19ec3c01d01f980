/**
 * The NATS JetStream work queue against a real nats-server on loopback (tests/scale/fixtures/
 * nats_server.ts installs it when it can). Workers are real `capo worker` processes running the
 * fixture stage list.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { nkeys } from "@nats-io/transport-node";
import { readManifest } from "../../../pipeline/stage_store.ts";
import { mergeRun } from "../../../pipeline/scale/merge.ts";
import { connectionFromEnv, connectQueue } from "../../../pipeline/scale/nats_connect.ts";
import { queueState, submitShards } from "../../../pipeline/scale/queue.ts";
import { FIXTURE_STAGES } from "../fixtures/stages.ts";
import { tempRun } from "../fixtures/util.ts";
import { SKIP_NATS, startNatsServer } from "./fixtures/nats_server.ts";
import { fixtureRun, sortedRows } from "./fixtures/runs.ts";
import {
  credentials,
  spawnWorker,
  type WorkerEvent,
  type WorkerProcess,
} from "./fixtures/worker_process.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test({
  name: "the work queue refuses workers with a wrong password, a wrong nkey or no credentials",
  ignore: SKIP_NATS,
  async fn() {
    const srv = await startNatsServer();
    const dir = await Deno.makeTempDir({ prefix: "capo-queue-test-" });
    try {
      const wrong = spawnWorker(
        0,
        ["--queue", "q"],
        { ...credentials(srv), CAPO_NATS_PASSWORD: "not-the-password" },
        dir,
        [],
      );
      const r = await wrong.finished;
      assert.equal(r.status.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `Cannot connect to the work queue at ${srv.url} as user 'capo': the server refused ` +
            `the credentials \\(Authorization Violation\\)`,
        ),
      );
      const none = await spawnWorker(0, ["--queue", "q"], { CAPO_NATS_URL: srv.url }, dir, [])
        .finished;
      assert.equal(none.status.code, 1);
      assert.match(none.stderr, /Cannot connect to the work queue without credentials/);
      // An nkey the server knows is accepted; another nkey is refused.
      const nc = await connectQueue(
        connectionFromEnv(envOf({ CAPO_NATS_URL: srv.url, CAPO_NATS_NKEY_SEED: srv.nkeySeed })),
      );
      await assert.rejects(queueState(nc, "q"), /queue 'q' as it does not exist/);
      await nc.close();
      // (A refused connection is tried in a subprocess: the client's socket may report the
      // server's reset after the refusal as an uncaught error.)
      const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
      const other = await spawnWorker(
        0,
        ["--queue", "q"],
        { CAPO_NATS_URL: srv.url, CAPO_NATS_NKEY_SEED: stranger },
        dir,
        [],
      ).finished;
      assert.equal(other.status.code, 1);
      assert.match(
        other.stderr,
        /at nats:\/\/127\.0\.0\.1:\d+ with an nkey: the server refused the credentials/,
      );
    } finally {
      await srv.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Resolves with the first worker seen mid-shard: its shard started and 'generate' has written
 * at least one of the shard's Parquet shards but is not complete. */
async function workerMidShard(
  runDir: string,
  events: WorkerEvent[],
  workers: WorkerProcess[],
): Promise<{ worker: number; shard: string }> {
  const deadline = Date.now() + 30_000;
  let exited = 0;
  for (const w of workers) w.finished.then(() => exited++);
  while (Date.now() < deadline && exited < workers.length) {
    const started = events.filter((e) => e.msg === "shard started");
    for (const s of started) {
      const finished = events.some((e) =>
        e.msg === "shard done" && e.worker === s.worker && e.shard === s.shard
      );
      if (finished) continue;
      const [index, count] = s.shard!.split("/").map(Number);
      const m = await readManifest(join(runDir, "generate"), { index: index!, count: count! })
        .catch(() => null);
      if (m && m.shards.length >= 1 && !m.complete) return { worker: s.worker, shard: s.shard! };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const exits = await Promise.all(workers.map((w) => Promise.race([w.finished, "running"])));
  throw new Error(`no worker was seen mid-shard: ${JSON.stringify(exits)}`);
}

Deno.test({
  name:
    "a worker SIGKILLed mid-shard has its shard redelivered to another worker, and the merged data has every prompt exactly once",
  ignore: SKIP_NATS,
  async fn() {
    const srv = await startNatsServer();
    const { dir, promptsPath } = await tempRun(48);
    const workers: WorkerProcess[] = [];
    const nc = await connectQueue(connectionFromEnv(envOf(credentials(srv))));
    try {
      const runsDir = join(dir, "queue");
      const runDir = join(runsDir, "default");
      await submitShards(nc, {
        queue: "kill",
        count: 6,
        args: ["--runs-dir", runsDir, "--prompts", promptsPath, "--shard-rows", "8"],
        ackWaitMs: 4000,
        maxDeliver: 3,
      });
      const events: WorkerEvent[] = [];
      for (let k = 0; k < 3; k++) {
        workers.push(
          spawnWorker(
            k,
            ["--queue", "kill", "--pull-ms", "1000"],
            {
              ...credentials(srv),
              CAPO_TEST_DELAY_MS: "60",
            },
            dir,
            events,
          ),
        );
      }
      const victim = await workerMidShard(runDir, events, workers);
      workers[victim.worker]!.child.kill("SIGKILL");
      const killed = await workers[victim.worker]!.finished;
      assert.equal(killed.status.signal, "SIGKILL");
      const [index, count] = victim.shard.split("/").map(Number);
      const left = await readManifest(join(runDir, "generate"), { index: index!, count: count! });
      assert.equal(left?.complete, false, "the victim's shard was not finished when killed");

      const survivors = workers.filter((w) => w.id !== victim.worker);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("the surviving workers did not finish in 60 s")), 60_000)
      );
      const outs = await Promise.race([Promise.all(survivors.map((w) => w.finished)), timeout]);
      for (const o of outs) assert.equal(o.status.code, 0, o.stderr.slice(-2000));

      // The killed shard was delivered again, to a survivor, which finished it.
      const redone = events.filter((e) =>
        e.msg === "shard done" && e.shard === victim.shard && e.worker !== victim.worker
      );
      assert.equal(redone.length, 1, JSON.stringify(events.filter((e) => e.shard)));
      assert.ok(redone[0]!.delivery! >= 2, `delivery ${redone[0]!.delivery}`);
      const state = await queueState(nc, "kill");
      assert.equal(state.done, true);
      // Every shard done exactly once; merged data equals an uninterrupted one-worker run.
      const done = events.filter((e) => e.msg === "shard done").map((e) => e.shard).sort();
      assert.deepEqual(done, ["0/6", "1/6", "2/6", "3/6", "4/6", "5/6"]);
      await mergeRun(runDir);
      await fixtureRun(join(dir, "single"), promptsPath);
      for (const stage of FIXTURE_STAGES) {
        const rows = await sortedRows(runDir, stage) as { prompt_id: string }[];
        if (stage === "prompts") {
          const ids = rows.map((r) => r.prompt_id);
          assert.equal(ids.length, 48, "every prompt");
          assert.equal(new Set(ids).size, 48, "no prompt twice");
        }
        assert.deepEqual(rows, await sortedRows(join(dir, "single", "default"), stage), stage);
      }
    } finally {
      for (const w of workers) {
        try {
          w.child.kill("SIGKILL");
        } catch { /* exited */ }
        await w.finished.catch(() => {});
      }
      await nc.close().catch(() => {});
      await srv.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** `capo queue ...` as a subprocess with `env`. */
async function capoQueue(env: Record<string, string>, ...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-net=127.0.0.1",
      new URL("../../../cli/capo.ts", import.meta.url).pathname,
      "queue",
      ...args,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test({
  name:
    "a shard that fails on every delivery is given up after max_deliver, and the worker and capo queue wait exit 1 saying so",
  ignore: SKIP_NATS,
  async fn() {
    const srv = await startNatsServer();
    const { dir, promptsPath } = await tempRun(8);
    try {
      const env = credentials(srv);
      const runsDir = join(dir, "queue");
      const submit = await capoQueue(
        env,
        "submit",
        "--queue",
        "fail",
        "--shards",
        "2",
        "--ack-wait-s",
        "5",
        "--max-deliver",
        "2",
        "--",
        "--runs-dir",
        runsDir,
        "--prompts",
        promptsPath,
      );
      assert.equal(submit.code, 0, submit.err);
      assert.equal(submit.out, "queue fail: 2 shard(s) submitted\n");
      const again = await capoQueue(env, "submit", "--queue", "fail", "--shards", "2");
      assert.equal(again.code, 1);
      assert.match(again.err, /queue 'fail' as it already exists/);
      // The fixture scorer throws on the first prompt, so that prompt's shard always fails.
      const failOn = (await Deno.readTextFile(promptsPath)).split("\n")[0]!;
      const events: WorkerEvent[] = [];
      const w = await spawnWorker(
        0,
        ["--queue", "fail", "--pull-ms", "1000", "--retry-ms", "100"],
        { ...env, CAPO_TEST_FAIL_ON: failOn },
        dir,
        events,
      ).finished;
      assert.equal(w.status.code, 1, w.stderr.slice(-2000));
      assert.match(w.stderr, /1 shard\(s\) of queue 'fail' were given up after 2 deliveries each/);
      const failures = events.filter((e) => e.level === "error" && /failed \(delivery/.test(e.msg));
      assert.equal(failures.length, 2);
      assert.match(failures[0]!.msg, /stage 'score' failed on prompt '[0-9a-f]{16}'/);
      const status = JSON.parse((await capoQueue(env, "status", "--queue", "fail")).out);
      assert.deepEqual([status.left, status.given_up, status.done], [1, 1, false]);
      const wait = await capoQueue(env, "wait", "--queue", "fail", "--timeout-s", "20");
      assert.equal(wait.code, 1);
      assert.match(wait.err, /1 shard\(s\) of queue fail were given up after 2 deliveries each/);
      assert.equal((await capoQueue(env, "delete", "--queue", "fail")).code, 0);
    } finally {
      await srv.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
