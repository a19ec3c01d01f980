/**
 * `deno task bench`: runs every benchmark in bench/, one after another (never in parallel, so
 * they do not compete for the cores), and prints each one's table.
 *
 * A benchmark is an exported `bench<Name>()` function in a `bench/*_bench.ts` file. It prints
 * its own table and returns nothing, or returns a result that this runner prints (with the
 * module's `format<Name>(result)` if it exports one). The expected benchmarks are listed in
 * EXPECTED; one whose file or export is missing is reported and the others still run.
 *
 *   deno task bench [name ...] [--json]     e.g. `deno task bench parquet`
 *
 * The benches' own flags (--model, ...) are declared in bench/bench_env.ts, so a misspelt one is
 * refused here with the closest name instead of being taken for a bench name.
 *
 * With --json the results print on stdout as one JSON object (the one benchmark's result, or
 * {name: result} for several) and everything else goes to stderr.
 */
import { basename } from "node:path";
import { benchFlags } from "./bench_env.ts";

/** file -> export, for the benchmarks the issues ask for. */
const EXPECTED: Record<string, string> = {
  "parquet_bench.ts": "benchParquet",
  "select_bench.ts": "benchSelect",
  "shapeworld_bench.ts": "benchShapeworld",
  "score_bench.ts": "benchScore",
  "sample_bench.ts": "benchSample",
  "generate_memory_bench.ts": "benchGenerateMemory",
  "train_bench.ts": "benchTrain",
  "train_draws_bench.ts": "benchTrainDraws",
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

async function main(args: string[]): Promise<number> {
  let json: boolean, filter: string[];
  try {
    const { values, positionals } = benchFlags(args);
    [json, filter] = [values.json, positionals];
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  // In JSON mode stdout carries only the final object.
  const say = json ? console.error : console.log;
  const results: Record<string, unknown> = {};
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
      say(`\n== ${name} (bench/${file})`);
      const t0 = performance.now();
      try {
        const result = await (mod[name] as Fn)();
        const format = mod[name.replace(/^bench/, "format")];
        if (json) results[short] = result ?? null;
        else if (result !== undefined && typeof format === "function") {
          console.log((format as Fn)(result));
        } else print(result);
      } catch (err) {
        problems.push(`${name}: failed: ${err instanceof Error ? err.message : err}`);
        say(`  FAILED: ${err instanceof Error ? err.message : err}`);
      }
      say(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  if (json) {
    const keys = Object.keys(results);
    console.log(JSON.stringify(keys.length === 1 ? results[keys[0]!] : results, null, 2));
  }
  if (problems.length) {
    say(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
