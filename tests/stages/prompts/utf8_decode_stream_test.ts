import assert from "node:assert/strict";
import { Utf8DecodeStream } from "../../../stages/prompts/utf8_decode_stream.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const decode = (chunks: Uint8Array[]) =>
  Array.fromAsync(ReadableStream.from(chunks).pipeThrough(new Utf8DecodeStream("f.txt")))
    .then((parts) => parts.join(""));

Deno.test("Utf8DecodeStream() decodes a character split across chunks", async () => {
  const bytes = enc("é\nü");
  const parts = [
    bytes.subarray(0, 1),
    bytes.subarray(1, 3),
    bytes.subarray(3, 4),
    bytes.subarray(4),
  ];
  assert.equal(await decode(parts), "é\nü");
});

Deno.test("Utf8DecodeStream() names the line of bad bytes even when the line spans chunks", async () => {
  const chunks = [enc("one\ntwo\nthr"), enc("ee-"), new Uint8Array([0x80]), enc("x\nfour")];
  await assert.rejects(decode(chunks), /f\.txt as UTF-8: invalid byte sequence on line 3/);
  // A lead byte at the end of one chunk, followed by a newline at the start of the next.
  const split = [enc("a\nb"), new Uint8Array([0xe2]), enc("\nc\n")];
  await assert.rejects(decode(split), /on line 2/);
});
