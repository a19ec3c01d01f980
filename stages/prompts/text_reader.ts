/** Plain text prompts: one prompt per line (UTF-8, "\n" or "\r\n"). */
import { TextLineStream } from "../../lib/streams/text_line_stream.ts";
import type { RawPrompt } from "./raw_prompt.ts";
import { Utf8DecodeStream } from "./utf8_decode_stream.ts";

export function readTextPrompts(
  source: string,
  bytes: ReadableStream<Uint8Array>,
): ReadableStream<RawPrompt> {
  let line = 0;
  return bytes
    .pipeThrough(new Utf8DecodeStream(source))
    .pipeThrough(new TextLineStream())
    .pipeThrough(
      new TransformStream<string, RawPrompt>({
        transform: (text, controller) => controller.enqueue({ text, line: ++line }),
      }),
    );
}
