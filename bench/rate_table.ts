/**
 * Timing and table rows shared by the model benches: wall seconds per batch (or step), the
 * process CPU seconds over them, and their rates as a Markdown row.
 */
import process from "node:process";

/**
 * One runtime's measurement: wall seconds of each timed batch and the process CPU seconds over
 * all of them (CPU / wall near 1 confirms one core; below 1, the core was shared), or why it
 * has none.
 */
export type Rate = { perBatch: number[]; itemsPerBatch: number; cpuSeconds: number } | {
  skipped: string;
};

/** Wall seconds of each of `n` calls of `fn`, and the process CPU seconds over all of them. */
export async function timeEach(n: number, fn: () => Promise<unknown> | unknown) {
  const perBatch: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    perBatch.push((performance.now() - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  return { perBatch, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export const fmt = (x: number, d = 2) => x.toFixed(d);

export function rateRow(name: string, r: Rate, unit: string): string {
  if ("skipped" in r) return `| ${name} | - | - | - | - | - | not measured: ${r.skipped} |`;
  const items = r.itemsPerBatch * r.perBatch.length;
  const seconds = r.perBatch.reduce((a, b) => a + b, 0);
  const best = r.itemsPerBatch / Math.min(...r.perBatch);
  return `| ${name} | ${items} ${unit} | ${fmt(seconds, 1)} | ${fmt(items / seconds)} | ${
    fmt(best)
  } | ${fmt(items / r.cpuSeconds)} | ${fmt(r.cpuSeconds / seconds)} |`;
}

/** Ratio of seconds per item a / b, by wall time and by CPU time, or "n/a". */
export function perItemRatio(a: Rate, b: Rate): string {
  if ("skipped" in a || "skipped" in b) return "n/a";
  const n = (r: { perBatch: number[]; itemsPerBatch: number }) =>
    r.itemsPerBatch * r.perBatch.length;
  const wall = (r: { perBatch: number[] }) => r.perBatch.reduce((x, y) => x + y, 0);
  return `${fmt((wall(a) / n(a)) / (wall(b) / n(b)))} by wall time, ${
    fmt((a.cpuSeconds / n(a)) / (b.cpuSeconds / n(b)))
  } by CPU time`;
}
