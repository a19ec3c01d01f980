/**
 * JSONL prompts: one JSON object per line, the prompt under `column`. A blank line or a null
 * value is an empty prompt (counted by the prompt source). Any other line that is not an object
 * with a string under `column` is an error naming the file and line; the reader keeps reading so
 * that one error reports every bad line (up to MAX_REPORTED), not just the first, and nothing
 * after the first bad line is passed on.
 */
import type { RawPrompt } from "./raw_prompt.ts";
import { textLines } from "./text_lines.ts";

/** Bad lines named in one error; the rest are counted. */
export const MAX_REPORTED = 20;

/** Why line `text` holds no prompt, or the prompt (null: an empty prompt). */
function parseLine(text: string, column: string): { prompt: string | null } | { why: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { why: `is not JSON (${(err as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { why: `is not a JSON object: ${text.slice(0, 60)}` };
  }
  if (!(column in value)) {
    return {
      why: `has no key '${column}': keys are ${Object.keys(value).join(", ") || "(none)"}`,
    };
  }
  const v = (value as Record<string, unknown>)[column];
  if (v !== null && typeof v !== "string") {
    return { why: `key '${column}' is not a string: ${JSON.stringify(v).slice(0, 60)}` };
  }
  return { prompt: v };
}

export function readJsonlPrompts(
  source: string,
  bytes: ReadableStream<Uint8Array>,
  column: string,
): ReadableStream<RawPrompt> {
  let line = 0;
  const bad: string[] = [];
  let badCount = 0;
  return textLines(source, bytes)
    .pipeThrough(
      new TransformStream<string, RawPrompt>({
        transform: (text, controller) => {
          line++;
          if (text.trim() === "") {
            if (badCount === 0) controller.enqueue({ text: "", line });
            return;
          }
          const r = parseLine(text, column);
          if ("why" in r) {
            if (++badCount <= MAX_REPORTED) bad.push(`line ${line} ${r.why}`);
            return;
          }
          if (badCount === 0) controller.enqueue({ text: r.prompt, line });
        },
        flush: () => {
          if (badCount === 0) return;
          const more = badCount > MAX_REPORTED ? `; and ${badCount - MAX_REPORTED} more` : "";
          throw new TypeError(
            `Cannot read prompts from ${source} as ${badCount} line(s) are bad: ${
              bad.join("; ")
            }${more}`,
          );
        },
      }),
    );
}
