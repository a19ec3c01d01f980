import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import initPq, * as pq from "parquet-wasm/esm";
import { openPromptSource, readPrompts } from "../../../stages/prompts/prompt_source.ts";

const dir = await Deno.makeTempDir({ prefix: "capo-prompts-" });
let counter = 0;
async function file(name: string, content: string | Uint8Array): Promise<string> {
  const sub = join(dir, String(counter++));
  await Deno.mkdir(sub);
  const path = join(sub, name);
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  return path;
}
const sha16 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

Deno.test("openPromptSource() normalises, drops empties and duplicates, and counts them", async () => {
  const path = await file(
    "prompts.txt",
    "  a red   circle \n\n   \na red circle\r\ntwo\tblue squares\na red circle\n",
  );
  const { prompts, stats } = await readPrompts(path);
  assert.deepEqual(prompts.map((p) => p.prompt), ["a red circle", "two blue squares"]);
  assert.deepEqual(prompts.map((p) => p.source_index), [0, 1]);
  assert.deepEqual(stats, {
    read: 6,
    empty: 2,
    too_long: 0,
    duplicate: 2,
    control: 0,
    other_shard: 0,
    kept: 2,
  });
});

Deno.test("openPromptSource() gives the first 16 hex of sha256 of the normalised text as id", async () => {
  const path = await file("p.txt", "  A  Red circle\nA Red circle  \n");
  const { prompts } = await readPrompts(path);
  assert.equal(prompts.length, 1);
  assert.equal(prompts[0]!.prompt_id, sha16("A Red circle"));
  const lower = await readPrompts(path, { lowercase: true });
  assert.equal(lower.prompts[0]!.prompt, "a red circle");
  assert.equal(lower.prompts[0]!.prompt_id, sha16("a red circle"));
});

Deno.test("openPromptSource() reads JSONL with a configurable key, null counted empty", async () => {
  const path = await file(
    "p.jsonl",
    '{"prompt": "one"}\n\n{"prompt": null}\n{"text": "x", "prompt": "two"}\n',
  );
  const { prompts, stats } = await readPrompts(path);
  assert.deepEqual(prompts.map((p) => p.prompt), ["one", "two"]);
  assert.equal(stats.empty, 2);
  const other = await readPrompts(await file("q.jsonl", '{"caption": "three"}\n'), {
    column: "caption",
  });
  assert.deepEqual(other.prompts.map((p) => p.prompt), ["three"]);
});

Deno.test("openPromptSource() names the file and line of malformed JSONL", async () => {
  const bad = await file("bad.jsonl", '{"prompt": "ok"}\n{"prompt": \n');
  await assert.rejects(readPrompts(bad), /bad\.jsonl as 1 line\(s\) are bad: line 2 is not JSON/);
  const noKey = await file("nokey.jsonl", '{"prompt": "ok"}\n{"caption": "x"}\n');
  await assert.rejects(readPrompts(noKey), /line 2 has no key 'prompt': keys are caption/);
  const num = await file("num.jsonl", '{"prompt": 3}\n');
  await assert.rejects(readPrompts(num), /line 1 key 'prompt' is not a string/);
});

Deno.test("openPromptSource() reports every bad JSONL line up to a bound, and passes nothing after the first", async () => {
  const lines = ['{"prompt": "ok"}'];
  for (let i = 0; i < 25; i++) lines.push(i % 2 ? "[1]" : '{"prompt": 3}', '{"prompt": "late"}');
  const path = await file("many.jsonl", lines.join("\n") + "\n");
  const err = await readPrompts(path).then(() => null, (e: Error) => e);
  assert.ok(err);
  assert.match(
    err.message,
    /as 25 line\(s\) are bad: line 2 key 'prompt' is not a string: 3; line 4 is not a JSON object: \[1\];/,
  );
  assert.equal(err.message.match(/; line /g)?.length, 19); // 20 named
  assert.match(err.message, /; and 5 more$/);
  const seen: string[] = [];
  const source = await openPromptSource(path);
  await assert.rejects(async () => {
    for await (const p of source.readable) seen.push(p.prompt);
  });
  assert.deepEqual(seen, ["ok"]);
});

Deno.test("openPromptSource() counts prompts differing only in case or Unicode form as duplicates; 'exact' keeps them", async () => {
  const path = await file(
    "fold.txt",
    "A Red Circle\na red circle\nａ red circle\ncafe\u0301\ncaf\u00e9\n",
  );
  const folded = await readPrompts(path);
  assert.deepEqual(folded.prompts.map((p) => p.prompt), ["A Red Circle", "café"]);
  assert.equal(folded.stats.duplicate, 3);
  const exact = await readPrompts(path, { duplicates: "exact" });
  assert.deepEqual(exact.prompts.map((p) => p.prompt), [
    "A Red Circle",
    "a red circle",
    "ａ red circle",
    "café",
  ]);
  assert.equal(exact.stats.duplicate, 1); // NFC already makes the two cafés one text
});

Deno.test("openPromptSource() rejects a prompt holding a control character, naming file and line; 'skip' counts it", async () => {
  const path = await file("ctl.txt", "a red circle\nbad\u0000prompt\ntwo blue squares\n");
  await assert.rejects(
    readPrompts(path),
    /ctl\.txt' line 2 as the prompt holds the control character U\+0000/,
  );
  const skipped = await readPrompts(path, { control_chars: "skip" });
  assert.deepEqual(skipped.prompts.map((p) => p.prompt), ["a red circle", "two blue squares"]);
  assert.equal(skipped.stats.control, 1);
});

Deno.test("openPromptSource() says a directory is a directory", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(readPrompts(dir), /Cannot read prompts from '.*': it is a directory/);
  await assert.rejects(
    readPrompts(dir, { format: "parquet" }),
    /Cannot read prompts from '.*': it is a directory/,
  );
  await Deno.remove(dir);
});

Deno.test("openPromptSource() reads CSV with quoted commas, quotes and newlines", async () => {
  const csv =
    'id,prompt\n1,"a red circle, small"\n2,"a ""blue"" square"\n3,"two\nlines"\n\n4,plain\n';
  const { prompts, stats } = await readPrompts(await file("p.csv", csv));
  assert.deepEqual(prompts.map((p) => p.prompt), [
    "a red circle, small",
    'a "blue" square',
    "two lines",
    "plain",
  ]);
  assert.equal(stats.empty, 1);
});

Deno.test("openPromptSource() names the problem in bad CSV", async () => {
  await assert.rejects(
    readPrompts(await file("h.csv", "id,text\n1,x\n")),
    /no column 'prompt': columns are 'id', 'text'/,
  );
  await assert.rejects(
    readPrompts(await file("n.csv", "id,prompt\n1,x\n2,y,z\n")),
    /line 3 as CSV with 2 columns: current record has 3 fields/,
  );
  await assert.rejects(
    readPrompts(await file("q.csv", 'id,prompt\n1,"open\n2,x\n')),
    /quoted field opened on line 2 is never closed/,
  );
});

Deno.test("openPromptSource() reads a Parquet column, nulls counted empty", async () => {
  await initPq();
  const table = arrow.tableFromArrays({
    id: Int32Array.from([0, 1, 2, 3]),
    caption: ["a red circle", null, " a red  circle", "a green triangle"],
  });
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream")));
  const path = await file("p.parquet", bytes);
  const { prompts, stats } = await readPrompts(path, { column: "caption" });
  assert.deepEqual(prompts.map((p) => p.prompt), ["a red circle", "a green triangle"]);
  assert.deepEqual(stats, {
    read: 4,
    empty: 1,
    too_long: 0,
    duplicate: 1,
    control: 0,
    other_shard: 0,
    kept: 2,
  });
  await assert.rejects(readPrompts(path), /no column 'prompt': columns are 'id', 'caption'/);
  await assert.rejects(readPrompts(path, { column: "id" }), /column 'id' as strings/);
  const junk = await file("junk.parquet", "not a parquet file at all");
  await assert.rejects(readPrompts(junk), /junk\.parquet as Parquet/);
});

Deno.test("openPromptSource() errors with 'no prompts in <file>' on an empty or blank file", async () => {
  const empty = await file("empty.txt", "");
  await assert.rejects(
    openPromptSource(empty),
    (e: Error) => e.message.startsWith(`no prompts in ${empty}`),
  );
  const blank = await file("blank.txt", "\n  \n\t\n");
  await assert.rejects(
    readPrompts(blank),
    /no prompts in .*blank\.txt: read 3 record\(s\), 3 empty/,
  );
});

Deno.test("openPromptSource() names the file and line of invalid UTF-8", async () => {
  const bytes = new Uint8Array([
    ...new TextEncoder().encode("first\nsecond\nthi"),
    0xff,
    ...new TextEncoder().encode("rd\nfourth\n"),
  ]);
  const path = await file("bad.txt", bytes);
  await assert.rejects(
    readPrompts(path),
    /Cannot decode .*bad\.txt as UTF-8: invalid byte sequence on line 3/,
  );
  const truncated = await file("trunc.txt", new Uint8Array([0x61, 0x0a, 0xc3]));
  await assert.rejects(
    readPrompts(truncated),
    /truncated multi-byte sequence at end of file on line 2/,
  );
});

Deno.test("openPromptSource() skips a 100,000-character prompt and counts it as too long", async () => {
  const path = await file("long.txt", `short one\n${"x".repeat(100_000)}\nshort two\n`);
  const { prompts, stats } = await readPrompts(path);
  assert.deepEqual(prompts.map((p) => p.prompt), ["short one", "short two"]);
  assert.equal(stats.too_long, 1);
  const allowed = await readPrompts(path, { max_chars: 100_000 });
  assert.equal(allowed.prompts.length, 3);
});

Deno.test("openPromptSource() names an unreadable path, a directory and an unknown extension", async () => {
  const missing = join(dir, "nope", "prompts.txt");
  await assert.rejects(
    openPromptSource(missing),
    (e: Error) => e.message === `Cannot read prompts from '${missing}': no such file`,
  );
  await assert.rejects(openPromptSource(dir, { format: "txt" }), /it is a directory/);
  await assert.rejects(openPromptSource(join(dir, "p.yaml")), /extension: expected one of \.txt/);
});

Deno.test("openPromptSource() takes the split from the file name, an option, or the id hash", async () => {
  const lines = Array.from({ length: 2000 }, (_, i) => `prompt number ${i}`).join("\n");
  const train = await readPrompts(await file("train.txt", lines));
  assert.ok(train.prompts.every((p) => p.split === "train"));
  const evalSet = await readPrompts(await file("eval-shapes.txt", lines));
  assert.ok(evalSet.prompts.every((p) => p.split === "eval"));
  const forced = await readPrompts(await file("train.txt", lines), {
    split: "hash",
    eval_fraction: 0.25,
  });
  const nEval = forced.prompts.filter((p) => p.split === "eval").length;
  assert.ok(nEval > 400 && nEval < 600, `eval count ${nEval}`);
  const again = await readPrompts(await file("x.txt", lines), { eval_fraction: 0.25 });
  assert.deepEqual(again.prompts.map((p) => p.split), forced.prompts.map((p) => p.split));
});

Deno.test("openPromptSource() shards by id hash: shards are disjoint and cover every prompt", async () => {
  const lines = Array.from({ length: 500 }, (_, i) => `prompt ${i}`).join("\n");
  const path = await file("p.txt", lines);
  const all = (await readPrompts(path)).prompts;
  const seen = new Map<string, number>();
  for (let i = 0; i < 4; i++) {
    const { prompts, stats } = await readPrompts(path, { shard: `${i}/4` });
    assert.equal(stats.kept + stats.other_shard, 500);
    assert.ok(prompts.length > 60, `shard ${i} has ${prompts.length}`);
    for (const p of prompts) seen.set(p.prompt_id, p.source_index);
  }
  assert.equal(seen.size, all.length);
  for (const p of all) assert.equal(seen.get(p.prompt_id), p.source_index);
  await assert.rejects(openPromptSource(path, { shard: "4/4" }), /0 <= index < count/);
  await assert.rejects(openPromptSource(path, { shard: "1-4" }), /must look like 'i\/n'/);
});

Deno.test("openPromptSource() reads the shipped ShapeWorld prompt files, split from the name", async () => {
  const url = (split: string) =>
    new URL(`../../../data/prompts/${split}.txt`, import.meta.url).pathname;
  const train = await readPrompts(url("train"));
  const evalSet = await readPrompts(url("eval"));
  const lines = (await Deno.readTextFile(url("train"))).split("\n").filter((l) => l !== "").length;
  assert.equal(train.stats.kept, lines);
  assert.equal(train.stats.duplicate + train.stats.empty + train.stats.too_long, 0);
  assert.ok(train.prompts.every((p) => p.split === "train"));
  assert.ok(evalSet.prompts.every((p) => p.split === "eval"));
  const trainIds = new Set(train.prompts.map((p) => p.prompt_id));
  assert.ok(
    evalSet.prompts.every((p) => !trainIds.has(p.prompt_id)),
    "train and eval are disjoint",
  );
});
