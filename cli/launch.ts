/**
 * The task launcher: runs `deno run <flags> <script> <args>` (cli/capo.ts, bench/mod.ts) with
 * permissions scoped to what this invocation names, which a static `deno.json` cannot know: the
 * run folder of `--runs-dir /tmp/x`, the `--out` of an export, the hosts of CAPO_NATS_URL.
 *
 *     deno run --allow-read --allow-env=... --allow-run=<deno> cli/launch.ts \
 *       deno run --allow-write={runs_dir} --allow-net={nats} ... cli/capo.ts run [user args]
 *
 * Placeholders in the flags (an entry whose value is empty is dropped, and a flag left empty):
 *
 * | placeholder       | value                                                                  |
 * | ----------------- | ---------------------------------------------------------------------- |
 * | `{runs_dir}`      | `--runs-dir`/`--runs_dir`, else `runs_dir` of `--config`, else `runs`  |
 * | `{env_vars}`      | every variable capo reads (lib/env_vars.ts)                            |
 * | `{flag:--x=dflt}` | the value of `--x` in the args, else dflt (`=dflt` may be left out)    |
 * | `{parent:--x}`    | the folder holding the file `--x` names (atomic writes go beside it)   |
 * | `{positional}`    | the first argument after the command that is not a flag               |
 * | `{env:NAME=dflt}` | the variable NAME, else dflt                                           |
 * | `{nats}`          | the servers of CAPO_NATS_URL (default 127.0.0.1:4222): an address as   |
 * |                   | `ip:port`; a host name as the name and its looked-up addresses         |
 *
 * The launcher forwards SIGINT and SIGTERM to capo and exits with its status (128 + signal
 * when a signal ended it), so `deno task run` behaves as `cli/capo.ts run` itself would.
 */
import { lookup } from "node:dns/promises";
import { dirname } from "node:path";
import { envPermission } from "../lib/env_vars.ts";
import { DEFAULT_NATS_URL, natsServers, netPermission } from "../pipeline/scale/nats_servers.ts";

type Env = (name: string) => string | undefined;
type ReadText = (path: string) => string | null;
type AddressesOf = (host: string) => readonly string[];

const natsUrl = (env: Env) => env("CAPO_NATS_URL") || DEFAULT_NATS_URL;

/** The value of `--name` / `--name=v` in `args` (the last one wins, as in capo's parsers). */
function flagValue(args: readonly string[], ...names: string[]): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n && args[i + 1] !== undefined) value = args[i + 1]!;
      else if (args[i]!.startsWith(`${n}=`)) value = args[i]!.slice(n.length + 1);
    }
  }
  return value;
}

function runsDir(args: readonly string[], readText: ReadText): string {
  const flag = flagValue(args, "--runs-dir", "--runs_dir");
  if (flag !== null) return flag;
  const config = flagValue(args, "--config");
  if (config !== null) {
    try {
      const v = (JSON.parse(readText(config) ?? "{}") as { runs_dir?: unknown }).runs_dir;
      if (typeof v === "string" && v !== "") return v;
    } catch { /* capo reports a bad config file itself */ }
  }
  return "runs";
}

/** One placeholder's value ("" when the invocation names none). */
function expand(
  name: string,
  args: readonly string[],
  env: Env,
  readText: ReadText,
  addressesOf: AddressesOf,
): string {
  if (name === "runs_dir") return runsDir(args, readText);
  if (name === "env_vars") return envPermission();
  if (name === "positional") return args.slice(1).find((a) => !a.startsWith("-")) ?? "";
  if (name === "nats") {
    return netPermission(natsServers(natsUrl(env)), addressesOf).join(",");
  }
  const [kind, rest = ""] = name.split(/:(.*)/s) as [string, string?];
  const [key, fallback = ""] = rest.split(/=(.*)/s) as [string, string?];
  if (kind === "flag") return flagValue(args, key) ?? fallback;
  if (kind === "parent") {
    const v = flagValue(args, key);
    return v === null || v === "-" ? fallback : dirname(v);
  }
  if (kind === "env") return env(key) || fallback;
  throw new TypeError(`Cannot launch as deno.json names an unknown placeholder {${name}}`);
}

/**
 * `argv` (`deno run <flags> <script> <args>`) with the placeholders of its flags expanded
 * against the args after the script; returns the arguments of the deno executable.
 */
export function launchArgs(
  argv: readonly string[],
  env: Env,
  readText: ReadText,
  addressesOf: AddressesOf = () => [],
): string[] {
  if (argv[0] !== "deno") {
    throw new TypeError(`Cannot launch '${argv[0] ?? ""}': cli/launch.ts runs 'deno run ...'`);
  }
  // The script is the first argument after `deno run` that is not a flag (flags are --x=y).
  const at = argv.findIndex((a, i) => i > 1 && !a.startsWith("-"));
  if (argv[1] !== "run" || at < 0) {
    throw new TypeError("Cannot launch as the command is not 'deno run <flags> <script>'");
  }
  const capoArgs = argv.slice(at + 1);
  const flags = argv.slice(1, at).flatMap((flag) => {
    if (!flag.includes("{")) return [flag];
    const eq = flag.indexOf("=");
    const values = flag.slice(eq + 1).split(",").flatMap((entry) =>
      entry.replace(
        /\{([^}]+)\}/g,
        (_, n: string) => expand(n, capoArgs, env, readText, addressesOf),
      )
        .split(",")
    ).filter((v) => v !== "");
    return values.length === 0 ? [] : [`${flag.slice(0, eq)}=${[...new Set(values)].join(",")}`];
  });
  return [...flags, ...argv.slice(at)];
}

/**
 * The `deno` arguments a deno.json task line runs for `userArgs` (what `deno task NAME ...userArgs`
 * ends up running): the part after `cli/launch.ts`, expanded; a line without the launcher as is.
 */
export function taskArgs(
  line: string,
  userArgs: readonly string[],
  env: Env,
  readText: ReadText,
): string[] {
  const words = line.trim().split(/\s+/);
  const at = words.indexOf("cli/launch.ts");
  if (at < 0) return [...words.slice(1), ...userArgs];
  return launchArgs([...words.slice(at + 1), ...userArgs], env, readText);
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** The addresses of the NATS host names (the worker and queue tasks' launcher may look them up). */
async function lookUpNats(env: Env): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const s of natsServers(natsUrl(env))) {
    if (out.has(s.host) || /^[\d.]+$|:/.test(s.host) || s.host === "localhost") continue;
    try {
      const found = await lookup(s.host, { all: true });
      out.set(s.host, found.map((a) => a.address));
    } catch (err) {
      throw new Error(
        `Cannot look up the NATS server ${s.host} (CAPO_NATS_URL): ${(err as Error).message}`,
      );
    }
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  let args: string[];
  try {
    const env: Env = (n) => Deno.env.get(n);
    const addresses = argv.some((a) => a.includes("{nats}")) ? await lookUpNats(env) : new Map();
    args = launchArgs(argv, env, (p) => {
      try {
        return Deno.readTextFileSync(p);
      } catch {
        return null;
      }
    }, (host) => addresses.get(host) ?? []);
  } catch (err) {
    console.error(`capo: ${err instanceof Error ? err.message : err}`);
    return 2;
  }
  const child = new Deno.Command(Deno.execPath(), { args, stdin: "inherit" }).spawn();
  // A Ctrl-C reaches capo from the terminal too; SIGTERM (Kubernetes, Slurm) only reaches us.
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(sig, () => {
      try {
        child.kill(sig);
      } catch { /* already gone */ }
    });
  }
  const status = await child.status;
  return status.signal !== null ? 128 + (SIGNALS[status.signal] ?? 0) : status.code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
