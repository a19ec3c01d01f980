/**
 * Least privilege in deno.json: no task grants an unscoped ffi, env, net, sys or write
 * permission unless the short, commented allow-list below says why; scoped ones name only what
 * capo uses (the pinned onnxruntime-node's binaries, lib/env_vars.ts, the launcher's
 * placeholders). Deno treats --allow-ffi as full system access, so one unscoped ffi would make
 * every scoped write meaningless.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ENV_VARS } from "../lib/env_vars.ts";

const REPO = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
const TASKS: Record<string, string> = config.tasks;

/** Unscoped grants that are meant, by task and script. Keep it short; say why. */
const UNSCOPED: Record<string, Record<string, string>> = {
  // The suite loads every native addon (ONNX Runtime, DuckDB, polars), sets and reads
  // its own fixture variables, and starts subprocesses that get scoped flags of their own.
  "test:tests/": { ffi: "all native addons", env: "fixture variables", sys: "uid, hostname, cpus" },
  // The worker's and queue's launcher looks up the NATS host names of CAPO_NATS_URL, so that
  // capo's --allow-net names their addresses (Deno checks the name and then the address); it
  // opens no connection and imports no package.
  "worker:cli/launch.ts": { net: "DNS lookups" },
  "queue:cli/launch.ts": { net: "DNS lookups" },
};

/** Scoped entries allowed per permission (placeholders are cli/launch.ts's). */
const ORT = `node_modules/.deno/onnxruntime-node@${
  /onnxruntime-node@([\d.]+)/.exec(config.imports["onnxruntime-node"])![1]
}/node_modules/onnxruntime-node/bin`;
const SCOPES: Record<string, (entry: string) => boolean> = {
  // onnxruntime-node's binding, of the version deno.json pins: the one native library capo loads.
  ffi: (e) => e === ORT,
  env: (e) => e === "{env_vars}" || e in ENV_VARS,
  // The configured NATS hosts; the suite's own servers listen on loopback.
  net: (e) => e === "{nats}" || e === "127.0.0.1",
  // Folders the invocation names (placeholders), runs/, the shipped data a command rebuilds, and
  // docs/search, where `capo sweep` appends each finished point to its committed record.
  write: (e) =>
    /^\{(runs_dir|positional|(flag|parent):--[a-z-]+(=[\w/.-]+)?|env:CAPO_RUNS_DIR=runs)\}$/.test(
      e,
    ) ||
    ["runs", "data/prompts", "/tmp", "docs/search"].includes(e),
  // Deno.hostname (run locks, worker names), os.cpus / loadavg / getPriority (bench, cards).
  sys: (e) => ["hostname", "cpus", "loadavg", "getPriority"].includes(e),
};

const DENO_PATH = "$(deno eval 'console.log(Deno.execPath())')";

/** Every `deno run`/`deno test` invocation in a task line, with its --allow-* flags. */
function invocations(line: string): { flags: Map<string, string | null>; script: string }[] {
  // The launcher may start only the deno that runs the task (its path, substituted by deno task).
  const words = line.replaceAll(DENO_PATH, "<deno>").split(/\s+/);
  const out: { flags: Map<string, string | null>; script: string }[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== "deno" || !["run", "test"].includes(words[i + 1] ?? "")) continue;
    const flags = new Map<string, string | null>();
    let j = i + 2;
    for (; j < words.length && words[j]!.startsWith("--"); j++) {
      const m = /^--allow-([a-z]+)(?:=(.*))?$/.exec(words[j]!);
      if (m) flags.set(m[1]!, m[2] ?? null);
    }
    out.push({ flags, script: words[j] ?? "" });
  }
  return out;
}

Deno.test("no task grants an unscoped ffi, env, net, sys or write permission off the allow-list", () => {
  const problems: string[] = [];
  for (const [task, line] of Object.entries(TASKS)) {
    for (const { flags, script } of invocations(line)) {
      for (const perm of ["ffi", "env", "net", "sys", "write"]) {
        if (!flags.has(perm)) continue;
        const value = flags.get(perm)!;
        if (value === null) {
          if (!UNSCOPED[`${task}:${script}`]?.[perm]) {
            problems.push(`${task} (${script}): unscoped --allow-${perm}`);
          }
          continue;
        }
        for (const entry of value.split(",")) {
          if (!SCOPES[perm]!(entry)) {
            problems.push(`${task} (${script}): --allow-${perm} entry '${entry}'`);
          }
        }
      }
      if (flags.has("all")) problems.push(`${task}: --allow-all`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("every capo command with a task runs through the launcher, and evaluate and soup have tasks", () => {
  for (
    const name of [
      "run",
      "worker",
      "queue",
      "merge",
      "export",
      "import",
      "report",
      "evaluate",
      "soup",
    ]
  ) {
    const line = TASKS[name];
    assert.ok(line, `deno.json has a task '${name}'`);
    const [launcher, capo] = invocations(line);
    assert.equal(launcher?.script, "cli/launch.ts", name);
    // The launcher may only read, read two variables and start deno itself (and look up the
    // NATS hosts for the worker and the queue).
    assert.deepEqual(
      [...launcher!.flags.keys()].sort(),
      ["worker", "queue"].includes(name) ? ["env", "net", "read", "run"] : ["env", "read", "run"],
      `${name}: the launcher's own permissions`,
    );
    assert.equal(launcher!.flags.get("env"), "CAPO_NATS_URL,CAPO_RUNS_DIR");
    assert.equal(launcher!.flags.get("run"), "<deno>", name);
    assert.equal(capo?.script, "cli/capo.ts", name);
    assert.equal(capo!.flags.get("env"), "{env_vars}", `${name}: --allow-env=lib/env_vars.ts`);
  }
  assert.match(TASKS.worker!, /--allow-net=\{nats\}/);
  assert.match(TASKS.queue!, /--allow-net=\{nats\}/);
  assert.doesNotMatch(TASKS.worker! + TASKS.queue!, /--allow-net=127/, "not loopback only");
});

Deno.test("lib/env_vars.ts lists every environment variable the source reads", async () => {
  const read = new Set<string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(path);
        for (
          const m of text.matchAll(
            /(?:(?:Deno\.env\.get|\benv|envGet)\(|integer\(env,)\s*"([A-Z][A-Z0-9_]+)"/g,
          )
        ) {
          read.add(m[1]!);
        }
      }
    }
  };
  for (
    const dir of ["lib", "schemas", "shapeworld", "models", "stages", "pipeline", "cli", "bench"]
  ) {
    await walk(join(REPO, dir));
  }
  assert.ok(read.has("CAPO_LOG") && read.has("CAPO_NATS_URL"), [...read].join(", "));
  assert.deepEqual([...read].filter((v) => !(v in ENV_VARS)).sort(), []);
});
