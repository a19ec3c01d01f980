/**
 * Runs bench/torch_dit.py on Debian's /usr/bin/python3 with python3-torch (not a pyenv or
 * venv python on PATH: the bench pins the packaged torch so its numbers are reproducible),
 * installing the Debian packages with apt-get when they are missing.
 *
 * Every failure is returned as a reason string, never thrown: a machine without torch still
 * gets the ORT and tfjs columns, with the torch column reported as not measured and why.
 */
import { logger } from "../lib/log.ts";

const log = logger("bench");

export const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./torch_dit.py", import.meta.url).pathname;
/** Debian packages: torch itself, and the threaded OpenBLAS it links against. */
const PACKAGES = ["python3-torch", "libopenblas0-pthread"];

/** A successful run's parsed reply, or why there is none. */
export type TorchReply = { ok: true; value: Record<string, unknown> } | {
  ok: false;
  reason: string;
};

async function run(cmd: string, args: string[], stdin?: string, threads = 1) {
  const n = String(threads);
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    // torch.set_num_threads does not reach the pthread OpenBLAS Debian's torch calls.
    env: {
      DEBIAN_FRONTEND: "noninteractive",
      OMP_NUM_THREADS: n,
      OPENBLAS_NUM_THREADS: n,
      MKL_NUM_THREADS: n,
    },
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function lastLines(s: string, n = 3): string {
  return s.trim().split("\n").slice(-n).join(" | ");
}

async function packageInstalled(name: string): Promise<boolean> {
  const r = await run("dpkg-query", ["-W", "-f=${Status}", name]);
  return r.code === 0 && r.stdout.includes("install ok installed");
}

/**
 * Make `/usr/bin/python3 -c "import torch"` work: install the missing Debian packages
 * (`apt-get install -y`, after an `apt-get update` if the first try fails). Returns null when
 * torch imports, else the reason it cannot.
 */
export async function ensureTorch(): Promise<string | null> {
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
    return "needs --allow-run (to run apt-get and /usr/bin/python3)";
  }
  try {
    const missing: string[] = [];
    for (const p of PACKAGES) if (!(await packageInstalled(p))) missing.push(p);
    if (missing.length > 0) {
      log.info("installing Debian packages for the torch column", { packages: missing });
      let r = await run("apt-get", ["install", "-y", ...missing]);
      if (r.code !== 0) {
        await run("apt-get", ["update"]);
        r = await run("apt-get", ["install", "-y", ...missing]);
      }
      if (r.code !== 0) {
        return `apt-get install -y ${missing.join(" ")} failed (exit ${r.code}): ${
          lastLines(r.stderr || r.stdout)
        }`;
      }
    }
    const r = await run(PYTHON, ["-c", "import torch, numpy"]);
    if (r.code !== 0) return `${PYTHON} cannot import torch: ${lastLines(r.stderr)}`;
    return null;
  } catch (err) {
    return `cannot run ${PYTHON} or apt-get: ${err instanceof Error ? err.message : err}`;
  }
}

/** Send one request to bench/torch_dit.py and parse its JSON reply. */
export async function torchRequest(req: Record<string, unknown>): Promise<TorchReply> {
  try {
    const threads = typeof req.threads === "number" ? req.threads : 1;
    const r = await run(PYTHON, [SCRIPT], JSON.stringify(req), threads);
    if (r.code !== 0) {
      return { ok: false, reason: `torch_dit.py ${req.mode} failed: ${lastLines(r.stderr)}` };
    }
    return { ok: true, value: JSON.parse(r.stdout) as Record<string, unknown> };
  } catch (err) {
    return { ok: false, reason: `torch_dit.py ${req.mode}: ${(err as Error).message}` };
  }
}

/** Little-endian bytes of a typed array as base64 (the reply/request encoding of torch_dit.py). */
export function toBase64(a: Float32Array | Int32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

export function fromBase64F32(s: string): Float32Array {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
