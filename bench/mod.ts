/**
 * `deno task bench`: runs every benchmark in bench/, one after another (never in parallel, so
 * they do not compete for the cores), and prints each one's table.
 *
 * A benchmark is an exported `bench<Name>()` function in a `bench/*_bench.ts` file. It prints
 * its own table and returns nothing, or returns a result that this runner prints (with the
 * module's `format<Name>(result)` if it exports one). The expected benchmarks are listed in
 * EXPECTED; one whose file or export is missing is reported and the others still run.
 *
 *   deno task bench [name ...]     e.g. `deno task bench parquet`
 */
import { basename } from "node:path";

/** file -> export, for the benchmarks the issues ask for. */
const EXPECTED: Record<string, string> = {
  "parquet_bench.ts": "benchParquet",
  "select_bench.ts": "benchSelect",
  "shapeworld_bench.ts": "benchShapeworld",
  "score_bench.ts": "benchScore",
  "sample_bench.ts": "benchSample",
  "generate_memory_bench.ts": "benchGenerateMemory",
};

type Fn = (...args: unknown[]) => unknown;

function print(value: unknown, indent = "  "): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null) {
    console.log(`${indent}${String(value)}`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "number") {
      console.log(`${indent}${k}: ${Number.isInteger(v) ? v : v.toPrecision(4)}`);
    } else if (typeof v === "object" && v !== null) {
      console.log(`${indent}${k}:`);
      print(v, indent + "  ");
    } else {
      console.log(`${indent}${k}: ${String(v)}`);
    }
  }
}

async function benchFiles(): Promise<string[]> {
  const dir = new URL(".", import.meta.url);
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith("_bench.ts")) found.push(e.name);
  }
  return [...new Set([...Object.keys(EXPECTED), ...found])].sort();
}

async function main(filter: string[]): Promise<number> {
  const problems: string[] = [];
  for (const file of await benchFiles()) {
    const short = basename(file, "_bench.ts");
    if (filter.length && !filter.includes(short)) continue;
    let mod: Record<string, unknown>;
    try {
      mod = await import(new URL(`./${file}`, import.meta.url).href);
    } catch (err) {
      const missing = err instanceof TypeError && /Module not found/.test(err.message);
      problems.push(
        `bench/${file}: ${missing ? "missing (not written yet)" : `cannot load: ${err}`}`,
      );
      continue;
    }
    const names = Object.keys(mod).filter((k) =>
      /^bench[A-Z]/.test(k) && typeof mod[k] === "function"
    );
    const want = EXPECTED[file];
    if (want && !names.includes(want)) problems.push(`bench/${file}: no export ${want}()`);
    for (const name of names) {
      console.log(`\n== ${name} (bench/${file})`);
      const t0 = performance.now();
      try {
        const result = await (mod[name] as Fn)();
        const format = mod[name.replace(/^bench/, "format")];
        if (result !== undefined && typeof format === "function") {
          console.log((format as Fn)(result));
        } else print(result);
      } catch (err) {
        problems.push(`${name}: failed: ${err instanceof Error ? err.message : err}`);
        console.log(`  FAILED: ${err instanceof Error ? err.message : err}`);
      }
      console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  if (problems.length) {
    console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
