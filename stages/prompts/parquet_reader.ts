/**
 * Parquet prompts: the string column `column`, read one record batch at a time through
 * parquet-wasm (only that column is decoded). A null value is an empty prompt (counted by the
 * prompt source). `line` is the 1-based row.
 */
import * as arrow from "apache-arrow";
import initPq, * as pq from "parquet-wasm/esm";
import type { RawPrompt } from "./raw_prompt.ts";

let ready: Promise<unknown> | null = null;

export function readParquetPrompts(
  source: string,
  bytes: Uint8Array,
  column: string,
): ReadableStream<RawPrompt> {
  let batches: ReadableStreamDefaultReader<pq.RecordBatch> | null = null;
  let row = 0;
  return new ReadableStream<RawPrompt>({
    async start() {
      ready ??= initPq();
      await ready;
      let file: pq.ParquetFile;
      try {
        file = await pq.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      } catch (err) {
        throw new TypeError(`Cannot read ${source} as Parquet: ${errorText(err)}`);
      }
      const schema = arrow.tableFromIPC(file.schema().intoIPCStream()).schema;
      const field = schema.fields.find((f) => f.name === column);
      if (!field) {
        throw new TypeError(
          `Cannot read prompts from ${source} as it has no column '${column}': columns are ${
            schema.fields.map((f) => `'${f.name}'`).join(", ")
          }`,
        );
      }
      const t = field.type;
      const isString = arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) ||
        (arrow.DataType.isDictionary(t) &&
          (arrow.DataType.isUtf8(t.dictionary) || arrow.DataType.isLargeUtf8(t.dictionary)));
      if (!isString) {
        throw new TypeError(
          `Cannot read prompts from ${source} column '${column}' as strings: its type is ${t}`,
        );
      }
      const stream = await file.stream({ columns: [column], batchSize: 4096 });
      batches = (stream as ReadableStream<pq.RecordBatch>).getReader();
    },
    async pull(controller) {
      const { done, value } = await batches!.read();
      if (done) {
        controller.close();
        return;
      }
      // intoIPCStream() consumes (frees) the wasm-side batch.
      const col = arrow.tableFromIPC(value.intoIPCStream()).getChild(column)!;
      for (let i = 0; i < col.length; i++) {
        const v = col.get(i) as string | null;
        controller.enqueue({ text: v ?? null, line: ++row });
      }
    },
    async cancel(reason) {
      await batches?.cancel(reason);
    },
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
