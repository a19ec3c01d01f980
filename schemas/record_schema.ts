/**
 * `RecordSchema`: a named, versioned set of fields with codecs to and from Arrow tables.
 *
 * The Arrow schema carries `capo.schema` and `capo.schema_version` in its metadata, so a shard
 * read back is checked against the definition that wrote it.
 */
import * as arrow from "apache-arrow";
import { arrowType, type FieldDef, type Fields, type RecordOf } from "./field.ts";

export class SchemaMismatchError extends TypeError {}

export class RecordSchema<F extends Fields> {
  readonly name: string;
  readonly version: number;
  readonly fields: F;
  readonly arrow: arrow.Schema;

  constructor(name: string, version: number, fields: F) {
    if (!Number.isInteger(version) || version < 1) {
      throw new RangeError(
        `Cannot construct RecordSchema '${name}' as version must be a positive integer: current value is ${version}`,
      );
    }
    this.name = name;
    this.version = version;
    this.fields = fields;
    const meta = new Map([["capo.schema", name], ["capo.schema_version", String(version)]]);
    this.arrow = new arrow.Schema(
      Object.entries(fields).map(([n, d]) => new arrow.Field(n, arrowType(d.kind), d.nullable)),
      meta,
    );
  }

  /** The column names, in order. */
  get columns(): string[] {
    return Object.keys(this.fields);
  }

  /** Records -> an Arrow table with this schema (throws naming the row and column on a bad value). */
  toTable(rows: readonly RecordOf<F>[]): arrow.Table {
    const children: arrow.Data[] = [];
    for (const field of this.arrow.fields) {
      const def = this.fields[field.name] as FieldDef;
      children.push(encodeColumn(def, rows, this.name, field.name, field.type));
    }
    const struct = arrow.makeData({
      type: new arrow.Struct(this.arrow.fields),
      length: rows.length,
      nullCount: 0,
      children,
    });
    return new arrow.Table(this.arrow, [new arrow.RecordBatch(this.arrow, struct)]);
  }

  /** An Arrow table -> records, after checking the schema name, version and columns. */
  fromTable(table: arrow.Table, source = "table"): RecordOf<F>[] {
    this.check(table.schema, source);
    const n = table.numRows;
    // Column at a time: typed-array and string columns decode without a per-cell `get(i)`
    // call, and rows are built from one object literal shape, so V8 keeps them fast objects.
    const names = this.columns;
    const cols = names.map((name) =>
      decodeColumn(this.fields[name] as FieldDef, table.getChild(name)!)
    );
    const make = rowMaker(names);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = make(cols, i);
    return out as RecordOf<F>[];
  }

  /** Throws a SchemaMismatchError naming `source` if `schema` was not written by this definition. */
  check(schema: arrow.Schema, source: string): void {
    const name = schema.metadata.get("capo.schema");
    const version = schema.metadata.get("capo.schema_version");
    if (name !== undefined && name !== this.name) {
      throw new SchemaMismatchError(
        `${source}: holds '${name}' records, expected '${this.name}'`,
      );
    }
    if (version !== undefined && Number(version) !== this.version) {
      throw new SchemaMismatchError(
        `${source}: schema '${this.name}' version ${version}, this capo reads version ${this.version}`,
      );
    }
    const have = new Set(schema.fields.map((x) => x.name));
    const missing = this.columns.filter((c) => !have.has(c));
    if (missing.length) {
      throw new SchemaMismatchError(
        `${source}: missing column(s) ${missing.join(", ")} of schema '${this.name}'`,
      );
    }
  }
}

function encodeValue(def: FieldDef, v: unknown, schema: string, col: string, row: number): unknown {
  const bad = (why: string) =>
    new TypeError(
      `Cannot encode ${schema} row ${row} column '${col}' as ${why}: current value is ${
        typeof v === "object" ? JSON.stringify(v)?.slice(0, 80) : String(v)
      }`,
    );
  if (v === null || v === undefined) {
    if (def.nullable) return null;
    throw bad("it is not nullable");
  }
  switch (def.kind) {
    case "utf8":
      if (typeof v !== "string") throw bad("it must be a string");
      return v;
    case "int32":
      if (!Number.isInteger(v) || (v as number) > 2147483647 || (v as number) < -2147483648) {
        throw bad("it must be a 32-bit integer");
      }
      return v;
    case "int64":
      if (!Number.isSafeInteger(v)) throw bad("it must be a safe integer");
      return BigInt(v as number);
    case "float32":
    case "float64":
      if (typeof v !== "number") throw bad("it must be a number");
      return v;
    case "bool":
      if (typeof v !== "boolean") throw bad("it must be a boolean");
      return v;
    case "image": {
      const img = v as { bytes?: unknown; path?: unknown };
      if (!(img.bytes instanceof Uint8Array)) throw bad("image.bytes must be a Uint8Array");
      return { bytes: img.bytes, path: typeof img.path === "string" ? img.path : null };
    }
  }
}

function decodeValue(def: FieldDef, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (def.kind) {
    case "int64":
      return Number(v as bigint);
    case "image": {
      const s = v as { bytes: Uint8Array | null; path: string | null };
      return { bytes: s.bytes ?? new Uint8Array(), path: s.path ?? null };
    }
    default:
      return v;
  }
}

/** One column of `rows` -> Arrow data; numeric columns go straight into typed arrays. */
function encodeColumn(
  def: FieldDef,
  rows: readonly unknown[],
  schema: string,
  col: string,
  type: arrow.DataType,
): arrow.Data {
  const n = rows.length;
  const get = (i: number) => (rows[i] as Record<string, unknown>)[col];
  if (!def.nullable) {
    let data: Float64Array | Float32Array | Int32Array | BigInt64Array | null = null;
    switch (def.kind) {
      case "float64":
        data = new Float64Array(n);
        break;
      case "float32":
        data = new Float32Array(n);
        break;
      case "int32":
        data = new Int32Array(n);
        break;
      case "int64":
        data = new BigInt64Array(n);
        break;
    }
    if (data) {
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (typeof v === "number" && (def.kind.startsWith("float") || Number.isSafeInteger(v))) {
          // The fast path: the value is already of the right kind; int32 is range-checked below.
          if (def.kind === "int64") (data as BigInt64Array)[i] = BigInt(v);
          else if (
            def.kind === "int32" && (v > 2147483647 || v < -2147483648 || !Number.isInteger(v))
          ) {
            encodeValue(def, v, schema, col, i); // throws with the standard message
          } else (data as Float64Array)[i] = v;
        } else {
          encodeValue(def, v, schema, col, i); // throws with the standard message
        }
      }
      return arrow.makeData(
        { type: type as arrow.Float64, length: n, nullCount: 0, data } as never,
      );
    }
  }
  if (!def.nullable && def.kind === "utf8") {
    const strings = new Array<string>(n);
    for (let i = 0; i < n; i++) strings[i] = encodeValue(def, get(i), schema, col, i) as string;
    return utf8Data(strings);
  }
  const values = new Array(n);
  for (let i = 0; i < n; i++) values[i] = encodeValue(def, get(i), schema, col, i);
  return arrow.vectorFromArray(values, type).data[0]!;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Strings -> Arrow Utf8 data in one pass (offsets + one values buffer). */
function utf8Data(strings: readonly string[]): arrow.Data<arrow.Utf8> {
  const n = strings.length;
  const offsets = new Int32Array(n + 1);
  let buf = new Uint8Array(Math.max(64, n * 16));
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const str = strings[i]!;
    // A UTF-16 code unit encodes to at most 3 UTF-8 bytes.
    if (pos + str.length * 3 > buf.length) {
      const grown = new Uint8Array(Math.max(buf.length * 2, pos + str.length * 3));
      grown.set(buf.subarray(0, pos));
      buf = grown;
    }
    pos += utf8Encoder.encodeInto(str, buf.subarray(pos)).written;
    offsets[i + 1] = pos;
  }
  return arrow.makeData({
    type: new arrow.Utf8(),
    length: n,
    nullCount: 0,
    valueOffsets: offsets,
    data: buf.subarray(0, pos),
  });
}

/** Arrow Utf8 data (one chunk, no nulls) -> strings; ASCII text decodes in one call. */
function utf8Strings(data: arrow.Data<arrow.Utf8>): string[] {
  const offsets = data.valueOffsets;
  const bytes = data.values;
  const n = data.length;
  const first = offsets[0]!;
  const last = offsets[n]!;
  const out = new Array<string>(n);
  const whole = utf8Decoder.decode(bytes.subarray(first, last));
  if (whole.length === last - first) {
    // Pure ASCII: byte offsets are character offsets.
    for (let i = 0; i < n; i++) out[i] = whole.slice(offsets[i]! - first, offsets[i + 1]! - first);
  } else {
    for (let i = 0; i < n; i++) {
      out[i] = utf8Decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
    }
  }
  return out;
}

/** An Arrow column -> JS values of the field's kind. */
function decodeColumn(def: FieldDef, col: arrow.Vector): ArrayLike<unknown> {
  const n = col.length;
  const noNulls = col.nullCount === 0;
  if (noNulls && (def.kind === "float64" || def.kind === "float32" || def.kind === "int32")) {
    return col.toArray() as ArrayLike<number>;
  }
  if (noNulls && def.kind === "int64") {
    const a = col.toArray() as BigInt64Array;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = Number(a[i]!);
    return out;
  }
  if (noNulls && def.kind === "utf8") {
    const out: string[] = [];
    for (const chunk of col.data) {
      if (arrow.DataType.isUtf8(chunk.type)) {
        for (const v of utf8Strings(chunk as arrow.Data<arrow.Utf8>)) out.push(v);
      } else if (arrow.DataType.isDictionary(chunk.type) && chunk.dictionary) {
        // Parquet readers hand strings back dictionary-encoded: decode the dictionary once.
        const dict = decodeColumn(def, chunk.dictionary) as string[];
        const idx = chunk.values as ArrayLike<number>;
        for (let i = 0; i < chunk.length; i++) out.push(dict[idx[i]!]!);
      } else {
        for (const v of new arrow.Vector([chunk])) out.push(v as string);
      }
    }
    return out;
  }
  const out = new Array<unknown>(n);
  let i = 0;
  for (const v of col) out[i++] = decodeValue(def, v);
  return out;
}

type RowMaker = (cols: ArrayLike<unknown>[], i: number) => unknown;
const makers = new Map<string, RowMaker>();

/** A row constructor `(cols, i) => ({a: cols[0][i], b: cols[1][i], ...})` for these names. */
function rowMaker(names: readonly string[]): RowMaker {
  const key = names.join("\u0000");
  const make = makers.get(key);
  if (!make) {
    // Column names are checked identifiers or JSON-quoted here, so the generated source is safe.
    const body = names.map((name, c) => `${JSON.stringify(name)}: cols[${c}][i]`).join(", ");
    const made = new Function("cols", "i", `return { ${body} };`) as RowMaker;
    makers.set(key, made);
    return made;
  }
  return make;
}
