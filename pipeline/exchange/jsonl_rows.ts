/**
 * Arrow rows -> JSON Lines, one object per row with the table's columns in order.
 *
 * - int64 -> a JSON number (capo's int64 values are safe integers; a larger one is an error);
 * - a non-finite float -> null (JSON has no NaN);
 * - binary (diffusers' jpg_0/jpg_1) -> base64 text; an image struct {bytes, path} ->
 *   {"bytes": base64, "path": ...}, which `datasets.Image()` decodes once cast to it;
 * - `images: "omit"` leaves binary and image columns out entirely (small files for analysis).
 */
import { Buffer } from "node:buffer";
import * as arrow from "apache-arrow";

export const JSONL_IMAGES = ["base64", "omit"] as const;
export type JsonlImages = typeof JSONL_IMAGES[number];

function isBytes(t: arrow.DataType): boolean {
  return arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t);
}

function isImage(t: arrow.DataType): boolean {
  return arrow.DataType.isStruct(t) && t.children.some((c) => c.name === "bytes");
}

function jsonValue(v: unknown, column: string, row: number): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) {
      throw new RangeError(
        `Cannot write column '${column}' row ${row} as JSON as it must be a safe integer: ` +
          `current value is ${v}`,
      );
    }
    return n;
  }
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (v instanceof Uint8Array) {
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  }
  if (typeof v === "object" && "bytes" in (v as object)) {
    const img = v as { bytes: Uint8Array | null; path: string | null };
    return { bytes: jsonValue(img.bytes, column, row), path: img.path ?? null };
  }
  return v;
}

/** The JSON Lines of `table` (each line ends with "\n"). */
export function* jsonlLines(table: arrow.Table, images: JsonlImages): Generator<string> {
  const cols = table.schema.fields
    .filter((f) => images === "base64" || !(isBytes(f.type) || isImage(f.type)))
    .map((f) => ({ name: f.name, vec: table.getChild(f.name)! }));
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const c of cols) row[c.name] = jsonValue(c.vec.get(i), c.name, i);
    yield JSON.stringify(row) + "\n";
  }
}
