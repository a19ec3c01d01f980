/**
 * Generator peak memory (issue #4, point 6): the generate stage as the pipeline builds it
 * (stages/generate/spec.ts: the run's generate defaults, batch 64 with guidance 4, so 128 rows
 * per onnxruntime call) over `prompts` x N 16 images, against the 2 GB limit.
 *
 * It runs in a child process so the peak is the generator's own, not the bench runner's. Peak
 * resident set, three readings: VmHWM from /proc/self/status (Deno reads /proc only under
 * --allow-all), the child's maximum RSS as /usr/bin/time reports it (the same kernel
 * high-water mark, from wait4), and the largest Deno.memoryUsage().rss sampled every 100 ms;
 * the peak reported is the largest.
 *
 *   deno task bench generate_memory [--model <dir>]
 *   deno run -A bench/generate_memory_bench.ts [--model <dir>] [--prompts 64] [--n 16]
 */
import { defaultsOf } from "../lib/config_table.ts";
import { GENERATE } from "../stages/generate/options.ts";

const GENERATE_DEFAULTS = defaultsOf(GENERATE);
import type { Group } from "../schemas/group.ts";
import type { Prompt } from "../schemas/prompt.ts";
import { loadPrompts } from "../shapeworld/mod.ts";
import { benchFlags, conditions, intFlag, modelDirFromArgs, modelFile } from "./bench_env.ts";

/** The generator's memory budget: 2 GB, taken as 2 GiB. */
export const LIMIT_BYTES = 2 * 1024 ** 3;
const MiB = 1024 ** 2;
const TIME = "/usr/bin/time";
const TIME_TAG = "capo-maxrss-kb=";

export interface GenerateMemoryOptions {
  /** @default {"data/models/base-eps", or --model} */
  model?: string;
  /** Prompts generated. @default {64, or --prompts} */
  prompts?: number;
  /** Samples per prompt. @default {16: generate.n, or --n} */
  n?: number;
}

/** What the child measures of itself. */
interface ChildResult {
  images: number;
  seconds: number;
  /** RSS after the stage is built, before the first batch. */
  rssBefore: number;
  rssSampledPeak: number;
  /** VmHWM in bytes, null when /proc is not readable. */
  vmHwm: number | null;
}

export interface GenerateMemoryResult extends ChildResult {
  model: string;
  prompts: number;
  n: number;
  batch: number;
  conditions: string;
  /** Max RSS of the child by /usr/bin/time, null when not run. */
  timeMaxRss: number | null;
  /** The largest reading, and where it came from. */
  peak: number;
  peakSource: string;
  /** "child process" or "in-process" (no --allow-run: the runner's earlier peaks count too). */
  where: string;
}

async function readVmHwm(): Promise<number | null> {
  try {
    const m = (await Deno.readTextFile("/proc/self/status")).match(/^VmHWM:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Run the generate stage over `prompts` train prompts in this process. */
async function measure(model: string, prompts: number, n: number): Promise<ChildResult> {
  // Imported here so the parent process never loads onnxruntime.
  const { generateSpec } = await import("../stages/generate/spec.ts");
  const spec = await generateSpec({ ...GENERATE_DEFAULTS, model, n });
  const texts = loadPrompts("train");
  if (texts.length < prompts) {
    throw new RangeError(
      `Cannot generate for ${prompts} prompts as the train set has ${texts.length}`,
    );
  }
  const groups: Group<Prompt>[] = texts.slice(0, prompts).map((prompt, i) => {
    const row = { prompt_id: `p${i}`, prompt, split: "train", source_index: i };
    return { prompt_id: row.prompt_id, prompt, rows: [row] };
  });
  const stage = spec.create({
    runDir: "",
    stageDir: "",
    worker: { index: 0, count: 1 },
    signal: new AbortController().signal,
  });
  const rssBefore = Deno.memoryUsage().rss;
  let rssSampledPeak = rssBefore;
  const timer = setInterval(() => {
    rssSampledPeak = Math.max(rssSampledPeak, Deno.memoryUsage().rss);
  }, 100);
  const t0 = performance.now();
  let images = 0;
  try {
    for await (const g of ReadableStream.from(groups).pipeThrough(stage)) images += g.rows.length;
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  rssSampledPeak = Math.max(rssSampledPeak, Deno.memoryUsage().rss);
  return { images, seconds, rssBefore, rssSampledPeak, vmHwm: await readVmHwm() };
}

/** The child: this file with --child, under /usr/bin/time when there is one. */
async function measureInChild(model: string, prompts: number, n: number) {
  const self = new URL(import.meta.url).pathname;
  // --allow-all because Deno reads /proc/self/status (VmHWM) only under it; the parent's
  // --allow-run already lets it start any program, so this grants nothing new.
  const deno = [
    Deno.execPath(),
    "run",
    "--allow-all",
    self,
    "--child",
    "--model",
    model,
    "--prompts",
    String(prompts),
    "--n",
    String(n),
  ];
  let hasTime = false;
  try {
    hasTime = (await Deno.stat(TIME)).isFile;
  } catch { /* no GNU time: VmHWM or sampled RSS only */ }
  const [cmd, ...args] = hasTime ? [TIME, "-f", `${TIME_TAG}%M`, ...deno] : deno;
  const out = await new Deno.Command(cmd!, { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  const stderr = dec.decode(out.stderr);
  if (out.code !== 0) {
    throw new Error(
      `Cannot measure the generator as its process failed (exit ${out.code}): ${
        stderr.trim().split("\n").slice(-3).join(" | ")
      }`,
    );
  }
  const lines = dec.decode(out.stdout).trim().split("\n");
  const child = JSON.parse(lines[lines.length - 1]!) as ChildResult;
  const kb = stderr.match(new RegExp(`${TIME_TAG}(\\d+)`));
  return { child, timeMaxRss: kb ? Number(kb[1]) * 1024 : null };
}

export async function benchGenerateMemory(
  opts: GenerateMemoryOptions = {},
): Promise<GenerateMemoryResult> {
  const o = {
    model: modelDirFromArgs(Deno.args),
    prompts: intFlag(Deno.args, "prompts", 64),
    n: intFlag(Deno.args, "n", GENERATE_DEFAULTS.n),
    ...opts,
  };
  await modelFile(o.model, "measure the generator's memory");
  const cond = await conditions();
  const canRun = Deno.permissions.querySync({ name: "run" }).state === "granted";
  let child: ChildResult, timeMaxRss: number | null = null;
  if (canRun) ({ child, timeMaxRss } = await measureInChild(o.model, o.prompts, o.n));
  else child = await measure(o.model, o.prompts, o.n);
  // The kernel's counters lag the live RSS by a few per-thread cached pages, so a sample can
  // top them by a MiB: report the largest reading, naming its source.
  const readings: [number | null, string][] = [
    [child.vmHwm, "VmHWM (/proc/self/status)"],
    [timeMaxRss, "max RSS by /usr/bin/time (kernel high-water mark)"],
    [child.rssSampledPeak, "largest Deno.memoryUsage().rss sampled every 100 ms"],
  ];
  const [peak, peakSource] = readings.filter((r): r is [number, string] => r[0] !== null)
    .reduce((a, b) => (b[0] > a[0] ? b : a));
  return {
    ...child,
    model: o.model,
    prompts: o.prompts,
    n: o.n,
    batch: GENERATE_DEFAULTS.batch,
    conditions: cond,
    timeMaxRss,
    peak,
    peakSource,
    where: canRun ? "child process" : "in-process (no --allow-run: includes the runner's peaks)",
  };
}

export function formatGenerateMemory(r: GenerateMemoryResult): string {
  const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
  return [
    `## Generator peak memory: ${r.model}, ${r.prompts} prompts x N ${r.n} = ${r.images} ` +
    `images, batch ${r.batch}, ${GENERATE_DEFAULTS.steps} steps, guidance ` +
    `${GENERATE_DEFAULTS.guidance} (stages/generate/spec.ts, ${r.where})`,
    "",
    `Measured ${r.conditions}.`,
    "",
    "| measure | value |",
    "|---|---:|",
    `| peak RSS (largest reading: ${r.peakSource}) | ${mib(r.peak)} |`,
    `| VmHWM (/proc/self/status) | ${r.vmHwm === null ? "unreadable" : mib(r.vmHwm)} |`,
    `| max RSS by /usr/bin/time | ${r.timeMaxRss === null ? "not run" : mib(r.timeMaxRss)} |`,
    `| largest RSS sampled every 100 ms | ${mib(r.rssSampledPeak)} |`,
    `| RSS before the first batch (model loaded) | ${mib(r.rssBefore)} |`,
    `| limit 2 GB (2 GiB) | ${mib(LIMIT_BYTES)} |`,
    `| peak / limit | ${((100 * r.peak) / LIMIT_BYTES).toFixed(1)} % (${
      r.peak <= LIMIT_BYTES ? "within" : "OVER"
    } the limit) |`,
    `| generation time | ${r.seconds.toFixed(1)} s (${
      (r.images / r.seconds).toFixed(2)
    } images/s, ` +
    `ORT default threads) |`,
  ].join("\n");
}

if (import.meta.main) {
  if (benchFlags(Deno.args).values.child) {
    const model = modelDirFromArgs(Deno.args);
    const r = await measure(
      model,
      intFlag(Deno.args, "prompts", 64),
      intFlag(Deno.args, "n", 16),
    );
    console.log(JSON.stringify(r));
  } else console.log(formatGenerateMemory(await benchGenerateMemory()));
}
