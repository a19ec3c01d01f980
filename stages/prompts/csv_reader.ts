/**
 * CSV prompts: a header row, then one record per prompt; the prompt is in the column named
 * `column`. A blank line is an empty prompt (counted by the prompt source); a record with a
 * different number of fields than the header is an error naming the file and line.
 */
import { CsvParseStream, type CsvRecord } from "./csv_parse_stream.ts";
import type { RawPrompt } from "./raw_prompt.ts";
import { textLines } from "./text_lines.ts";

export function readCsvPrompts(
  source: string,
  bytes: ReadableStream<Uint8Array>,
  column: string,
): ReadableStream<RawPrompt> {
  let header: string[] | null = null;
  let at = -1;
  return textLines(source, bytes)
    .pipeThrough(new CsvParseStream(source))
    .pipeThrough(
      new TransformStream<CsvRecord, RawPrompt>({
        transform: ({ fields, line }, controller) => {
          if (header === null) {
            header = fields;
            at = fields.indexOf(column);
            if (at === -1) {
              throw new TypeError(
                `Cannot read prompts from ${source} as its CSV header has no column '${column}': ` +
                  `columns are ${fields.map((f) => `'${f}'`).join(", ")}`,
              );
            }
            return;
          }
          if (fields.length === 1 && fields[0] === "") {
            controller.enqueue({ text: "", line });
            return;
          }
          if (fields.length !== header.length) {
            throw new RangeError(
              `Cannot read ${source} line ${line} as CSV with ${header.length} columns: ` +
                `current record has ${fields.length} fields`,
            );
          }
          controller.enqueue({ text: fields[at]!, line });
        },
      }),
    );
}
