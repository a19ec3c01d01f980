/**
 * JSONL prompts: one JSON object per line, the prompt under `column`. A blank line or a null
 * value is an empty prompt (counted by the prompt source); anything else that is not a
 * string is an error naming the file and line.
 */
import { TextLineStream } from "../../lib/streams/text_line_stream.ts";
import type { RawPrompt } from "./raw_prompt.ts";
import { Utf8DecodeStream } from "./utf8_decode_stream.ts";

export function readJsonlPrompts(
  source: string,
  bytes: ReadableStream<Uint8Array>,
  column: string,
): ReadableStream<RawPrompt> {
  let line = 0;
  return bytes
    .pipeThrough(new Utf8DecodeStream(source))
    .pipeThrough(new TextLineStream())
    .pipeThrough(
      new TransformStream<string, RawPrompt>({
        transform: (text, controller) => {
          line++;
          if (text.trim() === "") {
            controller.enqueue({ text: "", line });
            return;
          }
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (err) {
            throw new SyntaxError(
              `Cannot parse ${source} line ${line} as JSON: ${(err as Error).message}`,
            );
          }
          if (typeof value !== "object" || value === null || Array.isArray(value)) {
            throw new TypeError(
              `Cannot read ${source} line ${line} as a JSON object: current value is ${
                text.slice(0, 60)
              }`,
            );
          }
          if (!(column in value)) {
            throw new TypeError(
              `Cannot read ${source} line ${line} as it has no key '${column}': keys are ${
                Object.keys(value).join(", ") || "(none)"
              }`,
            );
          }
          const v = (value as Record<string, unknown>)[column];
          if (v !== null && typeof v !== "string") {
            throw new TypeError(
              `Cannot read ${source} line ${line} key '${column}' as a string: current value is ${
                JSON.stringify(v).slice(0, 60)
              }`,
            );
          }
          controller.enqueue({ text: v, line });
        },
      }),
    );
}
