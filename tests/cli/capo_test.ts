/**
 * The `capo` command line as a user meets it, in subprocesses (a command module may load
 * onnxruntime, which only tests/ort_test.ts may do in-process): `capo --help`, every
 * `capo <command> --help`, exit 2 with the closest valid name for a misspelt command or flag,
 * and the global install printed in README.md.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const CAPO = join(REPO, "cli/capo.ts");

interface Result {
  code: number;
  out: string;
  err: string;
}

async function capo(...args: string[]): Promise<Result> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-ffi", "--allow-sys", CAPO, ...args],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** Runs `fn` over `items`, `limit` at a time (the machine has 2 cores). */
async function pool<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/** The commands `capo --help` lists, each with its one-line summary. */
async function listed(): Promise<Map<string, string>> {
  const r = await capo("--help");
  assert.equal(r.code, 0, r.err);
  const body = r.out.split("commands:\n")[1]!.split("\n\n")[0]!;
  return new Map(
    body.split("\n").map((line) => {
      const m = /^ {2}(\S+) +(\S.*)$/.exec(line);
      assert.ok(m, `not a command line: '${line}'`);
      return [m[1]!, m[2]!];
    }),
  );
}

Deno.test("capo --help lists every command with one line each, and capo alone exits 2", async () => {
  const commands = await listed();
  for (
    const c of ["run", "evaluate", "report", "pretrain", "shapes", "soup", "merge", "queue"]
      .concat(["worker", "export", "import", "reproduce", "train-rewards"])
  ) {
    assert.ok(commands.has(c), `capo --help lists ${c}`);
  }
  const r = await capo("--help");
  for (const line of r.out.split("\n")) assert.ok(line.length <= 100, `too long: ${line}`);
  const bare = await capo();
  assert.equal(bare.code, 2);
  assert.match(bare.err, /^usage: capo <command>/);
});

Deno.test("capo <command> --help prints each command's usage and exits 0", async () => {
  const commands = [...(await listed()).keys()];
  const asked = [
    ...commands.map((c) => [c, "--help"]),
    ["help", "export"],
    ["shapes", "render", "--help"],
    ["queue", "submit", "--help"],
    ["merge", "-h"],
  ];
  const results = await pool(asked, 3, (args) => capo(...args));
  asked.forEach((args, i) => {
    const r = results[i]!;
    const cmd = args[0] === "help" ? args[1] : args[0];
    assert.equal(r.code, 0, `capo ${args.join(" ")}: ${r.err}`);
    assert.match(r.out, new RegExp(`^usage: capo ${cmd}\\b`), `capo ${args.join(" ")}`);
  });
});

Deno.test("a misspelt command or flag exits 2 naming the closest valid one", async () => {
  const cases: [string[], RegExp][] = [
    [["exprot"], /Cannot run 'exprot' as capo has no such command: did you mean export\?/],
    [["--hlep"], /Cannot use '--hlep' as capo has no such flag/],
    [
      ["export", "--run", "r", "--stag", "s"],
      /capo export has no such flag: did you mean --stage\?/,
    ],
    [["import", "--inptu", "x"], /capo import has no such flag: did you mean --input\?/],
    [["merge", "--rn", "x"], /capo merge has no such flag: did you mean --run\?/],
    [["queue", "sbumit"], /capo queue has no such command: did you mean submit\?/],
    [["queue", "submit", "--queue", "q", "--shrads", "2"], /did you mean --shards\?/],
    [["worker", "--queu", "q"], /capo worker has no such flag: did you mean --queue\?/],
    [["shapes", "rendr"], /capo shapes has no such command: did you mean render\?/],
    [
      ["shapes", "render", "--outt", "x.png"],
      /capo shapes render has no such flag: did you mean --out\?/,
    ],
    [["soup", "--ot", "d", "a", "b"], /capo soup has no such flag: did you mean --out\?/],
    [["report", "runs/x", "--seed", "2"], /capo report has no such flag: did you mean --seeds\?/],
    [["evaluate", "--bsae", "a"], /capo evaluate has no such flag: did you mean --base\?/],
    [["reproduce", "--sise", "small"], /capo reproduce has no such flag: did you mean --size\?/],
    [
      ["check-reward", "m.json", "--bse", "d"],
      /capo check-reward has no such flag: did you mean --base\?/,
    ],
    [["pretrain", "--confg", "c.json"], /capo pretrain has no such flag: did you mean --config\?/],
    [
      ["train-rewards", "--stepz", "3"],
      /capo train-rewards has no such flag: did you mean --steps\?/,
    ],
    [["run", "--nmae", "x"], /capo run/], // run's keys and flags: pipeline/config.ts
  ];
  const results = await pool(cases, 3, ([args]) => capo(...args));
  cases.forEach(([args, message], i) => {
    const r = results[i]!;
    assert.equal(r.code, 2, `capo ${args.join(" ")}: ${r.out}${r.err}`);
    assert.match(r.err, message, `capo ${args.join(" ")}`);
  });
});

Deno.test("the README's deno install puts a global capo command with scoped permissions in DENO_INSTALL_ROOT", async () => {
  const readme = await Deno.readTextFile(join(REPO, "README.md"));
  const install = readme.split("\n").find((l) => l.startsWith("deno install --global"));
  assert.ok(install, "README.md prints the install command");
  const root = await Deno.makeTempDir({ prefix: "capo-install-test-" });
  try {
    const env = {
      DENO_INSTALL_ROOT: root,
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH")}`,
    };
    const r = await new Deno.Command("bash", {
      args: ["-c", install],
      cwd: REPO,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const shim = await Deno.readTextFile(join(root, "bin", "capo"));
    assert.doesNotMatch(shim, /--allow-all|\s-A\s|--allow-run/);
    assert.match(shim, /--allow-net=127\.0\.0\.1/);
    const run = (...args: string[]) =>
      new Deno.Command(join(root, "bin", "capo"), {
        args,
        cwd: root, // anywhere: the command carries its config
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const help = await run("--help");
    const dec = new TextDecoder();
    assert.equal(help.code, 0, dec.decode(help.stderr));
    assert.match(dec.decode(help.stdout), /^usage: capo <command>/);
    // A command that loads the npm dependencies through the installed config.
    const exp = await run("export", "--run", join(root, "no-such-run"), "--stage", "select");
    assert.equal(exp.code, 1, dec.decode(exp.stderr));
    assert.match(dec.decode(exp.stderr), /capo export: Cannot read .*no-such-run/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
