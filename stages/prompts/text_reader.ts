/** Plain text prompts: one prompt per line (UTF-8, "\n" or "\r\n"). */
import type { RawPrompt } from "./raw_prompt.ts";
import { textLines } from "./text_lines.ts";

export function readTextPrompts(
  source: string,
  bytes: ReadableStream<Uint8Array>,
): ReadableStream<RawPrompt> {
  let line = 0;
  return textLines(source, bytes)
    .pipeThrough(
      new TransformStream<string, RawPrompt>({
        transform: (text, controller) => controller.enqueue({ text, line: ++line }),
      }),
    );
}
