import assert from "node:assert/strict";
import { TextLineStream } from "../../../lib/streams/text_line_stream.ts";
import { endlessSource, failingSource } from "./helpers.ts";

const lines = (chunks: string[]) =>
  Array.fromAsync(ReadableStream.from(chunks).pipeThrough(new TextLineStream()));

Deno.test("TextLineStream() emits nothing for empty input", async () => {
  assert.deepEqual(await lines([]), []);
  assert.deepEqual(await lines([""]), []);
});

Deno.test("TextLineStream() splits on \\n and \\r\\n, also across chunk boundaries", async () => {
  assert.deepEqual(await lines(["a\nb\r\nc"]), ["a", "b", "c"]);
  assert.deepEqual(await lines(["a\r", "\nb", "\r", "\n"]), ["a", "b"]);
  assert.deepEqual(await lines(["a\rb\n"]), ["a\rb"]); // a lone \r is text
  assert.deepEqual(await lines(["\n\nx\n"]), ["", "", "x"]);
});

Deno.test("TextLineStream() flushes the last line without a trailing newline on close", async () => {
  assert.deepEqual(await lines(["one\ntw", "o"]), ["one", "two"]);
});

Deno.test("TextLineStream() joins a line spanning 200,000 chunks", async () => {
  const n = 200_000;
  const chunks = Array.from({ length: n }, () => "ab");
  chunks.push("\nend");
  const out = await lines(chunks);
  assert.equal(out.length, 2);
  assert.equal(out[0]!.length, 2 * n);
  assert.equal(out[1], "end");
});

Deno.test("TextLineStream() propagates an upstream error", async () => {
  const err = new Error("disk gone");
  await assert.rejects(
    Array.fromAsync(failingSource(["a\nb"], err).pipeThrough(new TextLineStream())),
    (e) => e === err,
  );
});

Deno.test("TextLineStream() cancels upstream when downstream cancels", async () => {
  const { stream, cancelled } = endlessSource((i) => `line ${i}\n`);
  const reader = stream.pipeThrough(new TextLineStream()).getReader();
  assert.equal((await reader.read()).value, "line 0");
  await reader.cancel("enough");
  assert.equal(await cancelled, "enough");
});
