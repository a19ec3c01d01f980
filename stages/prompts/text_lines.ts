/**
 * The lines of a UTF-8 prompt file, "\n" or "\r\n" ended: what the text, JSONL and CSV readers
 * read (a bad byte sequence is an error naming `source`).
 */
import { TextLineStream } from "../../lib/streams/text_line_stream.ts";
import { Utf8DecodeStream } from "./utf8_decode_stream.ts";

export function textLines(
  source: string,
  bytes: ReadableStream<Uint8Array>,
): ReadableStream<string> {
  return bytes.pipeThrough(new Utf8DecodeStream(source)).pipeThrough(new TextLineStream());
}
