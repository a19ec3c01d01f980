import assert from "node:assert/strict";
import { BatchStream } from "../../../lib/streams/batch_stream.ts";
import { endlessSource, failingSource } from "./helpers.ts";

Deno.test("BatchStream() does not emit an empty batch when input is empty", async () => {
  const out = await Array.fromAsync(
    ReadableStream.from<number>([]).pipeThrough(new BatchStream(3)),
  );
  assert.deepEqual(out, []);
});

Deno.test("BatchStream() emits full batches and flushes the remainder on close", async () => {
  const out = await Array.fromAsync(
    ReadableStream.from([1, 2, 3, 4, 5, 6, 7]).pipeThrough(new BatchStream(3)),
  );
  assert.deepEqual(out, [[1, 2, 3], [4, 5, 6], [7]]);
  const exact = await Array.fromAsync(
    ReadableStream.from([1, 2, 3, 4]).pipeThrough(new BatchStream(2)),
  );
  assert.deepEqual(exact, [[1, 2], [3, 4]]);
});

Deno.test("BatchStream() rejects a size that is not a positive integer", () => {
  for (const size of [0, -1, 1.5, NaN]) {
    assert.throws(() => new BatchStream(size), /size must be a positive integer/);
  }
});

Deno.test("BatchStream() propagates an upstream error", async () => {
  const err = new Error("boom");
  await assert.rejects(
    Array.fromAsync(failingSource([1, 2, 3], err).pipeThrough(new BatchStream(2))),
    (e) => e === err,
  );
});

Deno.test("BatchStream() cancels upstream when downstream cancels", async () => {
  const { stream, cancelled } = endlessSource((i) => i);
  const reader = stream.pipeThrough(new BatchStream(2)).getReader();
  assert.deepEqual((await reader.read()).value, [0, 1]);
  await reader.cancel("stop");
  assert.equal(await cancelled, "stop");
});
