import assert from "node:assert/strict";
import { GroupByPromptStream } from "../../../lib/streams/group_by_prompt_stream.ts";
import { endlessSource, failingSource } from "./helpers.ts";

interface Row {
  prompt_id: string;
  prompt: string;
  v: number;
}
const row = (id: string, v: number): Row => ({ prompt_id: id, prompt: `prompt ${id}`, v });

Deno.test("GroupByPromptStream() emits no group for empty input", async () => {
  const out = await Array.fromAsync(
    ReadableStream.from<Row>([]).pipeThrough(new GroupByPromptStream()),
  );
  assert.deepEqual(out, []);
});

Deno.test("GroupByPromptStream() groups contiguous rows and flushes the last group on close", async () => {
  const rows = [row("a", 1), row("a", 2), row("b", 3), row("c", 4), row("c", 5)];
  const out = await Array.fromAsync(
    ReadableStream.from(rows).pipeThrough(new GroupByPromptStream()),
  );
  assert.deepEqual(out.map((g) => [g.prompt_id, g.prompt, g.rows.map((r) => r.v)]), [
    ["a", "prompt a", [1, 2]],
    ["b", "prompt b", [3]],
    ["c", "prompt c", [4, 5]],
  ]);
});

Deno.test("GroupByPromptStream() errors when a prompt_id reappears after its group closed", async () => {
  const rows = [row("a", 1), row("b", 2), row("a", 3)];
  await assert.rejects(
    Array.fromAsync(ReadableStream.from(rows).pipeThrough(new GroupByPromptStream())),
    /prompt_id 'a' reappears after its group was closed/,
  );
});

Deno.test("GroupByPromptStream() propagates an upstream error", async () => {
  const err = new Error("upstream");
  await assert.rejects(
    Array.fromAsync(failingSource([row("a", 1)], err).pipeThrough(new GroupByPromptStream())),
    (e) => e === err,
  );
});

Deno.test("GroupByPromptStream() cancels upstream when downstream cancels", async () => {
  const { stream, cancelled } = endlessSource((i) => row(`p${Math.floor(i / 2)}`, i));
  const reader = stream.pipeThrough(new GroupByPromptStream<Row>()).getReader();
  const first = await reader.read();
  assert.deepEqual(first.value?.rows.map((r) => r.v), [0, 1]);
  await reader.cancel("enough");
  assert.equal(await cancelled, "enough");
});
