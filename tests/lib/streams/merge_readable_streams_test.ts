import assert from "node:assert/strict";
import { mergeReadableStreams } from "../../../lib/streams/merge_readable_streams.ts";
import { endlessSource, failingSource } from "./helpers.ts";

Deno.test("mergeReadableStreams() of no inputs or empty inputs closes empty", async () => {
  assert.deepEqual(await Array.fromAsync(mergeReadableStreams<number>()), []);
  const empty = () => ReadableStream.from<number>([]);
  assert.deepEqual(await Array.fromAsync(mergeReadableStreams(empty(), empty())), []);
});

Deno.test("mergeReadableStreams() yields every item once and keeps each input's order", async () => {
  const a = ReadableStream.from([1, 2, 3]);
  const b = ReadableStream.from([10, 20]);
  const c = ReadableStream.from<number>([]);
  const out = await Array.fromAsync(mergeReadableStreams(a, b, c));
  assert.deepEqual([...out].sort((x, y) => x - y), [1, 2, 3, 10, 20]);
  assert.deepEqual(out.filter((x) => x < 10), [1, 2, 3]);
  assert.deepEqual(out.filter((x) => x >= 10), [10, 20]);
});

Deno.test("mergeReadableStreams() errors when an input errors and cancels the others", async () => {
  const err = new Error("input 1 failed");
  const other = endlessSource((i) => i);
  const merged = mergeReadableStreams(other.stream, failingSource([100], err));
  await assert.rejects(Array.fromAsync(merged), (e) => e === err);
  assert.equal(await other.cancelled, err);
});

Deno.test("mergeReadableStreams() cancels every input when the merged stream is cancelled", async () => {
  const a = endlessSource((i) => i);
  const b = endlessSource((i) => -i);
  const reader = mergeReadableStreams(a.stream, b.stream).getReader();
  await reader.read();
  await reader.cancel("done");
  assert.equal(await a.cancelled, "done");
  assert.equal(await b.cancelled, "done");
});

Deno.test("mergeReadableStreams() does not starve an input when another is always ready", async () => {
  const a = endlessSource(() => "a");
  const b = endlessSource(() => "b");
  const reader = mergeReadableStreams(a.stream, b.stream).getReader();
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) seen.push((await reader.read()).value!);
  await reader.cancel();
  assert.ok(seen.filter((x) => x === "a").length >= 4, seen.join(""));
  assert.ok(seen.filter((x) => x === "b").length >= 4, seen.join(""));
});
