/**
 * The readers a data person uses, on every stage's shards and every export format of one run
 * (fixtures/images.ts: real PNG images, the fixture scorer, the real calibrator and FRS):
 *
 *   - nodejs-polars (pinned in deno.json): row counts, column types and column sums, all against
 *     the Arrow tables capo wrote;
 *   - pandas from Debian's python3-pandas (/usr/bin/python3, installed with apt-get when missing
 *     and root): the JSONL exports; Parquet only where pandas has an engine (pyarrow or
 *     fastparquet, neither packaged in Debian 12), else that test is ignored with the reason;
 *   - the one-liners of README.md and docs/exchange.md, run exactly as printed in a scratch
 *     checkout (this one's folders, linked) holding the run as `runs/exp1`.
 *
 * DuckDB's reading of the same files is in export_test.ts and ../scale/merge_test.ts.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { dirname, join } from "node:path";
import * as arrow from "apache-arrow";
import pl from "nodejs-polars";
import { DuckDBInstance } from "@duckdb/node-api";
import { type ExportOptions, exportStage } from "../../../pipeline/exchange/export_stage.ts";
import { readParquetFile } from "../../../lib/parquet.ts";
import { readManifest } from "../../../pipeline/stage_store.ts";
import { aptRequirement } from "../fixtures/apt.ts";
import { tempDir } from "../fixtures/util.ts";
import { importedRunWithPairs } from "./fixtures/images.ts";

const REPO = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const STAGES = ["prompts", "generate", "score", "calibrate", "select"];
const PYTHON = "/usr/bin/python3"; // Debian's, which python3-pandas installs into

const PANDAS_SKIP = await aptRequirement(["python3-pandas"], [[PYTHON, ["-c", "import pandas"]]]);
const PARQUET_ENGINE_SKIP = PANDAS_SKIP ?? await (async () => {
  const r = await new Deno.Command(PYTHON, {
    args: ["-c", "import pandas as pd; pd.io.parquet.get_engine('auto')"],
    stdout: "null",
    stderr: "null",
  }).output();
  return r.success ? null : "pandas has no Parquet engine: neither pyarrow nor fastparquet is " +
    "installed (Debian 12 packages neither, and these machines reach no PyPI)";
})();
for (const [what, why] of [["pandas", PANDAS_SKIP], ["pandas Parquet", PARQUET_ENGINE_SKIP]]) {
  if (why !== null) console.warn(`\n!!! the ${what} reader test is IGNORED: ${why} !!!\n`);
}

/** One run with pairs, its stages' Arrow tables, and every export, shared by this file. */
interface Fixture {
  dir: string;
  runDir: string;
  /** Stage -> all its rows as one Arrow table (capo's own reader). */
  tables: Map<string, arrow.Table>;
  exports: Export[];
}

interface Export {
  stage: string;
  format: "arrow" | "parquet" | "jsonl";
  layout: "rows" | "diffusers";
  images: "base64" | "omit";
  path: string;
  /** What the export holds: the stage's rows, or the diffusers columns of the pairs. */
  expected: arrow.Table;
}

let shared: Promise<Fixture> | null = null;
function fixture(): Promise<Fixture> {
  shared ??= (async () => {
    const dir = await tempDir();
    const { runDir } = await importedRunWithPairs(dir, 8, 4);
    const tables = new Map<string, arrow.Table>();
    for (const stage of STAGES) {
      const m = (await readManifest(join(runDir, stage), { index: 0, count: 1 }))!;
      const parts = [];
      for (const s of m.shards) parts.push(await readParquetFile(join(runDir, stage, s.file)));
      tables.set(stage, new arrow.Table(parts.flatMap((t) => t.batches)));
    }
    const exports: Export[] = [];
    const add = async (o: Omit<Export, "path" | "expected">, expected: arrow.Table) => {
      const path = join(dir, "exports", `${o.stage}-${o.layout}-${o.images}.${o.format}`);
      const opts: ExportOptions = {
        runDir,
        stage: o.stage,
        format: o.format,
        layout: o.layout,
        images: o.images,
      };
      await exportStage(opts, path);
      exports.push({ ...o, path, expected });
    };
    for (const stage of STAGES) {
      for (const format of ["arrow", "parquet", "jsonl"] as const) {
        await add({ stage, format, layout: "rows", images: "base64" }, tables.get(stage)!);
      }
      if (stage === "generate") {
        await add({ stage, format: "jsonl", layout: "rows", images: "omit" }, tables.get(stage)!);
      }
    }
    // The diffusers layout's columns, as its Parquet export holds them (their values are
    // checked against the Pair and Sample stages in export_test.ts).
    const dpo = join(dir, "exports", "dpo.parquet");
    await exportStage({ runDir, stage: "select", format: "parquet", layout: "diffusers" }, dpo);
    const columns = await readParquetFile(dpo);
    for (const format of ["arrow", "parquet", "jsonl"] as const) {
      await add({ stage: "select", format, layout: "diffusers", images: "base64" }, columns);
    }
    return { dir, runDir, tables, exports };
  })();
  return shared;
}

// ---- what a column should be, per reader ------------------------------------------------

type Kind = "string" | "int" | "float" | "bool" | "binary" | "image";

function kindOf(t: arrow.DataType): Kind {
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return "string";
  if (arrow.DataType.isInt(t)) return "int";
  if (arrow.DataType.isFloat(t)) return "float";
  if (arrow.DataType.isBool(t)) return "bool";
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t)) return "binary";
  if (arrow.DataType.isStruct(t) && t.children.some((c) => c.name === "bytes")) return "image";
  throw new Error(`no reader expectation for Arrow type ${t}`);
}

/** Columns an export holds: JSONL with `--images omit` leaves the binary and image ones out. */
function columnsOf(e: Export): arrow.Field[] {
  return e.expected.schema.fields.filter((f) =>
    !(e.images === "omit" && ["binary", "image"].includes(kindOf(f.type)))
  );
}

/** The sum of a numeric column as capo wrote it (non-finite values, null in JSON, left out). */
function arrowSum(table: arrow.Table, name: string): number {
  let sum = 0;
  for (const v of table.getChild(name)!.toArray() as Iterable<number | bigint | null>) {
    if (v !== null && Number.isFinite(Number(v))) sum += Number(v);
  }
  return sum;
}

function close(a: number, b: number, what: string) {
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

// ---- polars ---------------------------------------------------------------------------

/**
 * polars' dtype of a column. nodejs-polars 0.25.2 cannot hand a Binary dtype to JavaScript
 * ("DataType Binary is not supported for JS conversion"), so for those the dtype is read from
 * polars' own printout of the column.
 */
function polarsType(df: pl.DataFrame, name: string): string {
  try {
    return String(df.getColumn(name).dtype).replace(/^DataType\((.*)\)$/, "$1");
  } catch {
    const printed = df.select(name).head(1).toString();
    const t = /\n│ (binary|struct\[\d+\]) +│/.exec(printed)?.[1];
    if (t === undefined) throw new Error(`polars prints no dtype for ${name}: ${printed}`);
    return t;
  }
}

const POLARS: Record<Kind, RegExp> = {
  string: /^String$/,
  int: /^Int(32|64)$/,
  float: /^Float(32|64)$/,
  bool: /^Bool$/,
  binary: /^binary$/,
  image: /^struct\[2\]$/,
};
// JSON carries no types: every integer is read as Int64, a float column whose values are all
// whole too, and binary becomes base64 text.
const POLARS_JSONL: Record<Kind, RegExp> = {
  string: /^String$/,
  int: /^Int64$/,
  float: /^(Float64|Int64)$/,
  bool: /^Bool$/,
  binary: /^String$/,
  image: /^Struct\(Field\("bytes", DataType\(String\)\),Field\("path", DataType\(String\)\)\)$/,
};

/** Checks a polars frame against what capo wrote: rows, columns, dtypes, sums. */
function checkPolars(
  df: pl.DataFrame,
  expected: arrow.Table,
  fields: arrow.Field[],
  jsonl: boolean,
  what: string,
) {
  assert.equal(df.height, expected.numRows, `${what}: rows`);
  assert.deepEqual(df.columns, fields.map((f) => f.name), `${what}: columns`);
  for (const f of fields) {
    const kind = kindOf(f.type);
    const want = (jsonl ? POLARS_JSONL : POLARS)[kind];
    const got = polarsType(df, f.name);
    assert.match(got, want, `${what}: column ${f.name} (${f.type})`);
    // Arrow keeps the exact width: Int32 stays Int32, Float32 Float32.
    if (!jsonl && (kind === "int" || kind === "float")) assert.equal(got, String(f.type), what);
    if (kind === "int" || kind === "float") {
      close(
        Number(df.getColumn(f.name).sum()),
        arrowSum(expected, f.name),
        `${what}: sum(${f.name})`,
      );
    }
  }
  if (fields.some((f) => f.name === "prompt_id")) {
    const groups = new Set(expected.getChild("prompt_id")!.toArray() as string[]).size;
    assert.equal(df.getColumn("prompt_id").nUnique(), groups, `${what}: distinct prompts`);
  }
}

Deno.test("nodejs-polars reads every stage's shards with capo's row counts, column types and sums", async () => {
  const { runDir, tables } = await fixture();
  for (const stage of STAGES) {
    // The glob a data person would write; the shards hold one schema, so polars scans them as one.
    const df = await pl.scanParquet(join(runDir, stage, "*.parquet")).collect();
    const t = tables.get(stage)!;
    checkPolars(df, t, t.schema.fields, false, `polars on ${stage}/*.parquet`);
  }
  // Aggregates on the image bytes stay inside polars: every Sample image is a distinct PNG.
  const samples = await pl.scanParquet(join(runDir, "generate", "*.parquet")).collect();
  const bytes = samples.select(pl.col("image").struct.field("bytes").alias("b"));
  assert.equal(bytes.getColumn("b").nUnique(), samples.height);
  assert.match(bytes.head(1).toString(), /b"\\x89PNG\\x0d\\x0a\\x1a\\x0a/);
});

Deno.test("nodejs-polars reads every export format (Arrow stream, Parquet, JSONL) of every stage and the diffusers layout", async () => {
  const { exports } = await fixture();
  for (const e of exports) {
    const what = `polars on ${e.path.split("/").pop()}`;
    const bytes = Buffer.from(await Deno.readFile(e.path));
    // readIPCStream takes a path only when it ends in .ipc (else it parses the string itself as
    // the data), and readJSON(path, {format: "lines"}) fails in 0.25.2: both get the bytes.
    const df = e.format === "arrow"
      ? pl.readIPCStream(bytes)
      : e.format === "parquet"
      ? pl.readParquet(e.path)
      : pl.readJSON(bytes, { format: "lines" });
    checkPolars(df, e.expected, columnsOf(e), e.format === "jsonl", what);
  }
  // The Arrow and Parquet exports keep their Hugging Face features and the images' PNG bytes.
  const dpo = pl.readParquet(
    exports.find((e) => e.layout === "diffusers" && e.format === "parquet")!.path,
  );
  assert.equal(dpo.getColumn("label_0").sum(), dpo.height);
  assert.equal(dpo.select(pl.col("jpg_0").isNotNull().sum()).row(0)[0], dpo.height);
});

// ---- pandas ---------------------------------------------------------------------------

/** Reads each file with pandas; prints, per file: rows, columns, dtypes, numeric sums. */
const PANDAS_SCRIPT = `
import base64, json, sys
import pandas as pd
out = []
for path, fmt in json.loads(sys.argv[1]):
    df = pd.read_json(path, lines=True) if fmt == "jsonl" else pd.read_parquet(path)
    sums = {c: float(df[c].sum()) for c in df.columns if df[c].dtype.kind in "iuf"}
    png = None
    if "image" in df.columns:
        png = all(base64.b64decode(v["bytes"])[:8] == b"\\x89PNG\\r\\n\\x1a\\n" for v in df["image"])
    out.append({"rows": len(df), "columns": list(df.columns),
                "dtypes": {c: str(t) for c, t in df.dtypes.items()}, "sums": sums, "png": png})
print(json.dumps(out))
`;

interface PandasFrame {
  rows: number;
  columns: string[];
  dtypes: Record<string, string>;
  sums: Record<string, number>;
  png: boolean | null;
}

async function pandas(files: [string, string][]): Promise<PandasFrame[]> {
  const r = await new Deno.Command(PYTHON, {
    args: ["-c", PANDAS_SCRIPT, JSON.stringify(files)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

const PANDAS_DTYPE: Record<Kind, RegExp> = {
  string: /^object$/,
  int: /^int64$/,
  float: /^(float64|int64)$/, // JSON: a float column of whole values reads as int64
  bool: /^bool$/,
  binary: /^object$/,
  image: /^object$/,
};

function checkPandas(got: PandasFrame, e: Export) {
  const what = `pandas on ${e.path.split("/").pop()}`;
  const fields = columnsOf(e);
  assert.equal(got.rows, e.expected.numRows, `${what}: rows`);
  assert.deepEqual(got.columns, fields.map((f) => f.name), `${what}: columns`);
  for (const f of fields) {
    const kind = kindOf(f.type);
    assert.match(got.dtypes[f.name]!, PANDAS_DTYPE[kind], `${what}: ${f.name} (${f.type})`);
    if (kind === "int" || kind === "float") {
      close(got.sums[f.name]!, arrowSum(e.expected, f.name), `${what}: sum(${f.name})`);
    }
  }
  if (fields.some((f) => kindOf(f.type) === "image")) assert.equal(got.png, true, `${what}: PNG`);
}

/** pandas reads every export in `format` with capo's rows, dtypes and sums (checkPandas). */
async function pandasReadsExports(format: "jsonl" | "parquet"): Promise<void> {
  const { exports } = await fixture();
  const files = exports.filter((e) => e.format === format);
  const frames = await pandas(files.map((e) => [e.path, format]));
  files.forEach((e, i) => checkPandas(frames[i]!, e));
}

Deno.test({
  name: "pandas (Debian python3-pandas) reads every JSONL export with capo's rows, dtypes and sums",
  ignore: PANDAS_SKIP !== null,
  async fn() {
    await pandasReadsExports("jsonl");
  },
});

Deno.test({
  name: "pandas reads the Parquet exports where it has a Parquet engine",
  ignore: PARQUET_ENGINE_SKIP !== null,
  async fn() {
    await pandasReadsExports("parquet");
  },
});

// ---- the one-liners, as printed --------------------------------------------------------

/** A checkout in a temp folder: this one's entries linked, its own deno.json and runs/. */
async function scratchCheckout(runDir: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "capo-checkout-test-" });
  // (ln, as Deno.symlink needs unscoped write permission, which the test task does not grant)
  const links = [];
  for await (const e of Deno.readDir(REPO)) {
    if (![".git", "runs", "deno.json", "deno.lock"].includes(e.name)) {
      links.push(join(REPO, e.name));
    }
  }
  const ln = await new Deno.Command("ln", { args: ["-s", ...links, dir], stderr: "piped" })
    .output();
  assert.equal(ln.code, 0, new TextDecoder().decode(ln.stderr));
  // Copied, not linked: Deno runs a task in its config file's real folder.
  for (const f of ["deno.json", "deno.lock"]) await Deno.copyFile(join(REPO, f), join(dir, f));
  await Deno.mkdir(join(dir, "runs"));
  const copy = async (from: string, to: string) => {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) {
      if (e.isDirectory) await copy(join(from, e.name), join(to, e.name));
      else if (e.isFile) await Deno.copyFile(join(from, e.name), join(to, e.name));
    }
  };
  await copy(runDir, join(dir, "runs", "exp1"));
  return dir;
}

/** The lines of the first ```sh block after `heading`, continuation lines joined. */
async function shLines(file: string, heading: string): Promise<string[]> {
  const text = await Deno.readTextFile(join(REPO, file));
  const after = text.slice(text.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(after)?.[1];
  assert.ok(block !== undefined, `${file}: no sh block after '${heading}'`);
  return block.replace(/\\\n\s*/g, "").split("\n").filter((l) => l.trim() !== "");
}

interface Printed {
  line: string;
  code: number;
  out: string;
  err: string;
}

/** Runs each printed line in `cwd`: shell lines with bash, `duckdb -c "SQL"` through DuckDB's
 * Node API (no duckdb CLI here); comment lines are skipped, a line after a comment saying
 * "not run here" is skipped too. */
async function runPrinted(lines: string[], cwd: string): Promise<Printed[]> {
  const env = { PATH: `/usr/bin:${dirname(Deno.execPath())}:${Deno.env.get("PATH")}` };
  const out: Printed[] = [];
  let skipNext = false;
  for (const line of lines) {
    if (line.startsWith("#")) {
      skipNext = /not run here/.test(line);
      continue;
    }
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const sql = /^duckdb -c "(.*)"$/.exec(line)?.[1];
    if (sql !== undefined) {
      const db = await DuckDBInstance.create(":memory:");
      const con = await db.connect();
      await con.run(`SET file_search_path = '${cwd}'`);
      const rows = (await con.runAndReadAll(sql)).getRowObjectsJson();
      con.closeSync();
      out.push({ line, code: 0, out: JSON.stringify(rows), err: "" });
      continue;
    }
    const r = await new Deno.Command("bash", {
      args: ["-c", line],
      cwd,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    out.push({ line, code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) });
  }
  return out;
}

Deno.test({
  name: "the one-liners of README.md and docs/exchange.md run as printed, on a run named exp1",
  ignore: PANDAS_SKIP !== null,
  async fn() {
    const { tables, runDir } = await fixture();
    const co = await scratchCheckout(runDir);
    try {
      const pairs = tables.get("select")!;
      const mean = (Math.round(arrowSum(pairs, "delta") / pairs.numRows * 1000) / 1000).toString();
      const readme = await shLines("README.md", "One-line analyses");
      const exchange = [
        ...(await shLines("docs/exchange.md", "## One-line analysis")),
        ...(await shLines("docs/exchange.md", "## `capo export`")),
      ];
      for (const lines of [readme, exchange]) {
        assert.ok(lines.some((l) => l.includes("pyarrow")), "the pyarrow line is printed");
        const ran = await runPrinted(lines, co);
        assert.ok(ran.length >= 4, ran.map((r) => r.line).join("\n"));
        for (const r of ran) {
          assert.equal(r.code, 0, `${r.line}\n${r.err}`);
          if (r.line.startsWith("duckdb")) {
            assert.deepEqual(JSON.parse(r.out), [
              { method: "frs", pairs: String(pairs.numRows), mean_delta: Number(mean) },
            ]);
          } else if (r.line.startsWith("deno eval")) {
            assert.match(r.out, /│ frs +┆ \d\.\d+ +│/, r.line); // polars' mean of delta
          } else if (r.line.startsWith("python3")) {
            assert.match(r.out, new RegExp(`frs +${pairs.numRows}\\.0 `), r.out); // count
          }
        }
        for (const start of ["duckdb -c", "deno eval", "deno task export", "python3 -c"]) {
          assert.ok(ran.some((r) => r.line.startsWith(start)), `a '${start}' line ran`);
        }
        assert.ok(!ran.some((r) => r.line.includes("pyarrow")), "the pyarrow line is not run");
      }
      // What the capo export block wrote, read back.
      const read = (f: string) => Deno.readFile(join(co, f));
      assert.equal(
        pl.readIPCStream(Buffer.from(await read("calibrate.arrow"))).height,
        tables.get("calibrate")!.numRows,
      );
      assert.equal(
        pl.readParquet(join(co, "samples.parquet")).height,
        tables.get("generate")!.numRows,
      );
      assert.equal(
        pl.readJSON(Buffer.from(await read("samples.jsonl")), { format: "lines" }).height,
        tables.get("generate")!.numRows,
      );
      assert.equal(
        pl.readParquet(join(co, "dpo/train-00000-of-00001.parquet")).height,
        pairs.numRows,
      );
    } finally {
      await Deno.remove(co, { recursive: true });
    }
  },
});

Deno.test("readers_test cleanup", async () => {
  if (shared) await Deno.remove((await shared).dir, { recursive: true });
});
